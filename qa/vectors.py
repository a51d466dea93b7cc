"""Query embeddings kept by folded text: citizens ask the same questions again and again,
the console regroups the same questions on every view, and curated asks are matched on
every question; the embedding is most of the cost of each (17 of 23 ms of an answer)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from corpus.normalize import fold
from index.embedders import FloatMatrix

Embed = Callable[[list[str]], FloatMatrix]


class VectorCache:
    """The embeddings of texts, least recently used evicted past `size`; the embedder is
    called once per batch, with the folded texts it has not seen."""

    def __init__(self, embed: Embed, size: int) -> None:
        self.embed = embed
        self.size = size
        self._vectors: OrderedDict[str, FloatMatrix] = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> FloatMatrix:
        keys = [fold(t) for t in texts]
        missing = [k for k in dict.fromkeys(keys) if k not in self._vectors]
        if missing:
            for key, row in zip(missing, self.embed(missing), strict=True):
                self._vectors[key] = row
        for key in keys:
            self._vectors.move_to_end(key)
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def clear(self) -> None:
        """Forget every vector (a benchmark measuring the embedding's own cost)."""
        self._vectors.clear()
