"""Values that cross the corpus stage boundary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NewType, get_args

ChunkId = NewType("ChunkId", str)
Script = Literal["simplified", "traditional"]
ChunkKind = Literal["text", "box", "table_row"]
# Levels of question headings (corpus/sections.py): a Q&A pair's 问 nests under the
# current section; a knowledge-base entry's own question sits above all its headings.
QUESTION_LEVEL = 5
ENTRY_LEVEL = -4
QUESTION_LEVELS = frozenset({QUESTION_LEVEL, ENTRY_LEVEL})


@dataclass(frozen=True, slots=True)
class SectionPath:
    """Headings from the outermost (第X章) to the innermost (专栏N, 1.).

    `levels` holds each heading's rank, so a document without chapters (the action plan
    starts at 一、) nests the same way as one with them.
    """

    parts: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()

    def child(self, heading: str, level: int) -> SectionPath:
        """The path with `heading` at rank `level`; headings at that rank or deeper go."""
        keep = sum(1 for lv in self.levels if lv < level)
        return SectionPath((*self.parts[:keep], heading), (*self.levels[:keep], level))

    def up_to(self, level: int) -> SectionPath:
        """The path without headings at rank `level` or deeper."""
        keep = sum(1 for lv in self.levels if lv < level)
        return SectionPath(self.parts[:keep], self.levels[:keep])

    def display(self) -> str:
        return " > ".join(self.parts)

    @property
    def innermost(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def asked(self) -> str:
        """The question a Q&A answer or a knowledge-base entry answers, "" for none: what
        every passage of that answer is about, though only its first says it."""
        asked = self.questions()
        return asked[-1] if asked else ""

    @property
    def in_entry(self) -> bool:
        """The passage answers a knowledge-base entry: a document whose title is the
        question it answers."""
        return bool(self.levels) and self.levels[0] == ENTRY_LEVEL

    @property
    def entry_answer(self) -> bool:
        """The passage is an entry's answer itself, under no heading of its own: a hotline
        answer, not an item of a guide that is filed as one entry."""
        return self.levels == (ENTRY_LEVEL,)

    @property
    def root_question(self) -> str:
        """The outermost question above the passage: its entry's, or its pair's."""
        asked = self.questions()
        return asked[0] if asked else ""

    def questions(self) -> list[str]:
        """The question headings of the path, outermost first."""
        return [p for p, lv in zip(self.parts, self.levels, strict=False) if lv in QUESTION_LEVELS]

    def heading_words(self) -> str:
        """What a passage's headings say about it: the innermost heading, and the question
        it answers when that is another."""
        asked = self.asked
        inner = self.innermost
        return inner if asked in ("", inner) else f"{asked} {inner}"


# in_force, expired (its 有效期 ran out), repealed (废止, by hand or by a newer loaded
# document), draft (征求意见稿: set by hand), not_yet (its 施行 date is still to come),
# superseded (an earlier version of a document whose next version has taken over).
ValidityStatus = Literal["in_force", "expired", "repealed", "draft", "not_yet", "superseded"]


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str
    title: str
    issuer: str | None = None
    date: str | None = None
    doc_number: str | None = None
    script: Script = "simplified"
    source_file: str | None = None
    aliases: tuple[str, ...] = ()  # short names a citizen uses: 十四五规划, 行动计划
    # Derived at ingest (corpus/scope.py) unless metadata.json states them: the regions
    # the document is the policy of (its title's and issuer's, or the one its text keeps
    # naming), and every region its text names at all.
    regions: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    # Set once they were derived, also when the text names no place: loading 17,000
    # documents must not read every text again to find nothing (minutes at 1M chunks).
    scoped: bool = False
    # The unit that answers for a knowledge-base entry (处理单位), shown with its citation.
    unit: str | None = None
    # A knowledge-base entry (a row of a 问题/答案 sheet): its first line is its question,
    # the heading every passage of its answer is read under.
    entry: bool = False
    # When it is in force (corpus/validity.py reads these from its text at ingest unless
    # given): ISO dates, a status set by hand (None: follows from the dates), the titles
    # it repeals (《…》同时废止) and the id of the document that repealed it.
    effective_from: str | None = None
    expires_on: str | None = None
    status: ValidityStatus | None = None
    supersedes: tuple[str, ...] = ()
    repealed_by: str | None = None
    # Versions (corpus/versions.py): this one's number, the day it was ingested, and for
    # an earlier version kept beside the current one, the id it is a version of and the
    # day the next version took over.
    version: int = 1
    ingested_on: str | None = None
    version_of: str | None = None
    superseded_on: str | None = None

    def __post_init__(self) -> None:
        # JSON gives lists; keep the value hashable and immutable like the rest.
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(self, "supersedes", tuple(self.supersedes))
        for name in ("effective_from", "expires_on", "ingested_on", "superseded_on"):
            value = getattr(self, name)
            if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                raise ValueError(f"{name} must be a date YYYY-MM-DD, got {value!r}")
        if self.status is not None and self.status not in get_args(ValidityStatus):
            raise ValueError(f"status must be one of {', '.join(get_args(ValidityStatus))}")
        object.__setattr__(self, "regions", tuple(self.regions))
        object.__setattr__(self, "places", tuple(self.places))


@dataclass(frozen=True)
class Document:
    """A decoded document. `text` is what offsets point into and what users see."""

    meta: DocumentMeta
    text: str

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id


@dataclass(frozen=True, slots=True)
class TableCells:
    """A table row's cells with the header they need to be read."""

    header: tuple[str, ...]
    cells: tuple[str, ...]
    title: str | None = None

    def context(self) -> str:
        header = " / ".join(h for h in self.header if h)
        return f"{self.title}：{header}" if self.title else header

    def reading(self) -> str:
        """The row read against its header: "指标：技术合同成交额（亿元）；2020年：267.8；…"."""
        pairs = []
        for i, cell in enumerate(self.cells):
            label = self.header[i] if i < len(self.header) else ""
            if cell:
                pairs.append(f"{label}：{cell}" if label else cell)
        return "；".join(pairs)

    @property
    def label(self) -> str:
        """The row's label: its first cell of words (江苏, 新塘街, 技术合同成交额（亿元）),
        past a serial number; "" for a row of figures only."""
        return next((c for c in self.cells if re.search(r"[\u4e00-\u9fff]", c)), "")

    def value_for(self, column: str) -> str | None:
        """The cell under the header column whose label contains `column`."""
        for i, label in enumerate(self.header):
            if column in label and i < len(self.cells):
                return self.cells[i]
        return None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage: `text == document.text[start:end]`, never crossing a section.

    `context` is shown beside the text but never part of it: for a table row it is
    the table's header (and title), so "267.8 500" reads as 2020年/2025年.
    """

    chunk_id: ChunkId
    doc_id: str
    section: SectionPath
    text: str
    start: int
    end: int
    kind: ChunkKind = "text"
    table: TableCells | None = None

    @property
    def context(self) -> str | None:
        return self.table.context() if self.table else None
