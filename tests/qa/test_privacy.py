"""Personal data is masked before a question is stored; policy figures are not."""

from __future__ import annotations

import pytest

from qa.privacy import mask_optional, mask_personal


@pytest.mark.parametrize(
    "text",
    [
        "我的手机13912345678怎么申请补贴",
        "电话+86 139-1234-5678打不通",
        "身份证110101199003071234能办吗",
        "发到zhang.san@example.com",
    ],
)
def test_personal_data_is_masked(text: str) -> None:
    masked = mask_personal(text)
    for secret in ("13912345678", "1234-5678", "110101199003071234", "zhang.san@example.com"):
        assert secret not in masked


@pytest.mark.parametrize(
    "text",
    [
        "到2025年技术合同成交额目标是多少",
        "黑政发〔2023〕12号第十二条",
        "研发投入达到500亿元，增长12.5%",
    ],
)
def test_policy_text_is_untouched(text: str) -> None:
    assert mask_personal(text) == text


def test_missing_comment_stays_missing() -> None:
    assert mask_optional(None) is None
