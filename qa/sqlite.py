"""The SQLite stores beside the index (feedback, the question log, curated answers, keys):
a connection per call and every write its own committed transaction, so no connection
outlives a request, whichever worker thread or process serves it, and a crash loses at
most the write in flight."""

from __future__ import annotations

import atexit
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


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


class WriteBehind(Generic[T]):
    """Rows written by a background thread, in batches of one transaction each: the
    caller never waits for SQLite, and a crash loses at most the rows queued in the last
    moments (the stores that use it hold logs and caches, never what staff wrote).
    `flush()` waits until everything queued is written, for readers in this process."""

    def __init__(
        self, path: Path, write: Callable[[sqlite3.Connection, list[T]], None], name: str
    ) -> None:
        self.path = path
        self.write = write
        self.name = name
        self._queue: queue.Queue[T] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        atexit.register(self.flush)

    def put(self, item: T) -> None:
        self._queue.put(item)
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name=self.name, daemon=True)
                self._thread.start()

    def flush(self) -> None:
        if self._thread is not None:
            self._queue.join()

    def _drain(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 500:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with connected(self.path, durable=False) as conn:
                    conn.execute("BEGIN")
                    self.write(conn, batch)
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:  # logs and caches: what follows goes on
                log.error("%s: %d row(s) not written: %s", self.name, len(batch), exc)
            finally:
                for _ in batch:
                    self._queue.task_done()
