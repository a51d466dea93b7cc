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
    # The document holding the answer, where the set says (a knowledge base's entry).
    doc_id: str | None = Field(None, max_length=200)
    # A dialogue's turn: its dialogue, its place (0 = first) and what it means alone.
    dialogue: str | None = Field(None, max_length=200)
    turn: int = Field(0, ge=0)
    standalone: str | None = Field(None, max_length=2000)

    @property
    def follow_up(self) -> bool:
        return self.dialogue is not None and self.turn > 0

    @property
    def graded(self) -> bool:
        return self.answers is not None

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


class GoldTurn(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    answers: list[str] | None = None
    evidence: list[str] | None = None
    standalone: str | None = Field(None, max_length=2000)
    # What the turn does: first, year, indicator, document, pronoun, ellipsis, script,
    # shift or refuse; it is the turn's question type in reports.
    kind: str = Field("follow_up", max_length=40)
    answer_kind: str | None = Field(None, max_length=20)


class GoldDialogue(BaseModel):
    """`{"id", "turns": [...]}`: a conversation, each turn asked with the ones before."""

    id: str = Field(min_length=1, max_length=200)
    turns: list[GoldTurn] = Field(min_length=1, max_length=10)

    def questions(self) -> list[GoldQuestion]:
        return [
            GoldQuestion(
                id=f"{self.id}#{n}",
                question=t.question,
                answers=t.answers,
                evidence=t.evidence,
                type=t.kind,
                kind=t.answer_kind,
                dialogue=self.id,
                turn=n,
                standalone=t.standalone,
            )
            for n, t in enumerate(self.turns)
        ]


def parse_line(line: str) -> list[GoldQuestion]:
    """A gold line: one question, or a dialogue's turns in order."""
    data = json.loads(line)
    if isinstance(data, dict) and "turns" in data:
        return GoldDialogue.model_validate(data).questions()
    return [GoldQuestion.model_validate(data)]


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
            parsed = parse_line(line)
        except (json.JSONDecodeError, ValidationError) as exc:
            raise GoldError(f"{path}:{number}: {exc}") from exc
        for question in parsed:
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
