"""What citizens asked, for the staff console: refused questions to fix, and usage.

`QA_QUESTION_LOG` chooses what is kept: `refused` (default) stores the text of refused
questions only, `all` every question's, `off` nothing at all. Counts per day (asked,
refused, curated) and the sections cited are kept unless it is `off`; they hold no
question text. Every stored question has its personal data masked first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from corpus.normalize import fold
from qa.models import AnswerResponse
from qa.privacy import mask_personal
from qa.sqlite import WriteBehind, connected, create, now_utc

QuestionLogMode = Literal["refused", "all", "off"]
QUESTION_LOG_FILE = "questions.sqlite"
TOP = 10

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        asked_at TEXT NOT NULL,
        question TEXT NOT NULL,
        folded TEXT NOT NULL,
        refused INTEGER NOT NULL,
        reason TEXT,
        answer TEXT,
        doc_id TEXT,
        section TEXT,
        curated INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS questions_refused ON questions (refused, folded)",
    """CREATE TABLE IF NOT EXISTS daily (
        day TEXT PRIMARY KEY, asked INTEGER NOT NULL, refused INTEGER NOT NULL,
        curated INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS cited (
        day TEXT NOT NULL, doc_id TEXT NOT NULL, title TEXT NOT NULL, section TEXT NOT NULL,
        n INTEGER NOT NULL, PRIMARY KEY (day, doc_id, section)
    )""",
)


@dataclass(frozen=True)
class AskedQuestion:
    """One distinct question (folded), how often and when it was last asked."""

    question: str
    count: int
    last_asked: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayCount:
    day: str
    asked: int
    refused: int
    curated: int


@dataclass(frozen=True)
class CitedSection:
    doc_id: str
    title: str
    section: str
    count: int


@dataclass(frozen=True)
class Usage:
    mode: QuestionLogMode
    days: list[DayCount]
    top_questions: list[AskedQuestion]
    top_sections: list[CitedSection]

    @property
    def refusal_rate(self) -> float | None:
        asked = sum(d.asked for d in self.days)
        return round(sum(d.refused for d in self.days) / asked, 4) if asked else None


@dataclass(frozen=True)
class _Asked:
    """One question as it will be written: masked already, so nothing unmasked waits."""

    asked_at: str
    question: str | None  # None: counted only
    refused: bool
    reason: str | None
    answer: str | None
    doc_id: str | None
    title: str | None
    section: str | None
    curated: bool


class QuestionLog:
    """Written behind (qa/sqlite.py): a question's answer never waits for the log (a
    write costs about 2 ms). Readers in this process see every row recorded before."""

    def __init__(self, path: Path, mode: QuestionLogMode = "refused") -> None:
        self.path = path
        self.mode = mode
        self._rows: WriteBehind[_Asked] = WriteBehind(path, _written, "question-log")
        if mode != "off":
            create(path, *_SCHEMA)

    def record(self, question: str, response: AnswerResponse) -> None:
        if self.mode == "off":
            return
        cited = response.citations[0] if response.citations and not response.refused else None
        kept = response.refused or self.mode == "all"
        self._rows.put(
            _Asked(
                now_utc(),
                mask_personal(question.strip()) if kept else None,
                response.refused,
                response.reason,
                response.answer,
                cited.doc_id if cited else None,
                cited.title if cited else None,
                cited.section if cited else None,
                response.curated,
            )
        )

    def flush(self) -> None:
        """Wait until every recorded question is written."""
        self._rows.flush()

    def refused(self, limit: int = 500) -> list[AskedQuestion]:
        """Distinct refused questions, the most asked first."""
        return self._distinct("WHERE refused = 1", limit)

    def _distinct(self, where: str, limit: int, since: str = "") -> list[AskedQuestion]:
        if self.mode == "off":
            return []
        self.flush()
        query = (
            "SELECT MIN(question), COUNT(*), MAX(asked_at), GROUP_CONCAT(DISTINCT reason)"
            f" FROM questions {where} {'AND' if where else 'WHERE'} asked_at >= ?"
            " GROUP BY folded ORDER BY COUNT(*) DESC, MAX(asked_at) DESC LIMIT ?"
        )
        with connected(self.path) as conn:
            rows = conn.execute(query, (since, limit)).fetchall()
        return [
            AskedQuestion(text, count, last, tuple(sorted(reasons.split(","))) if reasons else ())
            for text, count, last, reasons in rows
        ]

    def usage(self, days: int = 30, today: date | None = None) -> Usage:
        """Counts per day over the last `days` (every day, asked or not), the most asked
        questions of those stored, and the most cited sections."""
        end = today or datetime.now(UTC).date()
        span = [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        if self.mode == "off":
            return Usage(self.mode, [DayCount(d, 0, 0, 0) for d in span], [], [])
        self.flush()
        with connected(self.path) as conn:
            counted = {
                row[0]: DayCount(*row)
                for row in conn.execute("SELECT * FROM daily WHERE day >= ?", (span[0],))
            }
            sections = conn.execute(
                "SELECT doc_id, MAX(title), section, SUM(n) FROM cited WHERE day >= ?"
                " GROUP BY doc_id, section ORDER BY SUM(n) DESC LIMIT ?",
                (span[0], TOP),
            ).fetchall()
        top = self._distinct("", TOP, span[0])
        return Usage(
            self.mode,
            [counted.get(d, DayCount(d, 0, 0, 0)) for d in span],
            top,
            [CitedSection(*row) for row in sections],
        )


def _written(conn: sqlite3.Connection, batch: list[_Asked]) -> None:
    for asked in batch:
        day = asked.asked_at[:10]
        conn.execute(
            "INSERT INTO daily VALUES (?, 1, ?, ?) ON CONFLICT (day) DO UPDATE SET"
            " asked = asked + 1, refused = refused + excluded.refused,"
            " curated = curated + excluded.curated",
            (day, int(asked.refused), int(asked.curated)),
        )
        if asked.doc_id is not None:
            conn.execute(
                "INSERT INTO cited VALUES (?, ?, ?, ?, 1)"
                " ON CONFLICT (day, doc_id, section) DO UPDATE SET n = n + 1",
                (day, asked.doc_id, asked.title, asked.section),
            )
        if asked.question is not None:
            conn.execute(
                "INSERT INTO questions (asked_at, question, folded, refused, reason,"
                " answer, doc_id, section, curated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    asked.asked_at,
                    asked.question,
                    fold(asked.question),
                    int(asked.refused),
                    asked.reason,
                    asked.answer,
                    asked.doc_id,
                    asked.section,
                    int(asked.curated),
                ),
            )


def merged(*lists: list[AskedQuestion]) -> list[AskedQuestion]:
    """Questions from several sources (refusals, 👎 votes) as one list: each folded
    question once, its counts added, its reasons joined, the latest time kept."""
    found: dict[str, AskedQuestion] = {}
    for item in (item for items in lists for item in items):
        key = fold(item.question)
        seen = found.get(key, AskedQuestion(item.question, 0, "", ()))
        found[key] = AskedQuestion(
            seen.question,
            seen.count + item.count,
            max(seen.last_asked, item.last_asked),
            tuple(sorted({*seen.reasons, *item.reasons})),
        )
    return sorted(found.values(), key=lambda q: (-q.count, q.last_asked))
