"""Regions are read from each document's own text, never from a list of ours."""

from __future__ import annotations

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


def test_home_region_from_the_title_or_the_name_the_text_keeps_using() -> None:
    titled = with_scope(doc("2024年北京市政府工作报告", "天津、河北协同发展。北京……"))
    assert titled.meta.regions == ("北京",)
    assert set(titled.meta.places) == {"北京", "天津", "河北"}
    guide = with_scope(doc("房屋租赁登记备案指南", "天河区……天河区……天河区……广州市"))
    assert guide.meta.regions == ("天河",)
    national = with_scope(doc("国务院办公厅关于印发方案的通知", "上海、北京等地试点。"))
    assert national.meta.regions == () and set(national.meta.places) == {"上海", "北京"}


def test_stated_regions_are_kept() -> None:
    given = Document(DocumentMeta("d", "通知", regions=("苏州",)), "上海市……")
    assert with_scope(given).meta.regions == ("苏州",)
