"""Gold question files (DESIGN.md): load, validate against the corpus."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from corpus.normalize import fold_compact

GOLD_DIR = Path(__file__).resolve().parent / "gold"
DEFAULT_GOLD = GOLD_DIR / "questions.jsonl"


def default_gold_files() -> list[Path]:
    """Every gold file the project ships: eval/gold/*.jsonl."""
    return sorted(GOLD_DIR.glob("*.jsonl"))


class GoldError(ValueError):
    """A gold file that cannot be used; the message names file and line."""


class GoldQuestion(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=2000)
    # None (the key is absent): a question without gold, answered but not scored.
    answers: list[str] | None = None
    evidence: list[str] | None = None
    type: str = Field("unknown", max_length=40)
    # The answer kind a right answer has (figure, entity, date, list, steps, passage).
    kind: str | None = Field(None, max_length=20)

    @property
    def graded(self) -> bool:
        return self.answers is not None

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_gold(path: Path) -> list[GoldQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read ({exc.strerror})") from exc
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = GoldQuestion.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise GoldError(f"{path}:{number}: {exc}") from exc
        if question.id in seen:
            raise GoldError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise GoldError(f"{path}: no questions")
    return questions


def evidence_problems(questions: Iterable[GoldQuestion], corpus_texts: list[str]) -> list[str]:
    """Evidence strings that occur nowhere in the corpus once both are folded."""
    folded = [fold_compact(t) for t in corpus_texts]
    problems = []
    for q in questions:
        if bool(q.answers) != bool(q.evidence):
            problems.append(f"{q.id}: answers and evidence must both be empty or both present")
        for ev in q.evidence or []:
            if not any(fold_compact(ev) in text for text in folded):
                problems.append(f"{q.id}: evidence not in corpus: {ev!r}")
    return problems
