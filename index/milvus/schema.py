"""Where a Milvus index lives and what its rows are: the client, the two collections'
schemas, row keys and the analyzer. pymilvus is imported inside the functions that need
it, so importing this package does not import it."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from index.embedders import Embedder
from index.errors import BackendError, BackendUnavailableError
from index.tokenize import Tokenizer

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


def split_parts(text: str) -> list[str]:
    return [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]


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
    """A document's head row: the revision its chunks and parts are read under."""

    doc_id: str
    rev: str
    parts: int
    chunks: int


class MilvusStore:
    """The base every part of the backend shares: the client, the collection names, the
    embedder and tokenizer, and the collections' schemas."""

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

    def close(self) -> None:
        self.client.close()

    def has_store(self) -> bool:
        return bool(self.client.has_collection(self.docs_name)) and bool(
            self.client.has_collection(self.chunks_name)
        )

    def analyzer_digest(self) -> str:
        params = json.dumps(analyzer_params(self.tokenizer), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(params.encode("utf-8")).hexdigest()[:16]

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
