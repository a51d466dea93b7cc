"""Curated answers (问答对): staff write the answer to a question citizens keep asking,
cite the passage that supports it, and the service gives it to every close rewording.

The grounding rule holds here as everywhere: an answer is saved only if the cited
passage states it, or as a curated statement that is shown with its author and date.
An entry answers until its expiry day, and only while its passage is still indexed as
it was cited (a re-ingested document that no longer says it stops the entry; the
console lists it as broken).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator

from corpus.normalize import fold, fold_words
from index.embedders import FloatMatrix, unit_rows
from qa.grouping import VECTOR_CACHE
from qa.models import AnswerKind
from qa.privacy import mask_personal
from qa.sqlite import connected, create, now_utc
from qa.vectors import Embed, VectorCache

CURATED_FILE = "curated.sqlite"
MAX_OFFSET = 2**31  # characters into a document: no passage starts beyond it
SHORT_ANSWER = 80  # the contract's limit for the short kinds; excerpts may have 400
# Rewordings of one ask score 0.97–0.98 with the bundled embedder, two asks about one
# topic (在哪里办 / 要什么材料) 0.95–0.96 (qa/grouping.py): only a rewording is answered.
MATCH_SIMILARITY = 0.97
SHORT_KINDS: frozenset[str] = frozenset({"figure", "entity", "date"})
CuratedState = Literal["active", "expired", "broken"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS curated (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    variants TEXT NOT NULL,
    answer TEXT NOT NULL,
    answer_kind TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    statement INTEGER NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0
)"""
# Bumped by every save and delete, in the same transaction: a reader (any worker) knows
# its copy of the entries is current by reading one number.
_REVISION = (
    "CREATE TABLE IF NOT EXISTS revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER)",
    "INSERT OR IGNORE INTO revision VALUES (1, 0)",
)
_COLUMNS = (
    'id, question, variants, answer, answer_kind, doc_id, start, "end", statement, author,'
    " created_at, updated_at, expires_on, uses"
)


class CuratedDraft(BaseModel):
    """What an editor writes: the question with its variants, the answer, the passage
    it cites (a document and the offsets of one of its indexed passages), the expiry."""

    question: str = Field(min_length=2, max_length=200)
    variants: list[str] = Field(default_factory=list, max_length=20)
    answer: str = Field(min_length=1, max_length=400)
    answer_kind: AnswerKind = "passage"
    doc_id: str = Field(min_length=1, max_length=200)
    start: int = Field(ge=0, le=MAX_OFFSET)
    end: int = Field(gt=0, le=MAX_OFFSET)
    statement: bool = Field(
        False, description="The answer is not in the passage: shown as the author's statement"
    )
    author: str = Field(min_length=1, max_length=50)
    expires_on: date

    @field_validator("question", "answer", "author")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("variants")
    @classmethod
    def _variants(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values if v.strip()]
        if any(len(v) > 200 for v in cleaned):
            raise ValueError("a variant is at most 200 characters")
        return list(dict.fromkeys(cleaned))


class CuratedAnswer(CuratedDraft):
    id: int
    created_at: str
    updated_at: str
    uses: int = 0

    @property
    def asks(self) -> list[str]:
        return [self.question, *self.variants]


def _entry(row: tuple[object, ...]) -> CuratedAnswer:
    names = [c.strip().strip('"') for c in _COLUMNS.split(",")]
    values = dict(zip(names, row, strict=True))
    values["variants"] = json.loads(str(values["variants"]))
    values["statement"] = bool(values["statement"])
    return CuratedAnswer.model_validate(values)


class CuratedStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        create(path, _SCHEMA, *_REVISION)

    def revision(self) -> int:
        with connected(self.path) as conn:
            return int(conn.execute("SELECT n FROM revision").fetchone()[0])

    def all(self) -> list[CuratedAnswer]:
        with connected(self.path) as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM curated ORDER BY id").fetchall()
        return [_entry(r) for r in rows]

    def active(self, day: date) -> list[CuratedAnswer]:
        with connected(self.path) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM curated WHERE expires_on >= ? ORDER BY id",
                (day.isoformat(),),
            ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> CuratedAnswer | None:
        with connected(self.path) as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM curated WHERE id = ?", (entry_id,)
            ).fetchone()
        return _entry(row) if row else None

    def save(self, draft: CuratedDraft, entry_id: int | None = None) -> CuratedAnswer:
        """Insert, or replace entry `entry_id` keeping its uses; the caller has checked
        the draft against the index."""
        now = now_utc()
        values = (
            draft.question,
            json.dumps(draft.variants, ensure_ascii=False),
            draft.answer,
            draft.answer_kind,
            draft.doc_id,
            draft.start,
            draft.end,
            int(draft.statement),
            draft.author,
            draft.expires_on.isoformat(),
        )
        with connected(self.path) as conn:
            conn.execute("BEGIN")
            conn.execute("UPDATE revision SET n = n + 1")
            if entry_id is None:
                cursor = conn.execute(
                    "INSERT INTO curated (question, variants, answer, answer_kind, doc_id, start,"
                    ' "end", statement, author, expires_on, created_at, updated_at)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, now, now),
                )
                entry_id = cursor.lastrowid or 0
            else:
                conn.execute(
                    "UPDATE curated SET question = ?, variants = ?, answer = ?, answer_kind = ?,"
                    ' doc_id = ?, start = ?, "end" = ?, statement = ?, author = ?, expires_on = ?,'
                    " updated_at = ? WHERE id = ?",
                    (*values, now, entry_id),
                )
            conn.execute("COMMIT")
        saved = self.get(entry_id)
        assert saved is not None
        return saved

    def delete(self, entry_id: int) -> bool:
        with connected(self.path) as conn:
            conn.execute("BEGIN")
            conn.execute("UPDATE revision SET n = n + 1")
            deleted = conn.execute("DELETE FROM curated WHERE id = ?", (entry_id,)).rowcount > 0
            conn.execute("COMMIT")
        return deleted

    def used(self, entry_id: int) -> None:
        with connected(self.path, durable=False) as conn:
            conn.execute("UPDATE curated SET uses = uses + 1 WHERE id = ?", (entry_id,))


def numbers(text: str) -> frozenset[str]:
    """The figures a question names (years, amounts): a curated answer for 2025 must not
    answer 2026, however close the two questions embed."""
    return frozenset(re.findall(r"\d+(?:\.\d+)?", fold(text)))


@dataclass(frozen=True)
class _Asks:
    """Every wording of a set of entries, read once: folded, its figures, its vector."""

    entries: list[CuratedAnswer]  # one per wording
    wordings: list[str]
    figures: list[frozenset[str]]
    vectors: FloatMatrix  # unit rows


class CuratedMatcher:
    """Finds the curated entry a question rewords: the same words once folded, or a
    vector within MATCH_SIMILARITY of one of its asks that names the same figures."""

    def __init__(self, embed: Embed, similarity: float = MATCH_SIMILARITY) -> None:
        self.vectors = VectorCache(embed, VECTOR_CACHE)
        self.similarity = similarity
        self._asks: tuple[tuple[tuple[int, str], ...], _Asks] | None = None

    def asks_of(self, entries: list[CuratedAnswer]) -> _Asks:
        """The entries' wordings, prepared once while the entries stay as they are: a
        question then costs one matrix product, not a pass over every wording."""
        key = tuple((e.id, e.updated_at) for e in entries)
        if self._asks is None or self._asks[0] != key:
            pairs = [(e, a) for e in entries for a in e.asks]
            texts = [a for _, a in pairs]
            vectors = unit_rows(self.vectors(texts)) if texts else np.zeros((0, 1), np.float32)
            prepared = _Asks(
                [e for e, _ in pairs], [fold_words(a) for a in texts], [numbers(a) for a in texts],
                vectors,
            )  # fmt: skip
            self._asks = (key, prepared)
        return self._asks[1]

    def match(
        self, question: str, entries: list[CuratedAnswer], vector: FloatMatrix
    ) -> CuratedAnswer | None:
        """`vector`: the question's query vector, as the retriever embeds it. Entries
        are written from masked questions (the log keeps no personal data), so the
        question is masked too before it is compared: a phone number in it is not one
        of the figures it names."""
        if not entries:
            return None
        question = mask_personal(question)
        asks = self.asks_of(entries)
        asked = fold_words(question)
        if asked in asks.wordings:
            return asks.entries[asks.wordings.index(asked)]
        wanted = numbers(question)
        same = [i for i, found in enumerate(asks.figures) if found == wanted]
        if not same:
            return None
        scores = asks.vectors[same] @ unit_rows(vector)[0]
        best = int(np.argmax(scores))
        return asks.entries[same[best]] if float(scores[best]) >= self.similarity else None
