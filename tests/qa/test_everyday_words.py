"""The shipped everyday-wording lexicon: it loads, it is well formed, and what it adds
reaches retrieval and the question's keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.tokenize import Tokenizer
from qa.query import (
    EVERYDAY_WORDS,
    OFFICIAL_WORDS,
    QueryPlan,
    load_everyday_words,
    official_words,
    with_official_words,
)
from qa.question import QuestionParser


def test_the_shipped_lexicon_loads_and_maps_words_to_other_words() -> None:
    words = load_everyday_words(EVERYDAY_WORDS)
    assert words == OFFICIAL_WORDS and len(words) >= 50
    for said, officials in words.items():
        assert officials and said not in officials, said


def test_a_malformed_line_is_named(tmp_path: Path) -> None:
    lexicon = tmp_path / "words.tsv"
    lexicon.write_text("# comment\n抽烟\t吸烟\n墓地\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"words.tsv:3"):
        load_everyday_words(lexicon)


def test_official_words_are_added_once_and_only_when_unsaid() -> None:
    assert official_words("在上海买下的墓地能转卖吗") == ["墓穴", "转让"]
    assert official_words("墓地和墓穴") == []  # the question already says it
    assert with_official_words("我婆婆要用血") == "我婆婆要用血 配偶的父母"


def test_a_citizens_word_gives_way_to_the_official_one_in_the_keywords() -> None:
    parser = QuestionParser(lambda t: QueryPlan(with_official_words(t), ()), Tokenizer(), ())
    keywords = parser.parse("总分要攒够多少分才能申请？").keywords
    assert "累计" in keywords
    assert not any("攒" in k for k in keywords)


def test_a_documents_own_word_holding_a_citizens_word_stays_a_keyword() -> None:
    parser = QuestionParser(lambda t: QueryPlan(with_official_words(t), ()), Tokenizer(), ())
    assert "社保卡" in parser.parse("去银行网点申领社保卡要由谁去办？").keywords


def test_a_citizens_framing_is_no_keyword() -> None:
    parser = QuestionParser(lambda t: QueryPlan(t, ()), Tokenizer(), ())
    keywords = parser.parse("大学毕业后自己开了家店当老板，能给多少创业补贴？").keywords
    assert "自己" not in keywords and "老板" not in keywords and "创业" in keywords
