"""Regions are read from each document's own text, never from a list of ours."""

from __future__ import annotations

import pytest

from corpus.models import Document, DocumentMeta
from corpus.scope import named_places, with_scope


def doc(title: str, text: str, issuer: str | None = None) -> Document:
    return Document(DocumentMeta("d", title, issuer), text)


def test_places_are_provinces_and_suffixed_names_in_either_script() -> None:
    assert named_places("浙江省2023年GDP增长多少") == {"浙江"}
    assert named_places("杭州市的落户政策") == {"杭州"}
    assert named_places("天河區的房屋租賃") == {"天河"}
    # jieba tags 城市 and 满意度 as places; without a suffix or a province name they are not.
    assert named_places("城市的满意度有多少") == set()


def test_a_bare_city_name_is_a_place_when_the_dictionary_lists_its_city() -> None:
    # jieba lists 深圳市 and 广州市 (whose bare name ends like a suffix, 州); no 城市市.
    assert named_places("深圳社保卡在网上申领要多久") == {"深圳"}
    assert named_places("我在广州租了个铺面") == {"广州"}
    assert named_places("城市更新") == set()


def test_home_region_from_the_title_or_the_name_the_text_keeps_using() -> None:
    titled = with_scope(doc("2024年北京市政府工作报告", "天津、河北协同发展。北京……"))
    assert titled.meta.regions == ("北京",)
    assert set(titled.meta.places) == {"北京", "天津", "河北"}
    guide = with_scope(doc("房屋租赁登记备案指南", "天河区……天河区……天河区……广州市"))
    assert guide.meta.regions == ("天河",)
    national = with_scope(doc("国务院办公厅关于印发方案的通知", "上海、北京等地试点。"))
    assert national.meta.regions == () and set(national.meta.places) == {"上海", "北京"}


def test_an_issuer_names_the_home_or_says_the_document_is_national() -> None:
    # The text names 北京 throughout, but the State Council speaks for the whole country.
    hosts = "北京市……北京市……北京市承办赛事。"
    national = with_scope(doc("关于加快发展产业的指导意见", hosts, "国务院办公厅"))
    assert national.meta.regions == ()
    # jieba tags neither 钱塘区 nor 万载县; the issuer's name still starts with its place.
    district = with_scope(doc("关于征集经营主体的公告", "本区……", "钱塘区商务局"))
    assert district.meta.regions == ("钱塘",)
    joint = with_scope(doc("统计公报", "全县……", "万载县统计局、国家统计局万载调查队"))
    assert joint.meta.regions == ("万载",)


def test_stated_regions_are_kept() -> None:
    given = Document(DocumentMeta("d", "通知", regions=("苏州",)), "上海市……")
    assert with_scope(given).meta.regions == ("苏州",)


def test_a_document_naming_no_place_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scope is derived at ingest and stored; a document that names no place is marked
    as read, so loading the index does not read its text again (through the codec, as a
    generation stores it)."""
    import corpus.scope as scope
    from index.codec import document_from_dict, document_to_dict

    doc = Document(DocumentMeta("none", "政策汇编第1号"), "一、总体要求\n加强科技创新。\n")
    derived = with_scope(doc)
    assert derived.meta.scoped and derived.meta.places == () and derived.meta.regions == ()
    stored = document_from_dict(document_to_dict(derived))

    def read_again(text: str) -> object:
        raise AssertionError("the text was read again")

    monkeypatch.setattr(scope, "place_counts", read_again)
    assert with_scope(stored) is stored
