"""Whole answers kept for the questions citizens repeat: a repeated question is answered
without retrieval. The key holds everything an answer depends on, the index version
and the curated answers' revision included, so a new generation or a new 问答对 is never
answered from an old answer; the least recently asked go first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date

from corpus.normalize import fold_words
from qa.conversation import Turn
from qa.models import AnswerResponse
from qa.settings import RetrievalMode

AnswerKey = tuple[Hashable, ...]


def answer_key(
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
    return (version, curated_revision, fold_words(question), folded_history, scope, mode, day)


class AnswerCache:
    """Thread-safe: looked up outside the service's question lock, so a repeat does not
    wait behind a question being computed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[AnswerKey, AnswerResponse] = OrderedDict()
        self._lock = threading.Lock()
        self._version = ""

    def get(self, key: AnswerKey) -> AnswerResponse | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: AnswerKey, response: AnswerResponse) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if key[0] != self._version:  # a new generation: the old answers are dead weight
                self._answers.clear()
                self._version = str(key[0])
            self._answers[key] = response
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
