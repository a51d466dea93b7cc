"""Citizens' 👍/👎 on answers, kept in SQLite beside the index for people to review.

One row per vote. Nothing that identifies the citizen is stored: no address, no cookie,
and the question and comment are stored with personal data masked (qa/privacy.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from qa.privacy import mask_optional, mask_personal
from qa.questionlog import AskedQuestion
from qa.sqlite import connected, create, now_utc

Rating = Literal["up", "down"]
FEEDBACK_FILE = "feedback.sqlite"
DISLIKED = "disliked"  # the reason a 👎 gives a question in the console's list

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
    """Votes arrive far slower than questions: a connection per call (qa/sqlite.py)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        create(path, _SCHEMA)

    def record(self, entry: FeedbackEntry) -> StoredFeedback:
        entry = replace(
            entry, question=mask_personal(entry.question), comment=mask_optional(entry.comment)
        )
        created = now_utc()
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
        with connected(self.path) as conn:
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
        with connected(self.path) as conn:
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
        with connected(self.path) as conn:
            rows = conn.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating")
            found = dict(rows.fetchall())
        return {"up": found.get("up", 0), "down": found.get("down", 0)}

    def disliked(self, limit: int = 500) -> list[AskedQuestion]:
        """Distinct questions whose answer got a 👎, the most disliked first."""
        query = (
            "SELECT MIN(question), COUNT(*), MAX(created_at) FROM feedback WHERE rating = 'down'"
            " GROUP BY question ORDER BY COUNT(*) DESC LIMIT ?"
        )
        with connected(self.path) as conn:
            rows = conn.execute(query, (limit,)).fetchall()
        return [AskedQuestion(q, n, last, (DISLIKED,)) for q, n, last in rows]
