"""Web-page furniture removed from a document's text before it is stored: menus, share
bars, breadcrumbs and footers (runs of short lines that say nothing), and a block a
scraped page holds twice. Read off the document itself, never a list of sites.

What is removed is gone from the stored text, so offsets into it still hold.
"""

from __future__ import annotations

import re

MENU_LINE_CHARS = 12  # a menu entry, a share button, a date: short
MENU_RUN_LINES = 6  # this many short lines in a row are furniture, not content
REPEAT_MIN_CHARS = 30  # a line this long seen twice is a duplicated block
# A sentence says something; so does a signature's date (二〇〇五年六月十一日) or a
# document number (国办函〔2005〕57号), however short.
_SAYS_SOMETHING = re.compile(r"[。；！？]|[，,].*[，,]|.年.{1,3}月.{1,3}日$|〔\d{4}〕")


# A service guide's field names (受理窗口, 办理对象, 设定依据), each over its short value:
# a run of such lines is the guide's facts, not a menu.
GUIDE_FIELD = re.compile(
    r"^(?:需要|所需)?(?:受理|办理|申报|申请|咨询|监督|投诉|收费|事项|实施|设定|法定|承诺|决定|服务)"
    r"(?:窗口|单位|机构|机关|对象|类型|依据|时限|地点|时间|条件|材料|方式|电话|标准|主体|部门|期限"
    r"|流程|程序|步骤|须知|指南)"
)
GUIDE_FIELDS = 2  # field names in a run that make it a guide's facts


def is_furniture(line: str) -> bool:
    stripped = line.strip()
    if not stripped or line.startswith("\t"):  # tab-led lines are table cells
        return False
    return len(stripped) <= MENU_LINE_CHARS and not _SAYS_SOMETHING.search(stripped)


def menu_runs(lines: list[str]) -> set[int]:
    """Indices of lines in runs of MENU_RUN_LINES or more short lines (blank lines
    between them do not break a run)."""
    dropped: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "。"]):  # a sentinel ends the last run
        if not line.strip():
            continue
        if is_furniture(line):
            run.append(i)
            continue
        fields = sum(1 for j in run if GUIDE_FIELD.match(lines[j].strip()))
        if len(run) >= MENU_RUN_LINES and fields < GUIDE_FIELDS:
            dropped.update(range(run[0], run[-1] + 1))
        run = []
    return dropped


def strip_boilerplate(text: str) -> str:
    lines = text.split("\n")
    dropped = menu_runs(lines)
    seen: set[str] = set()
    kept = []
    for i, line in enumerate(lines):
        if i in dropped:
            continue
        key = line.strip()
        if len(key) >= REPEAT_MIN_CHARS:
            if key in seen:
                continue  # the page's second copy of a block already kept
            seen.add(key)
        kept.append(line)
    if len(kept) == len(lines):
        return text  # nothing was furniture: the text stays byte for byte
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
