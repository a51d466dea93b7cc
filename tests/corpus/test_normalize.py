from __future__ import annotations

from corpus.normalize import (
    detect_script,
    fold,
    fold_compact,
    to_traditional,
    traditional_matching,
)


def test_taiwan_vocabulary_folds_to_mainland() -> None:
    assert fold("全省技術契約成交額達到550億元") == "全省技术合同成交额达到550亿元"
    assert fold("衛星套用") == "卫星应用"
    assert fold("智慧型製造") == "智能制造"
    assert fold("數位技術") == "数字技术"


def test_full_width_folds_to_half_width() -> None:
    assert fold("（Ｒ＆Ｄ）２．５％") == "(r&d)2.5%"


def test_simplified_text_is_unchanged_apart_from_width() -> None:
    text = "到2025年，全省技术合同成交额突破500亿元。"
    assert fold(text) == text.replace("，", ",")


def test_fold_compact_drops_whitespace() -> None:
    assert fold_compact("高新技术企业\n\t5000家") == "高新技术企业5000家"


def test_detect_script(bundled_docs: list) -> None:
    scripts = {d.doc_id: detect_script(d.text) for d in bundled_docs}
    assert scripts == {
        "hlj-sti-14th-five-year-plan-2021": "simplified",
        "hlj-sti-revitalization-action-plan-2022-2026": "traditional",
    }


def test_to_traditional() -> None:
    assert to_traditional("技术合同成交额") == "技術合同成交額"


def test_aligned_folding_keeps_the_interrogative_whole() -> None:
    from corpus.normalize import fold_aligned

    # OpenCC turns a lone 么 into 幺; char by char, 什么 must stay 什么.
    assert fold_aligned("什么时候 什麼 這麼") == "什么时候 什么 这么"


def test_an_answer_in_traditional_still_folds_back_to_its_text() -> None:
    assert traditional_matching("技术合同成交额") == "技術合同成交額"
    shown = traditional_matching("查验区界址点坐标")  # Taiwan wording would say 座標
    assert fold_compact(shown) == fold_compact("查验区界址点坐标") and "區" in shown
