"""The `milvus` search backend: chunks, dense vectors and a BM25 sparse field in Milvus.

Two collections per index (`<name>_chunks`, `<name>_docs`), so any number of stateless
service replicas can share one Milvus (a server or cluster; a Milvus Lite file serves one
process):

- `<name>_chunks`: one row per chunk: the chunk as JSON (`payload`), its document id and
  revision, a dense vector from our embedder, and `sparse`, filled by Milvus's BM25
  function from `text`, a jieba-analysed field fed the folded passage (so a traditional
  document is found by a simplified question, as in the embedded backend).
- `<name>_docs`: the documents (their JSON split into parts under Milvus's 64 KiB string
  limit), one *head* row per document naming its current revision, and a *state* row
  with the embedder and a version token.

A write is crash-safe without transactions: a document's chunks and parts are written
under a new revision first, then its head row is switched (the commit), then the version
token moves, and only then are the old revision's rows deleted. Readers keep chunks whose
revision is the one their snapshot's head named, so they never mix two revisions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from corpus.models import Chunk, Document
from corpus.normalize import fold
from index.backend import (
    BackendError,
    BackendStats,
    BackendUnavailableError,
    ChangeReport,
    DocumentExistsError,
    Progress,
    ScoredChunk,
    SearchRequest,
    UnknownDocumentError,
)
from index.build import EmbeddedChunks, embed_documents, passage_text
from index.cache import EmbeddingCache
from index.embedders import Embedder
from index.fusion import rrf_best, rrf_fuse
from index.store import (
    IndexMismatchError,
    NoIndexError,
    chunk_from_dict,
    chunk_to_dict,
    document_from_dict,
    document_to_dict,
)
from index.tokenize import Tokenizer

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


class _LiteNoise(logging.Filter):
    """Milvus Lite lacks two calls pymilvus makes and then does without: a timestamp for
    iterators (pymilvus warns, then uses its own clock) and AllocTimestamp while waiting
    for a new index (Lite's in-process server logs a traceback; the index is built)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "mvccTs" not in message and "Method not implemented" not in message


logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_LiteNoise())
logging.getLogger("grpc._server").addFilter(_LiteNoise())
FORMAT = 1
MAX_VARCHAR = 65_535  # bytes: Milvus's VARCHAR limit
PART_CHARS = 16_000  # a part of a document's JSON: at most 4 bytes a character < 64 KiB
MAX_DOC_ID = 200
INSERT_BATCH = 256
REFRESH_SECONDS = 1.0  # how stale a replica's view of "is there a newer version" may be
MAX_LIMIT = 16_384  # Milvus's largest top-k
SWEEP_GRACE_SECONDS = 3600  # rows no head names live this long: a writer commits sooner
STATE_KEY = "state"
_PUNCTUATION = list("，。、；：？！“”‘’（）《》〔〕【】—…·,.;:?!()[]<>\"'-/%")


def quoted(value: str) -> str:
    """A string literal for a Milvus filter expression (JSON escaping: quotes and
    backslashes in a document id cannot change the expression)."""
    return json.dumps(value, ensure_ascii=False)


def is_lite_uri(uri: str) -> bool:
    return uri.endswith(".db") and "://" not in uri


def key_of(doc_id: str) -> str:
    """Row keys carry a digest of the document id, never the id: pymilvus pages an
    iterator with `key > "<last key>"` unescaped, so a quote in a key would break it."""
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:24]


