"""The search-backend protocol: where chunks, vectors and BM25 live, and how a hybrid
query runs over them. Two implementations pass one conformance test
(`tests/index/test_backend_conformance.py`):

- `embedded` (index/embedded.py): FAISS + sparse BM25 in immutable on-disk generations,
  one writer at a time per data directory. The default; fastest on one machine.
- `milvus` (index/milvus/): a Milvus collection (Milvus Lite file, or a server or
  cluster) holding chunks, dense vectors and a BM25 sparse field; any number of stateless
  service replicas share it.

A backend object is a reader's *snapshot*: its `documents` and `version` stay as they
were when it was opened, so one question never sees two document sets. `reopened()` gives
a fresh snapshot; `published_version()` says cheaply whether there is a newer one.
Writes (`add`, `delete`, `replace_all`) go to the store and do not change the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from corpus.models import Chunk, Document
from index.embedders import FloatMatrix
from index.tokenize import Tokenizer

SearchMode = Literal["hybrid", "bm25", "dense"]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SearchRequest:
    """A planned query: `text` for BM25 (the backend folds and tokenises it), `vector`
    for dense (None in bm25 mode), an optional document filter, and fusion settings."""

    text: str
    vector: FloatMatrix | None
    k: int
    pool: int  # candidates per retriever before fusion
    mode: SearchMode = "hybrid"
    doc_ids: frozenset[str] | None = None
    rrf_k: float = 60.0
    weight_bm25: float = 1.0
    weight_dense: float = 1.0


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    # fused, scaled to [0, 1]: 1 = first in every retriever used; after qa/rerank.py,
    # the reranker's probability that the passage holds the answer
    score: float
    bm25_rank: int | None = None  # per-retriever ranks, where the backend reports them
    dense_rank: int | None = None


@dataclass(frozen=True)
class BackendStats:
    backend: str
    documents: int
    chunks: int
    version: str
    embedder: str
    dim: int
    location: str  # data directory or Milvus URI (never a token)


@dataclass(frozen=True)
class ChangeReport:
    """What a write did. `documents` and `chunks` count the store after it; `written` is
    the chunks stored by this write, `embedded` those that missed the embedding cache."""

    added: tuple[str, ...]
    deleted: tuple[str, ...]
    documents: int
    chunks: int
    written: int
    embedded: int
    version: str


class SearchBackend(Protocol):
    name: str
    tokenizer: Tokenizer  # the one jieba instance a process needs, shared by its snapshots

    @property
    def documents(self) -> Mapping[str, Document]: ...

    @property
    def version(self) -> str: ...

    def published_version(self) -> str: ...

    def reopened(self) -> SearchBackend: ...

    def search(self, request: SearchRequest) -> list[ScoredChunk]: ...

    def chunks_of(self, doc_id: str) -> list[Chunk]: ...

    def bm25_scores(self, text: str, chunks: Sequence[Chunk]) -> list[float | None]:
        """Each chunk's BM25 score for `text`, for the console's retrieval testing; None
        where the backend does not report it (Milvus scores BM25 inside the server)."""
        ...

    def chunk_counts(self) -> Mapping[str, int]: ...

    def stats(self) -> BackendStats: ...

    def published_documents(self) -> dict[str, Document]:
        """The documents stored now, read afresh (not this snapshot's); {} for none."""
        ...

    def add(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport: ...

    def delete(self, doc_ids: Sequence[str]) -> ChangeReport: ...

    def replace_all(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport: ...

    def close(self) -> None: ...
