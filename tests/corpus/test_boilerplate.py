"""Web-page furniture goes; content, tables and untouched documents stay as they are."""

from __future__ import annotations

from corpus.boilerplate import strip_boilerplate

MENU = "首页\n\n政务公开\n政务服务\n互动交流\n简\n繁\nEN\n登录\n"
BODY = "一、办理要求\n房屋租赁当事人应当在订立租赁合同之日起30日内办理登记备案手续。\n"


def test_menus_and_a_second_copy_of_a_block_are_removed() -> None:
    page = MENU + BODY + "\t1\n\t沙河街\n\t37286460\n\t天河区\n\t2\n\t石牌街\n" + BODY
    cleaned = strip_boilerplate(page)
    assert "政务公开" not in cleaned and "登录" not in cleaned
    assert cleaned.count("订立租赁合同之日起30日内") == 1
    assert "\t沙河街" in cleaned  # table cells are short lines too, and stay


def test_a_signature_date_is_content_even_among_short_lines() -> None:
    letter = "国务院办公厅\n二〇〇五年六月十一日\n预案\n目　　录\n1　总则\n1.1　目的\n1.2　依据\n"
    assert "二〇〇五年六月十一日" in strip_boilerplate(letter + BODY)


def test_a_document_without_furniture_is_kept_byte_for_byte() -> None:
    text = "\n\n  " + BODY + "\n\n\n第一条 为了规范管理，制定本办法。\n"
    assert strip_boilerplate(text) == text


def test_a_service_guides_fields_are_no_menu() -> None:
    text = (
        "转移登记服务指南\n受理窗口\n微山县不动产登记中心\n事项类型\n行政确认\n办理对象\n"
        "单位、个人\n设定依据\n1.《不动产登记暂行条例》。\n"
    )
    assert strip_boilerplate(text) == text
