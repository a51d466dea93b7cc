"""A reader's snapshot of a Milvus index: the heads, the documents they name, the version
token, and the chunks of the snapshot's revisions."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from corpus.models import Chunk, Document
from index.backend import BackendStats
from index.codec import chunk_from_dict, document_from_dict
from index.errors import IndexMismatchError, NoIndexError
from index.milvus.schema import STATE_KEY, Head, MilvusStore, is_lite_uri, quoted, translated

log = logging.getLogger(__name__)
REFRESH_SECONDS = 1.0  # how stale a replica's view of "is there a newer version" may be


@dataclass(frozen=True)
class Catalog:
    """A reader's snapshot: the documents as their heads named them, and the version."""

    version: str
    embedder: str
    dim: int
    heads: dict[str, Head]
    documents: dict[str, Document]


def state_version(state: Mapping[str, Any] | None) -> str:
    return str(state["version"]) if state else ""


class MilvusReads(MilvusStore):
    _catalog: Catalog | None = None
    _published: tuple[float, str] = (0.0, "")

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
    def load_catalog(self, previous: Catalog | None = None) -> Self:
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

    # -- reading rows --------------------------------------------------------------------

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

    def published_documents(self) -> dict[str, Document]:
        if self.read_state() is None:
            return {}
        return self.read_documents(self.read_heads())

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
