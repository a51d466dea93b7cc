"""The SQLite stores beside the index (feedback, the question log, curated answers, keys):
a connection per call and every write its own committed transaction, so no connection
outlives a request, whichever worker thread or process serves it, and a crash loses at
most the write in flight."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


@contextmanager
def connected(path: Path, durable: bool = True) -> Iterator[sqlite3.Connection]:
    """`durable=False` for a log written on every question: in WAL mode a power cut may
    then lose the last few rows, never corrupt the file, and a write costs no fsync."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        yield conn
    finally:
        conn.close()


def create(path: Path, *schema: str) -> None:
    """The file and its tables, in write-ahead mode (readers never wait for a writer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connected(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        for statement in schema:
            conn.execute(statement)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
