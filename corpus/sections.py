"""The heading hierarchy of a Chinese official document, as blocks of source spans.

Levels: 第X章 (0), 一、 (1), （一）/(一) (2), 1. (3); a 专栏N box nests under the current
heading. Tables arrive as tab-led cells, one per line, rows separated by blank
lines, the first row the header; or as pipe rows (| a | b |) under a header and a
|---| rule. Every span is a (start, end) pair into the source text,
trimmed of surrounding whitespace, so the text shown is always the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.boilerplate import GUIDE_FIELD
from corpus.models import ENTRY_LEVEL, QUESTION_LEVEL, ChunkKind, SectionPath, TableCells

Span = tuple[int, int]

_CHAPTER = re.compile(r"^第[一二三四五六七八九十百零〇]+章")
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_H3 = re.compile(r"^\d{1,2}[.．、](?!\d)")
_BOX = re.compile(r"^(专栏|專欄)\s*\d+")
_NUM = "[一二三四五六七八九十百千零〇]+"
_VOLUME = re.compile(rf"^第{_NUM}编")
_PART = re.compile(rf"^第{_NUM}部分")
_ANNEX = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*(?=\s*[:：]?\s*\S{0,40}$)")
_SECTION = re.compile(rf"^第{_NUM}节")
# A regulation's article: its number is the heading a citation names, the rest of its
# line is its first sentence, and its (一)/1. items are its content, not sub-sections.
_ARTICLE = re.compile(rf"^第{_NUM}条(?:之[一二三四五六七八九十])?")
_ARTICLE_LEVEL = 2
_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*)$")
_HEADING_LEVELS: tuple[tuple[re.Pattern[str], int], ...] = (
    (_VOLUME, -3),
    (_PART, -2),
    (_ANNEX, -1),
    (_CHAPTER, 0),
    (_SECTION, 1),
    (_H1, 1),
    (_H2, 2),
    (_H3, 3),
)
_BOX_LEVEL = 4  # a box nests under whatever heading it follows
# A question heading: a Q&A pair's 问 (问：…？, or a "…？" line followed by 答：) nests
# under the current section; a knowledge-base entry whose first line is its question has
# that question above everything else in it.
_ASKED = re.compile(r"^(?:问|Q)\s*[:：]\s*(\S.{0,78})$|^(\S.{1,78}[？?])$")
_ANSWERED = re.compile(r"^(?:答|A)\s*[:：]")
# A numbered line ending as an item ends ("1.新生儿户口簿；") is an item of a list: its
# words are content, never only a section's title. Under a heading naming a list (申请材料,
# 办理流程), so is any 1. line ("3.父母一方身份证。"); a title keeps its full stop elsewhere.
_ITEM_END = re.compile(r"[；;，,、]$")
# A service guide's field name alone on its line (申报材料, 办理程序：) heads what follows.
_FIELD_LEVEL = 1
_FIELD_TITLE = 10  # characters at most, its colon included
# A name, not a sentence, nor a line leading a list (需要申请材料如下：).
GUIDE_FIELD_END = re.compile(r"^(?!.*如下)[^，,。；;、]*[\u4e00-\u9fff][:：]?$")
_LIST_HEADING = re.compile(r"材料|资料|证件|条件|流程|步骤|程序|方式|途径|须知|对象|范围|情形|要求")
_ITEMS = (_H1, _H2, _H3)
# A heading title is short; a long line that merely starts with "一、" is prose.
_MAX_TITLE = 40
_CLAUSE_MARK = re.compile(r"[，；：,;:]")  # a title has none; a sentence has


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    raw: str

    @property
    def stripped(self) -> str:
        return self.raw.strip()

    @property
    def blank(self) -> bool:
        return not self.stripped

    @property
    def tab_led(self) -> bool:
        return self.raw.startswith("\t")

    @property
    def indented(self) -> bool:
        return self.raw.startswith("\u3000") or self.raw.startswith("  ")

    def span(self) -> Span:
        lead = len(self.raw) - len(self.raw.lstrip())
        trail = len(self.raw) - len(self.raw.rstrip())
        return (self.start + lead, self.end - trail)


@dataclass(frozen=True)
class Block:
    """Consecutive content of one section: paragraphs, or one table row."""

    section: SectionPath
    kind: ChunkKind
    paragraphs: tuple[Span, ...]
    table: TableCells | None = None


@dataclass(frozen=True)
class Heading:
    title: str
    level: int
    carries_body: bool  # "1.数位技术。瞄准…": the rest of the line is content


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


def clean_title(title: str) -> str:
    return " ".join(title.replace("\u3000", " ").split())


def match_heading(
    stripped: str, in_box: bool, in_article: bool = False, in_list: bool = False
) -> Heading | None:
    article = _ARTICLE.match(stripped)
    if article:
        rest = stripped[article.end() :].strip()
        return Heading(article.group(), _ARTICLE_LEVEL, carries_body=bool(rest))
    for pattern, level in _HEADING_LEVELS:
        if not pattern.match(stripped):
            continue
        if (in_box and level == 3) or (in_article and level >= 1 and pattern in _ITEMS):
            return None  # numbered items inside a box or an article are its content
        head, sep, rest = stripped.partition("。")
        if len(head) > _MAX_TITLE:
            return None
        item_line = pattern in _ITEMS and not rest.strip() and bool(_ITEM_END.search(stripped))
        if pattern is _H3 and (item_line or in_list):
            return None
        # A numbered line that is a whole sentence ("（二）其他参保人员：个人缴费标准为每人549元，
        # …。", a list item "（四）羁押期限届满，案件尚未办结的。") is content under its number:
        # its words must be in the passage, not only in the section's title.
        sentence = bool(sep) and bool(_CLAUSE_MARK.search(head))
        carries_body = bool(sep and rest.strip()) or sentence or item_line
        return Heading(clean_title(head), level, carries_body=carries_body)
    return None


def row_block(lines: list[Line], i: int) -> int:
    """End index (exclusive) of the table row starting at `i`, or `i` if none.

    A row is a run of non-blank lines with at least two tab-led lines (cells);
    untabbed lines continue the cell above.
    """
    j = i + 1
    while j < len(lines) and not lines[j].blank and not _ends_row(lines[j]):
        j += 1
    tabbed = sum(1 for line in lines[i:j] if line.tab_led)
    is_row = tabbed >= 2 and lines[i].tab_led and not _BOX.match(lines[i].stripped)
    return j if is_row else i


def _ends_row(line: Line) -> bool:
    """A box or a heading (not a numbered item: cells hold those) ends a table row."""
    text = line.stripped
    if _BOX.match(text):
        return True
    heading = None if line.tab_led else match_heading(text, in_box=True)
    return heading is not None and heading.level < 3


def row_cells(lines: list[Line]) -> tuple[str, ...]:
    cells: list[str] = []
    for line in lines:
        if line.tab_led or not cells:
            cells.append(line.stripped)
        else:
            cells[-1] = f"{cells[-1]}\n{line.stripped}"
    return tuple(cells)


def row_span(lines: list[Line]) -> Span:
    content = [line.span() for line in lines if not line.blank]
    return (content[0][0], content[-1][1])


def skip_blank(lines: list[Line], i: int) -> int:
    while i < len(lines) and lines[i].blank:
        i += 1
    return i


def table_title(lines: list[Line], first_row: int) -> str | None:
    """A short unindented line right above a table names it (e.g. 预期性指标)."""
    k = first_row - 1
    while k >= 0 and lines[k].blank:
        k -= 1
    if k < 0:
        return None
    line = lines[k]
    text = line.stripped
    if line.indented or line.tab_led or "。" in text or len(text) > _MAX_TITLE:
        return None
    if match_heading(text, in_box=False) or _BOX.match(text):
        return None
    return text


def looks_like_header(cells: tuple[str, ...]) -> bool:
    """Header cells are short labels (指标, 2025年, 类别), never sentences."""
    return all(len(c) <= 15 and not any(p in c for p in "。，、；") for c in cells)


_YEAR_CELL = re.compile(r"^(?:19|20)\d\d年?(?:[—-](?:19|20)\d\d年?)?$")
_HEADER_WORD = re.compile(r"^[（(][^）)]{1,8}[）)]$|单位|增长|增速|比重|%|基期|目标|预期|实际")


def second_header_row(cells: tuple[str, ...]) -> bool:
    """Cells that can only be a header's second row (基期 / 目标 above 2020年 / 2025年,
    units under the labels): short labels, no figure but a year, and something only a
    header row holds (a year column, a unit, a growth or share label)."""
    return (
        looks_like_header(cells)
        and all(not re.search(r"\d", c) or _YEAR_CELL.match(c) for c in cells)
        and any(_YEAR_CELL.match(c) or _HEADER_WORD.search(c) for c in cells)
    )


def continues_header(header: tuple[str, ...], cells: tuple[str, ...]) -> bool:
    """A header broken over two rows of the same width."""
    return len(cells) == len(header) and second_header_row(cells)


def joined_header(header: tuple[str, ...], cells: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{a}{''.join(b.split())}" for a, b in zip(header, cells, strict=True))


def parse_table(lines: list[Line], i: int, section: SectionPath) -> tuple[list[Block], int]:
    """Rows from `i` on, until a block that is not a row; returns (blocks, next index)."""
    title = table_title(lines, i)
    end = row_block(lines, i)
    header = tuple("".join(c.split()) for c in row_cells(lines[i:end]))
    if looks_like_header(header):
        i = skip_blank(lines, end)
        if (nxt := row_block(lines, i)) > i and continues_header(
            header, cells := row_cells(lines[i:nxt])
        ):
            header, i = joined_header(header, cells), skip_blank(lines, nxt)
    else:
        header = ()  # 专栏25 starts straight with data rows
    blocks: list[Block] = []
    while i < len(lines) and (end := row_block(lines, i)) > i:
        row = lines[i:end]
        table = TableCells(header=header, cells=row_cells(row), title=title)
        blocks.append(Block(section, "table_row", (row_span(row),), table))
        i = skip_blank(lines, end)
    return blocks, i


_PIPE_ROW = re.compile(r"^\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?\s*$")


def pipe_cells(line: Line) -> tuple[str, ...]:
    return tuple(" ".join(c.split()) for c in line.stripped.strip("|").split("|"))


def parse_pipe_table(lines: list[Line], i: int, section: SectionPath) -> tuple[list[Block], int]:
    """A Markdown-style table (| a | b |, a |---| rule under the header): one block per
    row, each with the header; rows end at the first line that is not a row."""
    title = table_title(lines, i)
    header = tuple("".join(c.split()) for c in pipe_cells(lines[i]))
    i += 1
    blocks: list[Block] = []
    while i < len(lines) and _PIPE_ROW.match(lines[i].stripped):
        line = lines[i]
        if _PIPE_RULE.match(line.stripped):
            pass
        elif not blocks and continues_header(header, cells := pipe_cells(line)):
            header = joined_header(header, cells)
        else:
            table = TableCells(header=header, cells=pipe_cells(line), title=title)
            blocks.append(Block(section, "table_row", (line.span(),), table))
        i += 1
    return blocks, i


def is_pipe_table(lines: list[Line], i: int) -> bool:
    """A pipe row followed by a rule line or another pipe row."""
    nxt = i + 1
    return (
        bool(_PIPE_ROW.match(lines[i].stripped))
        and lines[i].stripped.count("|") >= 3
        and nxt < len(lines)
        and bool(_PIPE_ROW.match(lines[nxt].stripped) or _PIPE_RULE.match(lines[nxt].stripped))
    )


# Cells of a one-line row: separated by tabs or by runs of two or more spaces (plain-text
# tables as statistical bulletins publish them: 指标  单位  绝对数  比上年增长%).
_CELL_GAP = re.compile(r"\t+|[ \u3000]{2,}")
_TAB = re.compile(r"\t+")
_MAX_CELL = 30


_MAX_TAB_CELL = 400  # a tab is a cell break for sure: a list's cells may be paragraphs


def line_cells(line: Line) -> tuple[str, ...]:
    """A line's cells: split at tabs, or at runs of spaces when every cell is short (two
    spaces inside prose are no cell break)."""
    tabbed = "\t" in line.stripped
    gap, longest = (_TAB, _MAX_TAB_CELL) if tabbed else (_CELL_GAP, _MAX_CELL)
    cells = tuple(c.strip() for c in gap.split(line.stripped))
    if len(cells) < 2 or any(not c or len(c) > longest for c in cells):
        return ()
    return cells


def is_line_table(lines: list[Line], i: int) -> bool:
    """Two or more consecutive one-line rows with the same number of cells, or a header
    whose last cell spans a second header row above such rows."""
    cells = line_cells(lines[i])
    width = len(cells)
    if width >= 2 and i + 1 < len(lines) and len(line_cells(lines[i + 1])) == width:
        # Long tab-split cells are a list's rows only under a header of short labels.
        return all(len(c) <= _MAX_CELL for c in cells) or looks_like_header(cells)
    return spanned_header(lines, i) is not None


def spanned_header(lines: list[Line], i: int) -> tuple[str, ...] | None:
    """ "省（市）  1995年招生人数  分年度招生任务" over "1996年  1997年  1998年" over rows
    of five cells: the last header cell spans the second row's, so the header reads
    分年度招生任务1996年, 分年度招生任务1997年, …"""
    if i + 3 >= len(lines):
        return None
    top, sub = line_cells(lines[i]), line_cells(lines[i + 1])
    width = len(line_cells(lines[i + 2]))
    if not (top and sub) or len(top) + len(sub) - 1 != width or width < 3:
        return None
    if len(line_cells(lines[i + 3])) != width or not looks_like_header(top):
        return None
    if not second_header_row(sub):
        return None
    return (*top[:-1], *joined_header((top[-1],) * len(sub), sub))


def header_labels(line: Line) -> tuple[str, ...]:
    """A header line's labels, spaces inside a label dropped (主 要 内 容 is 主要内容)."""
    return tuple("".join(c.split()) for c in line_cells(line))


