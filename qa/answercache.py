"""Whole answers kept for the questions citizens repeat: a repeated question is answered
without retrieval. The key holds everything an answer depends on, the index version
and the curated answers' revision included, so a new generation or a new 问答对 is never
answered from an old answer; the least recently asked go first.

Each worker keeps its answers in memory and shares them through an SQLite file beside
the index (written behind, read on a miss): a client's keep-alive connection stays with
one worker, so without it a question first asked on one worker is computed again on
each of the others."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date
from pathlib import Path

from corpus.normalize import fold_words
from qa.conversation import Turn
from qa.models import AnswerResponse
from qa.privacy import mask_personal
from qa.settings import RetrievalMode, Settings
from qa.sqlite import WriteBehind, connected, create

ANSWER_CACHE_FILE = "answers.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, version TEXT NOT NULL,"
    " body TEXT NOT NULL)",
)

AnswerKey = tuple[Hashable, ...]


# The settings an answer depends on besides the index: a worker restarted with other
# weights must not be answered from the answers of the old ones.
RECIPE_SETTINGS = frozenset(
    {
        "embedder", "embedder_model", "embedder_model_path", "mode", "top_k", "candidates",
        "rrf_k", "weight_bm25", "weight_dense", "rerank", "chunk_max_chars",
    }
)  # fmt: skip


def answer_recipe(settings: Settings) -> str:
    dumped = settings.model_dump_json(include=set(RECIPE_SETTINGS))
    return hashlib.sha256(dumped.encode()).hexdigest()[:16]


def answer_key(
    recipe: str,
    version: str,
    curated_revision: int,
    question: str,
    history: Sequence[Turn],
    doc_ids: Sequence[str] | None,
    mode: RetrievalMode | None,
    day: date,
) -> AnswerKey:
    folded_history = tuple((fold_words(t.question), t.answer, t.doc_id) for t in history)
    scope = tuple(sorted(doc_ids)) if doc_ids is not None else None
    return (
        f"{version}/{recipe}",
        curated_revision,
        fold_words(question),
        folded_history,
        scope,
        mode,
        day,
    )


def key_digest(key: AnswerKey) -> str:
    return hashlib.sha256(json.dumps(key, default=str, ensure_ascii=False).encode()).hexdigest()


class AnswerCache:
    """Thread-safe: looked up outside the service's question lock, so a repeat does not
    wait behind a question being computed."""

    def __init__(self, size: int, path: Path | None = None) -> None:
        self.size = size
        self._answers: OrderedDict[AnswerKey, AnswerResponse] = OrderedDict()
        self._lock = threading.Lock()
        self._version = ""
        self.path = path if size > 0 else None
        self._shared: WriteBehind[tuple[str, str, str]] | None = None
        if self.path is not None:
            create(self.path, *_SCHEMA)
            self._shared = WriteBehind(self.path, self._stored, "answer-cache")

    def get(self, key: AnswerKey) -> AnswerResponse | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
        shared = self._shared_answer(key)
        if shared is not None:
            self._remember(key, shared)
        return shared

    def put(self, key: AnswerKey, response: AnswerResponse) -> None:
        if self.size <= 0:
            return
        self._remember(key, response)
        # A question holding personal data stays in this process's memory: neither it nor
        # a digest of it (a phone number is few enough digits to guess) goes to disk.
        asked = [response.question, *(str(turn[0]) for turn in key[3])]  # type: ignore[attr-defined]
        personal = any(mask_personal(text) != text for text in asked)
        if self._shared is not None and not personal:
            self._shared.put((key_digest(key), str(key[0]), response.model_dump_json()))

    def flush(self) -> None:
        if self._shared is not None:
            self._shared.flush()

    def _remember(self, key: AnswerKey, response: AnswerResponse) -> None:
        with self._lock:
            if key[0] != self._version:  # a new generation: the old answers are dead weight
                self._answers.clear()
                self._version = str(key[0])
            self._answers[key] = response
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def _shared_answer(self, key: AnswerKey) -> AnswerResponse | None:
        if self.path is None:
            return None
        try:
            with connected(self.path) as conn:
                row = conn.execute(
                    "SELECT body FROM answers WHERE key = ?", (key_digest(key),)
                ).fetchone()
        except sqlite3.Error:
            return None  # a cache: an unreadable one is a miss
        return AnswerResponse.model_validate_json(row[0]) if row else None

    def _stored(self, conn: sqlite3.Connection, batch: list[tuple[str, str, str]]) -> None:
        conn.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", batch)
        conn.execute("DELETE FROM answers WHERE version != ?", (batch[-1][1],))
        conn.execute(
            "DELETE FROM answers WHERE rowid IN (SELECT rowid FROM answers ORDER BY rowid DESC"
            " LIMIT -1 OFFSET ?)",
            (self.size,),
        )

    def __len__(self) -> int:
        return len(self._answers)