def revision(doc: Document, chunk_max_chars: int, embedder_name: str) -> str:
    """Same document, same chunking, same embedder: same revision, nothing re-written."""
    payload = json.dumps([document_to_dict(doc), chunk_max_chars, embedder_name], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def split_parts(text: str) -> list[str]:
    return [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]


def translated(method: Callable[P, R]) -> Callable[P, R]:
    """A Milvus failure (unreachable, timed out, refused) becomes BackendUnavailableError
    with the server's message, so callers answer 503 or exit 2 instead of a traceback.
    pymilvus is recognised by module, so importing this file does not import it."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if not type(exc).__module__.startswith("pymilvus"):
                raise
            message = getattr(exc, "message", None) or str(exc)
            raise BackendUnavailableError(f"Milvus failed: {message}") from exc

    return call


@dataclass(frozen=True)
class Head:
    doc_id: str
    rev: str
    parts: int
    chunks: int


@dataclass(frozen=True)
class Catalog:
    """A reader's snapshot: the documents as their heads named them, and the version."""

    version: str
    embedder: str
    dim: int
    heads: dict[str, Head]
    documents: dict[str, Document]


class MilvusBackend:
    name = "milvus"

    def __init__(
        self,
        uri: str,
        embedder: Embedder,
        tokenizer: Tokenizer,
        chunk_max_chars: int,
        collection: str = "qa",
        token: str = "",
        cache_path: Path | None = None,
        client: Any = None,
    ) -> None:
        if not collection.isidentifier():
            raise BackendError(f"collection name {collection!r}: letters, digits and _ only")
        self.uri = uri
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.chunk_max_chars = chunk_max_chars
        self.chunks_name = f"{collection}_chunks"
        self.docs_name = f"{collection}_docs"
        self.collection = collection
        self.token = token
        self.cache_path = cache_path
        self.client = client if client is not None else connect(uri, token)
        self._catalog: Catalog | None = None
        self._published: tuple[float, str] = (0.0, "")
        self.sweep_grace_s: float = SWEEP_GRACE_SECONDS

    # -- snapshot ------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            raise self.no_index()
        return self._catalog

    @property
    def documents(self) -> Mapping[str, Document]:
        return self.catalog.documents

    @property
    def version(self) -> str:
        return self.catalog.version

    def no_index(self) -> NoIndexError:
        return NoIndexError(f"no index in Milvus collection {self.collection!r}: run `qa ingest`")

    @translated
    def load_catalog(self, previous: Catalog | None = None) -> MilvusBackend:
        """Read the documents and version now in Milvus (NoIndexError if none). Documents
        whose revision `previous` already holds are reused, not fetched again: on every
        change every replica reloads, and only the changed documents should travel."""
        state = self.read_state()
        if state is None:
            raise self.no_index()
        self.check_embedder(state)
        heads = self.read_heads()
        kept = {}
        if previous is not None:
            kept = {
                doc_id: previous.documents[doc_id]
                for doc_id, head in heads.items()
                if previous.heads.get(doc_id) == head
            }
        fetched = self.read_documents({d: h for d, h in heads.items() if d not in kept})
        documents = {
            d: kept[d] if d in kept else fetched[d]
            for d in sorted(heads)
            if d in kept or d in fetched
        }
        heads = {d: heads[d] for d in documents}  # a document left out is not searched
        self._catalog = Catalog(state["version"], state["embedder"], state["dim"], heads, documents)
        self._published = (time.monotonic(), state["version"])
        return self

    @translated
    def published_version(self) -> str:
        """The version token now in Milvus, read at most once a second: every replica
        asks before every question, and staleness of a second is the promise."""
        seen_at, version = self._published
        if time.monotonic() - seen_at < REFRESH_SECONDS:
            return version
        version = state_version(self.read_state())
        self._published = (time.monotonic(), version)
        return version

    def reopened(self) -> MilvusBackend:
        fresh = MilvusBackend(
            self.uri,
            self.embedder,
            self.tokenizer,
            self.chunk_max_chars,
            self.collection,
            self.token,
            self.cache_path,
            client=self.client,  # one connection per process, shared by its snapshots
        )
        return fresh.load_catalog(self._catalog)

    def close(self) -> None:
        self.client.close()

    # -- reading rows --------------------------------------------------------------------

    def has_store(self) -> bool:
        return bool(self.client.has_collection(self.docs_name)) and bool(
            self.client.has_collection(self.chunks_name)
        )

    def read_state(self) -> dict[str, Any] | None:
        if not self.has_store():
            return None
        self.ensure_loaded()
        rows = self.client.query(self.docs_name, ids=[STATE_KEY], output_fields=["body"])
        state: dict[str, Any] | None = json.loads(rows[0]["body"]) if rows else None
        return state

    def query_all(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """Every matching row. A server stops a plain query at its result window (16,384
        rows), so there we page with an iterator; Milvus Lite has no window, and its
        in-process server logs an error for the timestamp call an iterator makes."""
        if is_lite_uri(self.uri):
            yield from self.client.query(collection, filter=expr, output_fields=fields)
            return
        iterator = self.client.query_iterator(
            collection, batch_size=1000, filter=expr, output_fields=fields
        )
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()

    def read_heads(self, doc_ids: Sequence[str] | None = None) -> dict[str, Head]:
        expr = "part == -1"
        if doc_ids is not None:
            expr += f" and doc_id in [{', '.join(quoted(d) for d in doc_ids)}]"
        heads = {}
        for row in self.query_all(self.docs_name, expr, ["doc_id", "rev", "body"]):
            body = json.loads(row["body"])
            heads[row["doc_id"]] = Head(row["doc_id"], row["rev"], body["parts"], body["chunks"])
        return heads

    def read_documents(self, heads: Mapping[str, Head]) -> dict[str, Document]:
        if not heads:
            return {}
        expr = "part >= 0"
        if len(heads) <= 100:  # a change: name the documents rather than scan them all
            expr += f" and doc_id in [{', '.join(quoted(d) for d in heads)}]"
        parts: dict[str, dict[int, str]] = {}
        for row in self.query_all(self.docs_name, expr, ["doc_id", "rev", "part", "body"]):
            head = heads.get(row["doc_id"])
            if head is not None and head.rev == row["rev"]:
                parts.setdefault(row["doc_id"], {})[row["part"]] = row["body"]
        documents = {}
        for doc_id, head in sorted(heads.items()):
            got = parts.get(doc_id, {})
            if len(got) != head.parts:
                # A head is written after its parts, so only a concurrent writer of the
                # same id can cause this: serve the other documents, not an error.
                log.error("document %r: %d of %d parts; left out", doc_id, len(got), head.parts)
                continue
            text = "".join(got[i] for i in range(head.parts))
            documents[doc_id] = document_from_dict(json.loads(text))
        return documents

    def chunk_from_row(self, row: Mapping[str, Any]) -> Chunk | None:
        """The chunk, if it belongs to the revision this snapshot reads."""
        head = self.catalog.heads.get(row["doc_id"])
        if head is None or head.rev != row["rev"]:
            return None
        return chunk_from_dict(json.loads(row["payload"]))

    # -- search --------------------------------------------------------------------------

    @translated
    def search(self, request: SearchRequest) -> list[ScoredChunk]:
        expr = ""
        if request.doc_ids is not None:
            expr = f"doc_id in [{', '.join(quoted(d) for d in sorted(request.doc_ids))}]"
        # Spare hits: rows of a replaced revision or a deleted document are dropped until
        # swept. Too few left (a large re-ingest moments ago): ask again for more.
        limit = 2 * request.k + 8
        while True:
            hits, rows = self.search_once(request, expr, limit)
            if len(hits) >= request.k or rows < limit or limit >= MAX_LIMIT:
                return hits[: request.k]
            limit = min(4 * limit, MAX_LIMIT)

    def search_once(
        self, request: SearchRequest, expr: str, limit: int
    ) -> tuple[list[ScoredChunk], int]:
        """The hits of this snapshot's revisions, and how many rows Milvus returned."""
        fields = ["doc_id", "rev", "payload"]
        requests = self.ann_requests(request, expr, max(request.pool, limit))
        hybrid = len(requests) == 2
        integral_k = request.rrf_k == int(request.rrf_k)  # RRFRanker takes an integer k
        if hybrid and request.weight_bm25 == request.weight_dense and integral_k:
            # Both retrievers equal: Milvus fuses server-side, as RRF ranks from 1.
            rows = self.client.hybrid_search(
                self.chunks_name,
                [self.ann_request(r) for r in requests],
                ranker=rrf_ranker(request.rrf_k),
                limit=limit,
                output_fields=fields,
            )[0]
            best = rrf_best([1.0, 1.0], request.rrf_k)
            scored = [(row["entity"], row.distance / best) for row in rows]
        else:
            scored = self.fused_client_side(request, requests, fields)[:limit]
        hits = []
        for entity, score in scored:
            chunk = self.chunk_from_row(entity)
            if chunk is not None:
                hits.append(ScoredChunk(chunk, round(min(score, 1.0), 4)))
        return hits, len(scored)

    def ann_requests(self, request: SearchRequest, expr: str, pool: int) -> list[dict[str, Any]]:
        """One search per retriever the mode uses: sparse over the folded text (Milvus
        analyses it with the field's jieba analyzer), dense over our query vector."""
        found = []
        if request.mode != "dense":
            found.append(
                {
                    "data": [fold(request.text)],
                    "anns_field": "sparse",
                    "metric": "BM25",
                    "limit": pool,
                    "expr": expr,
                    "weight": request.weight_bm25,
                }
            )
        if request.mode != "bm25":
            if request.vector is None:
                raise ValueError(f"{request.mode} search needs the query vector")
            found.append(
                {
                    "data": [request.vector[0].tolist()],
                    "anns_field": "dense",
                    "metric": "IP",
                    "limit": pool,
                    "expr": expr,
                    "weight": request.weight_dense,
                }
            )
        return found

    @staticmethod
    def ann_request(spec: Mapping[str, Any]) -> Any:
        from pymilvus import AnnSearchRequest

        return AnnSearchRequest(
            spec["data"],
            spec["anns_field"],
            {"metric_type": spec["metric"]},
            limit=spec["limit"],
            expr=spec["expr"] or None,
        )

    def fused_client_side(
        self, request: SearchRequest, specs: list[dict[str, Any]], fields: list[str]
    ) -> list[tuple[Mapping[str, Any], float]]:
        """One retriever, or unequal weights (RRFRanker has none): search each, fuse here
        with the same weighted RRF as the embedded backend."""
        entities: list[Mapping[str, Any]] = []
        ordinal: dict[str, int] = {}
        rankings: list[tuple[list[int], float]] = []
        for spec in specs:
            rows = self.client.search(
                self.chunks_name,
                data=spec["data"],
                anns_field=spec["anns_field"],
                search_params={"metric_type": spec["metric"]},
                limit=spec["limit"],
                filter=spec["expr"],
                output_fields=fields,
            )[0]
            ranking = []
            for row in rows:
                if row.id not in ordinal:
                    ordinal[row.id] = len(entities)
                    entities.append(row["entity"])
                ranking.append(ordinal[row.id])
            weight = spec["weight"] if len(specs) == 2 else 1.0
            rankings.append((ranking, weight))
        return [(entities[i], score) for i, score in rrf_fuse(rankings, request.rrf_k)]

    @translated
    def chunks_of(self, doc_id: str) -> list[Chunk]:
        head = self.catalog.heads.get(doc_id)
        if head is None:
            return []
        expr = f"doc_id == {quoted(doc_id)} and rev == {quoted(head.rev)}"
        rows = self.query_all(self.chunks_name, expr, ["ordinal", "payload"])
        ordered = sorted(rows, key=lambda row: row["ordinal"])
        return [chunk_from_dict(json.loads(row["payload"])) for row in ordered]

    def chunk_counts(self) -> Mapping[str, int]:
        return {doc_id: head.chunks for doc_id, head in self.catalog.heads.items()}

    def stats(self) -> BackendStats:
        catalog = self.catalog
        chunks = sum(head.chunks for head in catalog.heads.values())
        return BackendStats(
            self.name,
            len(catalog.documents),
            chunks,
            catalog.version,
            catalog.embedder,
            catalog.dim,
            self.uri,
        )

    # -- writes --------------------------------------------------------------------------
    #
    # Order of every write: rows under the new revision; the state row marked `pending`;
    # the head rows switched (the commit); the version moved (which clears `pending`);
    # then rows no head names are swept, once they are older than `sweep_grace_s` (a
    # concurrent writer's uncommitted rows are young, so they survive). A writer that
    # dies after the commit leaves `pending` set, and the next write moves the version.

    @translated
    def add(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport:
        check_doc_ids(documents)
        state = self.read_state()
        self.check_embedder(state)
        self.ensure_store(recreate=False)
        taken = sorted(self.read_heads([d.doc_id for d in documents]))
        if taken:
            raise DocumentExistsError(f"document(s) exist: {', '.join(taken)}")
        embedded = self.embed(documents, on_total, on_progress)
        self.write_rows(documents, embedded)
        version = self.commit(state_version(state), documents, embedded)
        return self.report([d.doc_id for d in documents], (), embedded, version)

    @translated
    def delete(self, doc_ids: Sequence[str]) -> ChangeReport:
        state = self.read_state()
        heads = self.read_heads() if state is not None else {}
        unknown = sorted(set(doc_ids) - set(heads))
        if unknown:
            raise UnknownDocumentError(f"no document(s): {', '.join(unknown)}")
        if not set(heads) - set(doc_ids):
            raise BackendError("cannot delete every document: the index would be empty")
        self.check_embedder(state)
        version = self.commit(state_version(state), [], None, doc_ids)
        return self.report((), doc_ids, None, version)

    @translated
    def replace_all(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport:
        """Make the store hold exactly `documents`. Unchanged documents (same revision)
        are not re-embedded or re-written. Another embedder, dimension or analyzer
        rebuilds the collections: everything is embedded first, so the store is empty
        only while the rows are inserted."""
        check_doc_ids(documents)
        state = self.read_state()
        rebuild = state is not None and (
            not self.embedder_matches(state) or state.get("analyzer") != self.analyzer_digest()
        )
        heads = {} if rebuild or state is None else self.read_heads()
        changed = [
            d for d in documents if heads.get(d.doc_id, Head("", "", 0, 0)).rev != self.revision(d)
        ]
        gone = sorted(set(heads) - {d.doc_id for d in documents})
        embedded = self.embed(changed, on_total, on_progress)
        self.ensure_store(recreate=rebuild)
        self.write_rows(changed, embedded)
        if changed or gone or (state or {}).get("pending"):
            version = self.commit(state_version(state), changed, embedded, gone)
        else:  # nothing changed: keep the version, so that replicas do not reload
            version = state_version(state)
            self.sweep()
        return self.report(sorted(d.doc_id for d in changed), gone, embedded, version)

    def embedder_matches(self, state: Mapping[str, Any]) -> bool:
        return bool(state["embedder"] == self.embedder.name and state["dim"] == self.embedder.dim)

    def check_embedder(self, state: Mapping[str, Any] | None) -> None:
        """Searching or writing with another embedder would mix vectors: refuse it."""
        if state is not None and not self.embedder_matches(state):
            raise IndexMismatchError(
                f"Milvus collection {self.collection!r} was built with {state['embedder']} "
                f"(dim {state['dim']}), not {self.embedder.name} (dim {self.embedder.dim}); "
                "run `qa ingest` to rebuild it"
            )

    def report(
        self,
        added: Sequence[str],
        deleted: Sequence[str],
        embedded: EmbeddedChunks | None,
        version: str,
    ) -> ChangeReport:
        heads = self.read_heads()
        written = len(embedded.chunks) if embedded else 0
        misses = embedded.stats.embedded if embedded else 0
        chunks = sum(h.chunks for h in heads.values())
        return ChangeReport(
            tuple(added), tuple(deleted), len(heads), chunks, written, misses, version
        )

    def revision(self, doc: Document) -> str:
        return revision(doc, self.chunk_max_chars, self.embedder.name)

    def embed(
        self, documents: Sequence[Document], on_total: Progress | None, on_progress: Progress | None
    ) -> EmbeddedChunks:
        # The cache is local to the writing machine: replicas need not share it.
        with closing(EmbeddingCache(self.cache_path or Path(":memory:"))) as cache:
            return embed_documents(
                documents, self.chunk_max_chars, self.embedder, cache, on_total, on_progress
            )

    def write_rows(self, documents: Sequence[Document], embedded: EmbeddedChunks) -> None:
        """Chunk rows, then document parts, under each document's new revision; nothing
        a reader follows points at them until `commit` writes the heads."""
        revs = {d.doc_id: self.revision(d) for d in documents}
        ordinal: dict[str, int] = {}
        written = int(time.time())
        rows = []
        for chunk, vector in zip(embedded.chunks, embedded.vectors, strict=True):
            n = ordinal[chunk.doc_id] = ordinal.get(chunk.doc_id, -1) + 1
            rev = revs[chunk.doc_id]
            rows.append(
                {
                    "key": f"{key_of(chunk.doc_id)}:{rev}:{n}",
                    "doc_id": chunk.doc_id,
                    "rev": rev,
                    "written": written,
                    "ordinal": n,
                    "text": fold(passage_text(chunk)),
                    "payload": json.dumps(chunk_to_dict(chunk), ensure_ascii=False),
                    "dense": vector.tolist(),
                }
            )
        for start in range(0, len(rows), INSERT_BATCH):
            self.client.upsert(self.chunks_name, rows[start : start + INSERT_BATCH])
        for doc in documents:
            rev = revs[doc.doc_id]
            parts = split_parts(json.dumps(document_to_dict(doc), ensure_ascii=False))
            self.client.upsert(
                self.docs_name,
                [
                    doc_row(f"part:{key_of(doc.doc_id)}:{rev}:{i}", doc.doc_id, rev, i, part)
                    for i, part in enumerate(parts)
                ],
            )

    def commit(
        self,
        current_version: str,
        documents: Sequence[Document],
        embedded: EmbeddedChunks | None,
        gone: Sequence[str] = (),
    ) -> str:
        """Switch the heads (one row per document), move the version, then sweep."""
        self.write_state(current_version, pending=True)
        counts: dict[str, int] = {}
        for chunk in embedded.chunks if embedded else []:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        heads = []
        for doc in documents:
            parts = len(split_parts(json.dumps(document_to_dict(doc), ensure_ascii=False)))
            body = json.dumps({"parts": parts, "chunks": counts.get(doc.doc_id, 0)})
            heads.append(
                doc_row(f"head:{key_of(doc.doc_id)}", doc.doc_id, self.revision(doc), -1, body)
            )
        if heads:
            self.client.upsert(self.docs_name, heads)
        if gone:
            listed = ", ".join(quoted(d) for d in gone)
            self.client.delete(self.docs_name, filter=f"part == -1 and doc_id in [{listed}]")
        version = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(4).hex()}"
        self.write_state(version, pending=False)
        self.sweep()
        return version

    def sweep(self) -> None:
        """Delete rows no head names (a replaced revision, a deleted document, a crashed
        writer's leftovers) once older than `sweep_grace_s`. One delete per collection:
        revisions are content digests, so a revision names one document's rows."""
        revs = ", ".join(quoted(h.rev) for h in self.read_heads().values())
        older = f"written <= {int(time.time() - self.sweep_grace_s)}"
        self.client.delete(self.chunks_name, filter=f"{older} and not (rev in [{revs}])")
        self.client.delete(
            self.docs_name, filter=f"part >= 0 and {older} and not (rev in [{revs}])"
        )
        self.seal()

    def seal(self) -> None:
        """Milvus Lite: flush after a change. Lite rebuilds the sparse index of its
        unflushed rows on every search (measured at 3,000 chunks: 417 ms a search before a
        flush, 25 ms after). A server indexes growing segments itself and compacts on its
        own schedule, so it is left alone."""
        if is_lite_uri(self.uri):
            self.client.flush(self.chunks_name)
            self.client.flush(self.docs_name)

    def write_state(self, version: str, pending: bool) -> None:
        state = {
            "format": FORMAT,
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "analyzer": self.analyzer_digest(),
            "version": version,
            "pending": pending,
        }
        self.client.upsert(self.docs_name, [doc_row(STATE_KEY, "", "", -2, json.dumps(state))])
        self._published = (0.0, "")

    def analyzer_digest(self) -> str:
        params = json.dumps(analyzer_params(self.tokenizer), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(params.encode("utf-8")).hexdigest()[:16]

    # -- schema --------------------------------------------------------------------------

    def ensure_store(self, recreate: bool) -> None:
        """Create both collections if missing (dropping them first when `recreate`), and
        make sure they are loaded (a Milvus Lite file reopens with them released)."""
        if recreate:
            for name in (self.chunks_name, self.docs_name):
                self.client.drop_collection(name)
        if not self.client.has_collection(self.chunks_name):
            self.create_chunks_collection()
        if not self.client.has_collection(self.docs_name):
            self.create_docs_collection()
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        for name in (self.chunks_name, self.docs_name):
            state = str(self.client.get_load_state(name).get("state", ""))
            if not state.endswith("Loaded"):
                self.client.load_collection(name)

    def keyed_schema(self) -> Any:
        """What both collections start with: a digest key, the document id, its revision."""
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=MAX_DOC_ID * 4)
        schema.add_field("rev", DataType.VARCHAR, max_length=32)
        schema.add_field("written", DataType.INT64)  # epoch seconds: sweeping waits a while
        return schema

    def create_chunks_collection(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.keyed_schema()
        schema.add_field("ordinal", DataType.INT64)
        schema.add_field(
            "text",
            DataType.VARCHAR,
            max_length=MAX_VARCHAR,
            enable_analyzer=True,
            analyzer_params=analyzer_params(self.tokenizer),
        )
        schema.add_field("payload", DataType.VARCHAR, max_length=MAX_VARCHAR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.embedder.dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
        index = self.client.prepare_index_params()
        # Exact inner product in Milvus Lite; a server picks its own index (AUTOINDEX).
        dense_index = "FLAT" if is_lite_uri(self.uri) else "AUTOINDEX"
        index.add_index("dense", index_type=dense_index, metric_type="IP")
        index.add_index(
            "sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": 1.5, "bm25_b": 0.75},  # the embedded backend's parameters
        )
        index.add_index("doc_id", index_type="INVERTED")
        self.client.create_collection(
            self.chunks_name, schema=schema, index_params=index, consistency_level="Strong"
        )

    def create_docs_collection(self) -> None:
        from pymilvus import DataType

        schema = self.keyed_schema()
        schema.add_field("part", DataType.INT64)
        schema.add_field("body", DataType.VARCHAR, max_length=MAX_VARCHAR)
        # Milvus wants a vector field in every collection; this one is never searched.
        schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
        index = self.client.prepare_index_params()
        index.add_index("unused", index_type="FLAT", metric_type="L2")
        self.client.create_collection(
            self.docs_name, schema=schema, index_params=index, consistency_level="Strong"
        )


def analyzer_params(tokenizer: Tokenizer) -> dict[str, Any]:
    """Milvus's jieba analyzer with our domain dictionary and stop words, so its BM25
    sees the words ours sees ("_default_" keeps jieba's own dictionary on a server;
    a server drops punctuation with `removepunct`, Milvus Lite with the stop list)."""
    return {
        "tokenizer": {
            "type": "jieba",
            "mode": "search",
            "dict": ["_default_", *tokenizer.domain_words],
        },
        "filter": [
            "removepunct",
            {"type": "stop", "stop_words": [*sorted(tokenizer.stopwords), *_PUNCTUATION]},
        ],
    }


def state_version(state: Mapping[str, Any] | None) -> str:
    return str(state["version"]) if state else ""


def doc_row(key: str, doc_id: str, rev: str, part: int, body: str) -> dict[str, Any]:
    return {
        "key": key,
        "doc_id": doc_id,
        "rev": rev,
        "written": int(time.time()),
        "part": part,
        "body": body,
        "unused": [0.0, 0.0],
    }


def check_doc_ids(documents: Sequence[Document]) -> None:
    for doc in documents:
        if not doc.doc_id or len(doc.doc_id) > MAX_DOC_ID:
            raise BackendError(f"document id must be 1 to {MAX_DOC_ID} characters: {doc.doc_id!r}")
        if any(unicodedata.category(c).startswith("C") for c in doc.doc_id):
            raise BackendError(f"document id has control or invisible characters: {doc.doc_id!r}")


def rrf_ranker(k: float) -> Any:
    from pymilvus import RRFRanker

    return RRFRanker(int(k))


def connect(uri: str, token: str) -> Any:
    """A MilvusClient; pymilvus is imported here so the embedded backend never pays for it."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    if is_lite_uri(uri):
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        return MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
    except MilvusException as exc:
        hint = (
            " (a Milvus Lite file is opened by one process at a time; run a Milvus server "
            "and set QA_MILVUS_URI=http://host:19530 to share one index)"
            if is_lite_uri(uri)
            else ""
        )
        raise BackendError(f"cannot open Milvus at {uri}: {exc.message}{hint}") from exc
