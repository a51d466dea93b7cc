"""Citizens' 👍/👎 on answers, kept in SQLite beside the index for people to review.

One row per vote. Nothing that identifies the citizen is stored: no address, no cookie.
Each write is its own committed transaction, so a crash loses at most the vote in flight.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Rating = Literal["up", "down"]
FEEDBACK_FILE = "feedback.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT,
    refused INTEGER NOT NULL,
    doc_id TEXT,
    section TEXT,
    comment TEXT
)
"""


@dataclass(frozen=True)
class FeedbackEntry:
    rating: Rating
    question: str
    answer: str | None
    refused: bool
    doc_id: str | None = None
    section: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class StoredFeedback(FeedbackEntry):
    id: int = 0
    created_at: str = ""


class FeedbackStore:
    """A connection per call: votes arrive far slower than questions, and no connection
    outlives a request, whichever worker thread serves it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    def record(self, entry: FeedbackEntry) -> StoredFeedback:
        created = datetime.now(UTC).isoformat(timespec="seconds")
        row = (
            created,
            entry.rating,
            entry.question,
            entry.answer,
            int(entry.refused),
            entry.doc_id,
            entry.section,
            entry.comment,
        )
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, refused, doc_id,"
                " section, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return StoredFeedback(**vars(entry), id=cursor.lastrowid or 0, created_at=created)

    def recent(self, limit: int = 100, rating: Rating | None = None) -> list[StoredFeedback]:
        where, params = ("WHERE rating = ?", [rating]) if rating else ("", [])
        query = (
            "SELECT id, created_at, rating, question, answer, refused, doc_id, section, comment"
            f" FROM feedback {where} ORDER BY id DESC LIMIT ?"
        )
        with self._connect() as conn:
            rows = conn.execute(query, [*params, limit]).fetchall()
        return [
            StoredFeedback(
                id=r[0],
                created_at=r[1],
                rating=r[2],
                question=r[3],
                answer=r[4],
                refused=bool(r[5]),
                doc_id=r[6],
                section=r[7],
                comment=r[8],
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            rows = conn.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating")
            found = dict(rows.fetchall())
        return {"up": found.get("up", 0), "down": found.get("down", 0)}