def parse_line_table(lines: list[Line], i: int, section: SectionPath) -> tuple[list[Block], int]:
    title = table_title(lines, i)
    spanned = spanned_header(lines, i)
    header = spanned or header_labels(lines[i])
    i += 2 if spanned else 1
    if not spanned and i < len(lines) and continues_header(header, line_cells(lines[i])):
        header, i = joined_header(header, line_cells(lines[i])), i + 1
    return rows_under(lines, i, TableCells(header=header, cells=(), title=title), section)


def rows_under(
    lines: list[Line], i: int, open_table: TableCells, section: SectionPath
) -> tuple[list[Block], int]:
    """The one-line rows from `i` on that have as many cells as the open table's header,
    each read under that header."""
    header, title = open_table.header, open_table.title
    blocks: list[Block] = []
    while i < len(lines) and (labels := row_labels(header, lines[i])):
        table = TableCells(header=labels, cells=line_cells(lines[i]), title=title)
        blocks.append(Block(section, "table_row", (lines[i].span(),), table))
        i += 1
    return blocks, i


def row_labels(header: tuple[str, ...], line: Line) -> tuple[str, ...]:
    """The header labels a row's cells stand under: all of them for a full row; the last
    ones for a tab-split row that is short of its first cells, which a cell spanning
    several rows above it holds (一级指标 / 二级指标 of an indicator list)."""
    width = len(line_cells(line))
    if width == len(header):
        return header
    if 2 <= width < len(header) and "\t" in line.stripped:
        return header[-width:]
    return ()


