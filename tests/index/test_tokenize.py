from __future__ import annotations

import pytest

from index.tokenize import Tokenizer


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


def test_figures_with_units_survive(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("到2025年，全社会研发经费投入强度达到2.5%以上，成交额突破500亿元")
    for figure in ("2025年", "2025", "2.5%", "2.5", "500亿元", "500"):
        assert figure in tokens


def test_domain_terms_and_traditional_text(tokenizer: Tokenizer) -> None:
    simplified = tokenizer.tokenize("全省技术合同成交额达到550亿元")
    traditional = tokenizer.tokenize("全省技術契約成交額達到550億元")
    assert "技术合同成交额" in simplified
    assert simplified == traditional


def test_stopwords_and_punctuation_dropped(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("请问，专精特新企业的目标是多少？")
    assert "专精特新" in tokens
    assert not {"请问", "的", "多少", "，", "？"} & set(tokens)


def test_missing_resource_fails_fast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileNotFoundError, match="userdict"):
        Tokenizer(userdict=tmp_path / "userdict.txt")
