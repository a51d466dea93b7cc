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

The parts, by job: `schema` (the client, collections, row keys, analyzer), `reads` (a
reader's snapshot), `search` (hybrid search), `writes` (the write protocol), and
`backend`, which composes them. Importing this package does not import pymilvus.
"""

from __future__ import annotations

from index.milvus.backend import MilvusBackend
from index.milvus.reads import Catalog, state_version
from index.milvus.schema import Head, analyzer_params, is_lite_uri, quoted
from index.milvus.writes import revision

__all__ = [
    "Catalog",
    "Head",
    "MilvusBackend",
    "analyzer_params",
    "is_lite_uri",
    "quoted",
    "revision",
    "state_version",
]
