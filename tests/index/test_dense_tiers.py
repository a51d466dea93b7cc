"""The dense index tiers: exact, a float16 scan, an inverted file. Real FAISS, small
thresholds so that each tier is built from a few thousand clustered vectors."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index import build
from index.build import base_index, dense_index, ivf_lists, search_parameters

DIM = 32


def clustered(n: int, seed: int = 1) -> np.ndarray:
    """Unit vectors around 40 centres: the shape real embeddings have, unlike noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, DIM))
    rows = centres[rng.integers(0, 40, n)] + 0.3 * rng.standard_normal((n, DIM))
    unit: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


@pytest.fixture
def small_tiers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "EXACT_MAX_CHUNKS", 500)
    monkeypatch.setattr(build, "FLAT_MAX_CHUNKS", 2_000)


def test_each_tier_by_size(small_tiers: None) -> None:
    assert isinstance(base_index(dense_index(clustered(400), DIM)), faiss.IndexFlatIP)
    assert isinstance(base_index(dense_index(clustered(1_500), DIM)), faiss.IndexScalarQuantizer)
    ivf = base_index(dense_index(clustered(6_000), DIM))
    assert isinstance(ivf, faiss.IndexIVFScalarQuantizer)
    assert ivf.nlist == ivf_lists(6_000) and ivf.nprobe == ivf.nlist // build.IVF_PROBED_SHARE


def test_list_count_grows_with_the_square_root() -> None:
    assert ivf_lists(1_000_000) == 2048
    assert ivf_lists(250_001) == 1024
    assert ivf_lists(10) == 64


def test_inverted_file_finds_what_exact_search_finds(small_tiers: None) -> None:
    vectors = clustered(6_000)
    queries = clustered(50, seed=2)
    ivf = dense_index(vectors, DIM)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(vectors)
    found = ivf.search(queries, 10)[1]
    truth = exact.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.9
    assert set(found.ravel()) <= set(range(6_000))  # ids are chunk ordinals


def test_a_filtered_search_sees_every_list(small_tiers: None, tmp_path: Path) -> None:
    """Ten chunks of one document, scattered over the lists: a filtered search on the
    inverted file returns all ten, also after a write and read (nprobe is per search)."""
    vectors = clustered(6_000)
    wanted = np.arange(0, 6_000, 600, dtype=np.int64)
    path = tmp_path / "dense.faiss"
    faiss.write_index(dense_index(vectors, DIM), str(path))
    index = faiss.read_index(str(path))
    selector = faiss.IDSelectorBatch(wanted)
    params = search_parameters(index, selector)
    assert isinstance(params, faiss.SearchParametersIVF)
    _, found = index.search(vectors[:1], 10, params=params)
    assert sorted(found[0].tolist()) == wanted.tolist()


def test_no_selector_no_parameters() -> None:
    assert search_parameters(dense_index(clustered(10), DIM), None) is None
