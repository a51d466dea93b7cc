"""Knowledge bases in the shape governments keep them: a sheet of 问题 / 答案 rows (with an
optional 处理单位 and 关键字), as .csv or .xlsx. Each row is one entry, stored as its own
document: its question on the first line, its answer after it, cited like any passage.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import PurePath

from corpus.loaders import SHEET_SUFFIXES, CorpusError, decode_text, slug
from corpus.models import Document, DocumentMeta
from corpus.normalize import detect_script, strip_invisible

MAX_ROWS = 100_000
MAX_CELL = 20_000  # characters: an answer longer than this is not a hotline answer


@dataclass(frozen=True)
class FaqColumns:
    """Which header names the question, the answer, and the optional unit, keywords
    and id; each field is a header name of the sheet."""

    question: str | None = None
    answer: str | None = None
    unit: str | None = None
    keywords: str | None = None
    id: str | None = None


# Headers a sheet commonly uses, tried when `--columns` does not name one.
USUAL: dict[str, tuple[str, ...]] = {
    "question": ("问题", "用户问题", "标准问题", "常见问题", "问", "question"),
    "answer": ("答案", "回答", "答复", "答复内容", "答", "answer"),
    "unit": ("处理单位", "责任单位", "承办单位", "答复单位", "部门", "unit"),
    "keywords": ("关键字", "关键词", "keywords"),
    "id": ("编号", "id"),
}


def parse_columns(spec: str) -> FaqColumns:
    """ "question=用户问题,answer=答案,unit=处理单位" → FaqColumns."""
    known = {f.name for f in fields(FaqColumns)}
    given: dict[str, str] = {}
    for part in (p.strip() for p in re.split(r"[,，]", spec) if p.strip()):
        role, sep, header = (x.strip() for x in part.partition("="))
        if not sep or not header:
            raise CorpusError(f"--columns: {part!r} is not ROLE=HEADER")
        if role not in known:
            raise CorpusError(f"--columns: unknown role {role!r}; expected {', '.join(known)}")
        given[role] = header
    return FaqColumns(**given)


def is_sheet(path: PurePath) -> bool:
    return path.suffix.lower() in SHEET_SUFFIXES


def sheet_rows(data: bytes, name: str) -> list[list[str]]:
    """The sheet's rows as strings, header first."""
    if PurePath(name).suffix.lower() == ".xlsx":
        return xlsx_rows(data, name)
    text = decode_text(data, name)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise CorpusError(f"{name}: not a readable CSV ({exc})") from exc


def xlsx_rows(data: bytes, name: str) -> list[list[str]]:
    import openpyxl  # imported here: only a sheet upload needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorpusError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                raise CorpusError(f"{name}: more than {MAX_ROWS} rows")
        return rows
    finally:
        book.close()


def column_of(header: Sequence[str], role: str, named: str | None, name: str) -> int | None:
    """The index of the column for `role`: the one `named`, else a usual header."""
    cleaned = [strip_invisible(h).strip() for h in header]
    if named is not None:
        if named not in cleaned:
            raise CorpusError(
                f"{name}: no column {named!r} for {role}; the header has {', '.join(cleaned)}"
            )
        return cleaned.index(named)
    return next((cleaned.index(h) for h in USUAL[role] if h in cleaned), None)


def faq_documents(
    data: bytes, name: str, columns: FaqColumns | None = None, stem: str | None = None
) -> list[Document]:
    """One document per row holding both a question and an answer; their ids are
    `stem` (default: the file's name) and the row's id or number."""
    rows = [r for r in sheet_rows(data, name) if any(c.strip() for c in r)]
    if not rows:
        raise CorpusError(f"{name}: empty sheet")
    header, body = rows[0], rows[1:]
    chosen = columns or FaqColumns()
    at = {
        role: column_of(header, role, getattr(chosen, role), name)
        for role in ("question", "answer", "unit", "keywords", "id")
    }
    if at["question"] is None or at["answer"] is None:
        raise CorpusError(
            f"{name}: no question or answer column in the header ({', '.join(header)}); "
            "name them with --columns question=…,answer=…"
        )
    stem = stem or slug(PurePath(name).stem) or "kb"
    docs = [doc for n, row in enumerate(body, start=1) if (doc := entry(row, n, at, stem))]
    if not docs:
        raise CorpusError(f"{name}: no row holds both a question and an answer")
    ids_unique(docs, name)
    return docs


def cell(row: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return strip_invisible(row[index]).replace("\r\n", "\n").replace("\r", "\n").strip()


def entry(row: Sequence[str], number: int, at: dict[str, int | None], stem: str) -> Document | None:
    question = " ".join(cell(row, at["question"]).split())
    answer = cell(row, at["answer"])
    if not question or not answer:
        return None
    if len(answer) > MAX_CELL:
        answer = answer[:MAX_CELL]
    own_id = slug(cell(row, at["id"]))
    keywords = keywords_of(row, at["keywords"])
    # The row's keywords stay with it, as the sheet's last column says them.
    said = f"\n关键字：{'、'.join(keywords)}" if keywords else ""
    text = f"{question}\n{answer}{said}\n"
    unit = cell(row, at["unit"]) or None
    meta = DocumentMeta(
        doc_id=f"{stem}-{own_id or f'{number:04d}'}",
        title=question[:120],
        issuer=unit,
        script=detect_script(text),
        source_file=stem,
        unit=unit,
        entry=True,
    )
    return Document(meta=meta, text=text)


def keywords_of(row: Sequence[str], index: int | None) -> tuple[str, ...]:
    return tuple(k for k in re.split(r"[,，、;；\s]+", cell(row, index)) if k)


def ids_unique(docs: Iterable[Document], name: str) -> None:
    seen: set[str] = set()
    for doc in docs:
        if doc.doc_id in seen:
            raise CorpusError(f"{name}: two rows have the id {doc.doc_id!r}")
        seen.add(doc.doc_id)
