"""Embedding cache keyed by (model name, text hash): unchanged text embeds nothing.

SQLite gives us crash safety for free: a killed ingest leaves committed batches
usable and never a half-written row.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embedders import Embedder, FloatMatrix


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EmbedStats:
    cached: int
    embedded: int


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings ("
            " model TEXT NOT NULL, text_hash TEXT NOT NULL, dim INTEGER NOT NULL,"
            " vector BLOB NOT NULL, PRIMARY KEY (model, text_hash))"
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def get_many(self, model: str, dim: int, hashes: list[str]) -> dict[str, FloatMatrix]:
        found: dict[str, FloatMatrix] = {}
        for i in range(0, len(hashes), 500):  # SQLite caps bound parameters
            batch = hashes[i : i + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND dim = ?"
                f" AND text_hash IN ({marks})",
                (model, dim, *batch),
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: list[tuple[str, FloatMatrix]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                [
                    (model, key, int(vec.shape[0]), vec.astype(np.float32).tobytes())
                    for key, vec in items
                ],
            )


def embed_passages_cached(
    embedder: Embedder,
    texts: list[str],
    cache: EmbeddingCache,
    batch_size: int = 64,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[FloatMatrix, EmbedStats]:
    """Vectors for `texts` in order; only texts the cache lacks reach the model."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(embedder.name, embedder.dim, sorted(set(hashes)))
    cached = sum(1 for h in hashes if h in known)
    first_index: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h not in known:
            first_index.setdefault(h, i)
    missing = list(first_index.items())
    if on_progress and cached:
        on_progress(cached)
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        vectors = embedder.embed_passages([texts[idx] for _, idx in batch])
        items = [(key, vectors[row]) for row, (key, _) in enumerate(batch)]
        cache.put_many(embedder.name, items)
        known.update(items)
        if on_progress:
            keys = {key for key, _ in batch}
            on_progress(sum(1 for h in hashes if h in keys))
    if not hashes:
        return np.zeros((0, embedder.dim), dtype=np.float32), EmbedStats(0, 0)
    matrix = np.stack([known[h] for h in hashes]).astype(np.float32)
    return matrix, EmbedStats(cached=cached, embedded=len(missing))
