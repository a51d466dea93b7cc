"""BM25 behind a small interface, so a faster scorer can replace rank-bm25 later."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi
from scipy import sparse

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


class SparseBM25Scorer:
    """Okapi BM25 as one sparse matrix: every (chunk, term) weight is computed once at
    build time, so a query is a sum of a few matrix columns instead of a Python loop over
    every chunk. Scores equal rank-bm25's BM25Okapi (same idf floor, same handling of
    repeated query terms); `RankBM25Scorer` stays as the oracle that proves it."""

    name = "sparse-bm25-okapi"

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]) -> None:
        self.weights = weights
        self.vocabulary = vocabulary

    @classmethod
    def build(
        cls,
        corpus_tokens: list[list[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> SparseBM25Scorer:
        if not corpus_tokens:
            raise ValueError("BM25 needs at least one document")
        safe = [tokens if tokens else ["\x00"] for tokens in corpus_tokens]
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for row, tokens in enumerate(safe):
            for token in tokens:
                rows.append(row)
                cols.append(vocabulary.setdefault(token, len(vocabulary)))
        shape = (len(safe), len(vocabulary))
        ones = np.ones(len(rows), dtype=np.float32)
        # Duplicate (row, col) pairs are summed on conversion: term frequencies.
        tf = sparse.csc_matrix((ones, (rows, cols)), shape=shape, dtype=np.float32)
        tf.sum_duplicates()
        lengths = np.array([len(t) for t in safe], dtype=np.float64)
        weights = bm25_weights(tf, lengths, idf_okapi(tf, epsilon), k1, b)
        return cls(weights, vocabulary)

    @property
    def size(self) -> int:
        return int(self.weights.shape[0])

    def scores(self, query_tokens: list[str]) -> FloatArray:
        counts: dict[int, int] = {}
        for token in query_tokens:
            column = self.vocabulary.get(token)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        out = np.zeros(self.size, dtype=np.float32)
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        for column, count in counts.items():
            lo, hi = indptr[column], indptr[column + 1]
            out[indices[lo:hi]] += data[lo:hi] * count
        return np.maximum(out, 0.0)


def idf_okapi(tf: sparse.csc_matrix, epsilon: float) -> npt.NDArray[np.float64]:
    """rank-bm25's idf: log((N - n + 0.5) / (n + 0.5)), and for the terms where that is
    negative, epsilon times the average idf of the vocabulary."""
    n_docs = tf.shape[0]
    doc_freq = np.diff(tf.indptr).astype(np.float64)
    idf = np.log(n_docs - doc_freq + 0.5) - np.log(doc_freq + 0.5)
    floor = epsilon * (idf.sum() / len(idf))
    floored: npt.NDArray[np.float64] = np.where(idf < 0, floor, idf)
    return floored


def bm25_weights(
    tf: sparse.csc_matrix,
    lengths: npt.NDArray[np.float64],
    idf: npt.NDArray[np.float64],
    k1: float,
    b: float,
) -> sparse.csc_matrix:
    weights = tf.astype(np.float64)
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    rows = weights.indices
    columns = np.repeat(np.arange(tf.shape[1]), np.diff(tf.indptr))
    freq = weights.data
    weights.data = idf[columns] * freq * (k1 + 1) / (freq + norm[rows])
    return weights.astype(np.float32).tocsc()
