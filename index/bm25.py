"""BM25 behind a small interface, so a faster scorer can replace rank-bm25 later."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

FloatArray = npt.NDArray[np.float32]


class BM25Scorer(Protocol):
    name: str

    @property
    def size(self) -> int: ...

    def scores(self, query_tokens: list[str]) -> FloatArray:
        """One score per indexed document, in index order; 0 where nothing matches."""
        ...


class RankBM25Scorer:
    """rank-bm25's Okapi BM25. Its state is the token lists, rebuilt in milliseconds."""

    name = "rank-bm25-okapi"

    def __init__(self, corpus_tokens: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        if not corpus_tokens:
            raise ValueError("BM25 needs at least one document")
        self._size = len(corpus_tokens)
        # rank-bm25 divides by the average length: an all-empty corpus would be 0/0.
        safe = [tokens if tokens else ["\x00"] for tokens in corpus_tokens]
        self._bm25 = BM25Okapi(safe, k1=k1, b=b)

    @property
    def size(self) -> int:
        return self._size

    def scores(self, query_tokens: list[str]) -> FloatArray:
        if not query_tokens:
            return np.zeros(self._size, dtype=np.float32)
        raw = self._bm25.get_scores(query_tokens)
        return np.maximum(np.asarray(raw, dtype=np.float32), 0.0)
