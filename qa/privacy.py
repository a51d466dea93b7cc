"""Personal data masked out of citizens' questions before anything is stored.

Citizens type their own details into a chat box (我的身份证号是…, 请回电138…); the
question log and the feedback store keep only the masked text. Masks are placeholders
in brackets, so a reviewer still sees that a number was there and of what kind.
"""

from __future__ import annotations

import re

# Order matters: an ID number holds a run of digits a phone or card pattern would take.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("邮箱", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")),
    # 18-digit resident ID (last may be X), and the old 15-digit one; not inside longer runs.
    ("身份证号", re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15})(?![0-9Xx])")),
    # Mainland mobile numbers, with an optional +86 and spaces or dashes between groups.
    ("手机号", re.compile(r"(?<![0-9])(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?![0-9])")),
    # Landlines with an area code: 0451-12345678, (010)12345678.
    ("电话", re.compile(r"(?<![0-9])[（(]?0\d{2,3}[）)\-\s]?\d{7,8}(?![0-9])")),
    # Bank cards: 16 to 19 digits, optionally grouped by four (after
    # landlines, whose 0451-8622 1234 it would take).
    ("银行卡号", re.compile(r"(?<![0-9])\d{4}(?:[\s\-]?\d{4}){2,3}(?:[\s\-]?\d{1,3})?(?![0-9])")),
    # Passport numbers: a letter and 8 digits (E12345678), written after 护照.
    ("护照号", re.compile(r"(?<=护照)(?:号码?|号)?[:：\s]*[A-Za-z]{1,2}\d{7,8}")),
)


def mask_personal(text: str) -> str:
    """`text` with e-mail addresses, ID, phone, bank card and passport numbers replaced
    by [邮箱], [身份证号], …; the rest kept as typed."""
    for label, pattern in _PATTERNS:
        text = pattern.sub(f"[{label}]", text)
    return text


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask_personal(text)


_MASK = re.compile("|".join(re.escape(f"[{label}]") for label, _ in _PATTERNS))


def holds_mask(text: str) -> bool:
    """`text` had personal data masked out of it."""
    return _MASK.search(text) is not None
