from __future__ import annotations

from pathlib import Path

from index.cache import EmbeddingCache, embed_passages_cached
from index.embedders import FakeEmbedder, FloatMatrix


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def test_unchanged_text_embeds_nothing(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first, stats = embed_passages_cached(embedder, ["甲", "乙", "甲"], cache, batch_size=1)
    assert stats.embedded == 2 and stats.cached == 0
    assert embedder.embedded == ["甲", "乙"]
    cache.close()

    reopened = EmbeddingCache(tmp_path / "cache.sqlite")
    again, stats = embed_passages_cached(embedder, ["乙", "甲", "丙"], reopened)
    assert stats.embedded == 1 and stats.cached == 2
    assert embedder.embedded == ["甲", "乙", "丙"]
    assert (again[0] == first[1]).all() and (again[1] == first[0]).all()


def test_progress_counts_every_text(tmp_path: Path) -> None:
    seen: list[int] = []
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    embed_passages_cached(
        FakeEmbedder(), ["a", "b", "c"], cache, batch_size=2, on_progress=seen.append
    )
    assert sum(seen) == 3
    seen.clear()
    embed_passages_cached(FakeEmbedder(), ["a", "b", "c", "d"], cache, on_progress=seen.append)
    assert sum(seen) == 4


def test_models_do_not_share_entries(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    embed_passages_cached(FakeEmbedder(dim=16), ["甲"], cache)
    _, stats = embed_passages_cached(FakeEmbedder(dim=32), ["甲"], cache)
    assert stats.embedded == 1
