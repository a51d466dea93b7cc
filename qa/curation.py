"""Curated answers against the index: a draft is checked against the passage it cites
before it is saved, each entry's state is read off the current snapshot, and a
matching question is answered from the entry with that passage as its citation."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import Field

from corpus.models import Chunk
from index.backend import ScoredChunk
from qa.curated import (
    CURATED_FILE,
    SHORT_ANSWER,
    SHORT_KINDS,
    CuratedAnswer,
    CuratedDraft,
    CuratedMatcher,
    CuratedState,
    CuratedStore,
)
from qa.engine import SearchEngine
from qa.errors import CuratedNotFoundError, InvalidCuratedError
from qa.extract.passages import is_grounded, sentence_with
from qa.models import AnswerResponse, Citation, CuratedMark
from qa.respond import highlight_spans


class CuratedListing(CuratedAnswer):
    """An entry as the console lists it: whether it answers today, and what it cites."""

    state: CuratedState = Field(
        description="active; expired (past its expiry day); broken (its passage is no "
        "longer indexed as cited)"
    )
    title: str | None = None
    section: str | None = None
    passage: str | None = None


def cited_chunk(engine: SearchEngine, doc_id: str, start: int, end: int) -> Chunk | None:
    """The indexed passage of `doc_id` at exactly these offsets, if there is one."""
    if doc_id not in engine.backend.documents:
        return None
    found = (c for c in engine.backend.chunks_of(doc_id) if (c.start, c.end) == (start, end))
    return next(found, None)


def checked(draft: CuratedDraft, engine: SearchEngine, today: date) -> Chunk:
    """The passage `draft` cites, once the draft is known to hold: the passage is
    indexed, the answer is short enough for its kind, and the passage states it unless
    it is saved as the author's statement."""
    if draft.doc_id not in engine.backend.documents:
        raise InvalidCuratedError(f"no document {draft.doc_id!r}")
    chunk = cited_chunk(engine, draft.doc_id, draft.start, draft.end)
    if chunk is None:
        raise InvalidCuratedError(
            f"no indexed passage of {draft.doc_id!r} at {draft.start}-{draft.end};"
            " cite one of the document's passages (GET /v1/documents/{doc_id}/chunks)"
        )
    if draft.answer_kind in SHORT_KINDS and len(draft.answer) > SHORT_ANSWER:
        raise InvalidCuratedError(
            f"a {draft.answer_kind} answer is at most {SHORT_ANSWER} characters;"
            " save a longer one as a passage"
        )
    if not draft.statement and not is_grounded(draft.answer, chunk.text):
        raise InvalidCuratedError(
            "the cited passage does not state this answer: quote it from the passage,"
            " or save it as a curated statement (statement: true)"
        )
    if draft.expires_on < today:
        raise InvalidCuratedError(f"expires_on {draft.expires_on} is in the past")
    return chunk


def state_of(entry: CuratedAnswer, chunk: Chunk | None, today: date) -> CuratedState:
    if chunk is None:
        return "broken"
    return "expired" if entry.expires_on < today else "active"


def curated_response(
    entry: CuratedAnswer, chunk: Chunk, engine: SearchEngine, question: str, started: float
) -> AnswerResponse:
    """The entry's answer, citing its passage; a statement has no supporting sentence."""
    meta = engine.backend.documents[chunk.doc_id].meta
    citation = Citation.from_scored(ScoredChunk(chunk, 1.0), meta, engine.validity(chunk.doc_id))
    sentence = None if entry.statement else sentence_with(chunk, entry.answer)
    highlight = highlight_spans(chunk.text, sentence, entry.answer) if sentence else None
    return AnswerResponse(
        question=question,
        answer=entry.answer,
        answer_kind=entry.answer_kind,
        refused=False,
        sentence=sentence,
        citations=[citation],
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        highlight=highlight,
        understood_as=question,
        curated=True,
        curated_entry=CuratedMark(
            id=entry.id,
            author=entry.author,
            created_at=entry.created_at,
            statement=entry.statement,
        ),
    )


class Curation:
    """The curated answers of one data directory, and the matcher that finds them."""

    def __init__(self, data_dir: Path, engine: SearchEngine) -> None:
        self.store = CuratedStore(data_dir / CURATED_FILE)
        self.matcher = CuratedMatcher(engine.embedder.embed_queries)
        self._active: tuple[tuple[int, date], list[CuratedAnswer]] | None = None

    def active(self, day: date, revision: int | None = None) -> list[CuratedAnswer]:
        """The entries answering on `day`, read again only when the store's revision
        (the caller's reading of it, if it has one) moved."""
        key = (self.store.revision() if revision is None else revision, day)
        if self._active is None or self._active[0] != key:
            self._active = (key, self.store.active(day))
        return self._active[1]

    def answer(
        self,
        engine: SearchEngine,
        question: str,
        doc_ids: Sequence[str] | None,
        day: date,
        revision: int | None = None,
        count_use: bool = True,
    ) -> AnswerResponse | None:
        """The curated answer to `question`, if an active entry rewords it and its
        document is among those asked about and in force on `day`. Staff testing a
        question (检索测试) see it without counting a use."""
        started = time.perf_counter()
        in_force = engine.in_force(day)
        entries = [
            e
            for e in self.active(day, revision)
            if (doc_ids is None or e.doc_id in doc_ids)
            and (in_force is None or e.doc_id in in_force)
        ]
        if not entries:
            return None
        retriever = engine.retriever
        vector = retriever.query_vector(retriever.plan(question).text)
        entry = self.matcher.match(question, entries, vector)
        if entry is None:
            return None
        chunk = cited_chunk(engine, entry.doc_id, entry.start, entry.end)
        if chunk is None:  # its passage was re-indexed away: the question is asked anew
            return None
        if count_use:
            self.store.used(entry.id)
        return curated_response(entry, chunk, engine, question, started)

    def listing(self, engine: SearchEngine, today: date) -> list[CuratedListing]:
        listed = []
        for entry in self.store.all():
            chunk = cited_chunk(engine, entry.doc_id, entry.start, entry.end)
            meta = engine.backend.documents.get(entry.doc_id)
            listed.append(
                CuratedListing(
                    **entry.model_dump(),
                    state=state_of(entry, chunk, today),
                    title=meta.meta.title if meta else None,
                    section=(chunk.section.display() or None) if chunk else None,
                    passage=chunk.text if chunk else None,
                )
            )
        return listed

    def save(
        self,
        engine: SearchEngine,
        draft: CuratedDraft,
        today: date,
        entry_id: int | None = None,
    ) -> CuratedAnswer:
        checked(draft, engine, today)
        if entry_id is not None and self.store.get(entry_id) is None:
            raise CuratedNotFoundError(f"no curated answer {entry_id}")
        return self.store.save(draft, entry_id)

    def delete(self, entry_id: int) -> None:
        if not self.store.delete(entry_id):
            raise CuratedNotFoundError(f"no curated answer {entry_id}")