def heading_title(lines: list[Line], i: int, heading: Heading) -> tuple[str, int]:
    """A chapter title broken over two lines ends in "，": join the next line."""
    title = heading.title
    if heading.level == 0 and title.endswith("，"):
        nxt = skip_blank(lines, i + 1)
        if nxt < len(lines) and not lines[nxt].indented:
            return title + clean_title(lines[nxt].stripped), nxt + 1
    return title, i + 1


class _SectionWalker:
    """Walks lines once, tracking the current section path and open box."""

    def __init__(self, lines: list[Line], entry: bool = False) -> None:
        self.lines = lines
        self.entry = entry
        self.path = SectionPath()
        self.in_box = False
        self.pending: list[Span] = []
        self.blocks: list[Block] = []
        self.in_article = False
        # A line table whose rows group under headings ("一、知识产权保护方面（共5项）"
        # between rows): after such a heading, rows of its width are still its rows.
        self.open_table: TableCells | None = None
        self.listing = False  # the last line led a list or was one of its items

    def flush(self) -> None:
        if self.pending:
            kind: ChunkKind = "box" if self.in_box else "text"
            self.blocks.append(Block(self.path, kind, tuple(self.pending)))
            self.pending = []

    def enter(self, title: str, level: int, article: bool = False) -> None:
        self.flush()
        self.listing = False
        self.in_box = level == _BOX_LEVEL
        if level <= _ARTICLE_LEVEL:
            self.in_article = article
        self.path = self.path.child(title, level)

    def leave_box(self) -> None:
        if self.in_box:
            self.flush()
            self.path = self.path.up_to(_BOX_LEVEL)
            self.in_box = False

    def walk(self) -> list[Block]:
        i = 0
        while i < len(self.lines):
            i = self.step(i)
        self.flush()
        return self.blocks

    def in_list(self) -> bool:
        """Numbered lines here are a list's items: under a heading naming a list, after a
        line leading one (申请材料：), or after an item."""
        return self.listing or bool(_LIST_HEADING.search(self.path.innermost))

    def question_level(self, i: int) -> int | None:
        """The level of a question heading at line `i`, None for another line."""
        first = not self.blocks and not self.pending and not self.path.parts
        if self.entry and first:
            return ENTRY_LEVEL
        asked = _ASKED.match(self.lines[i].stripped)
        if asked is None:
            return None
        nxt = skip_blank(self.lines, i + 1)
        answered = nxt < len(self.lines) and bool(_ANSWERED.match(self.lines[nxt].stripped))
        if asked.group(1) or answered:
            return QUESTION_LEVEL
        return ENTRY_LEVEL if first else None

    def heads_grouped_rows(self, i: int) -> bool:
        """A header line whose rows begin after a group heading: 序号 / 改革举措 / … over
        "一、知识产权保护方面（共5项）" over rows of as many cells."""
        cells = line_cells(self.lines[i])
        if len(cells) < 3 or not looks_like_header(cells):
            return False
        group = skip_blank(self.lines, i + 1)
        if group >= len(self.lines):
            return False
        heading = match_heading(self.lines[group].stripped, in_box=False)
        first = skip_blank(self.lines, group + 1)
        return (
            heading is not None
            and first < len(self.lines)
            and len(line_cells(self.lines[first])) == len(cells)
        )

    def step(self, i: int) -> int:
        line = self.lines[i]
        if line.blank:
            return i + 1
        if self.open_table is not None and row_labels(self.open_table.header, line):
            self.flush()
            rows, nxt = rows_under(self.lines, i, self.open_table, self.path)
            self.blocks.extend(rows)
            return nxt
        table = parse_pipe_table if is_pipe_table(self.lines, i) else None
        if table is None and row_block(self.lines, i) > i:
            table = parse_table
        if table is None and is_line_table(self.lines, i):
            table = parse_line_table
        if table is not None:
            self.flush()
            rows, nxt = table(self.lines, i, self.path)
            self.blocks.extend(rows)
            line_table = table is parse_line_table and rows and rows[-1].table
            self.open_table = line_table or None
            return nxt
        if self.heads_grouped_rows(i):
            self.flush()
            self.open_table = TableCells(header_labels(line), (), table_title(self.lines, i))
            return i + 1
        text = line.stripped
        if _BOX.match(text) and len(text) <= _MAX_TITLE:
            self.enter(clean_title(text), _BOX_LEVEL)
            return i + 1
        markdown = _MARKDOWN.match(text)
        if markdown:  # "## 第一章 总则": the words say the level; "# 条例" sits above all
            inner = match_heading(markdown.group(2), in_box=False)
            level = inner.level if inner else len(markdown.group(1)) - 7
            self.enter(clean_title(markdown.group(2)), level)
            return i + 1
        asked = self.question_level(i)
        if asked is not None:
            self.enter(clean_title(text), asked)
            return i + 1
        if len(text) <= _FIELD_TITLE and GUIDE_FIELD.match(text) and GUIDE_FIELD_END.search(text):
            self.enter(clean_title(text), _FIELD_LEVEL)
            return i + 1
        heading = match_heading(text, self.in_box, self.in_article, self.in_list())
        if heading is not None:
            title, nxt = heading_title(self.lines, i, heading)
            self.enter(title, heading.level, article=bool(_ARTICLE.match(text)))
            if heading.carries_body:
                self.pending.append(line.span())
            return nxt
        if self.in_box and line.indented:
            self.leave_box()  # an indented paragraph resumes the section's prose
        self.open_table = None  # prose ends the table; a heading alone does not
        self.pending.append(line.span())
        self.listing = text.endswith(("：", ":")) or bool(_H3.match(text))
        return i + 1


def parse_blocks(text: str, entry: bool = False) -> list[Block]:
    """`entry`: the text is a knowledge-base entry, its first line its question."""
    return _SectionWalker(split_lines(text), entry).walk()
