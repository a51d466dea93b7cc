"""Reading documents from disk: one `Loader` per format, one place that picks it.

Later formats (html, docx, pdf) plug in by adding a loader to `LOADERS`.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from pathlib import Path, PurePath
from typing import Protocol

from corpus.boilerplate import strip_boilerplate
from corpus.models import Document, DocumentMeta


class CorpusError(ValueError):
    """A document that cannot be read; the message names the file."""


class Loader(Protocol):
    suffixes: tuple[str, ...]

    def extract(self, data: bytes, name: str) -> str:
        """The document's text; raises CorpusError naming `name` when it cannot."""
        ...


# Control characters other than tab/newline/CR mean the bytes are not text.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; reject binary input.

    Line endings are normalised to "\\n": the decoded, normalised string is the stored
    text that every chunk offset refers to.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{name}: marked UTF-16 but not decodable as it") from exc
    if b"\x00" in data:
        raise CorpusError(f"{name}: binary file (contains NUL bytes), not a text document")
    text: str | None = None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise CorpusError(f"{name}: not decodable as UTF-8 or GB18030")
    if _BINARY_CONTROL.search(text) or _mostly_unprintable(text):
        raise CorpusError(f"{name}: binary or corrupt content, not a text document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _mostly_unprintable(text: str) -> bool:
    # GB18030 decodes almost any byte string; random bytes give private-use and
    # unassigned code points, which real policy text never has in bulk.
    if not text:
        return False
    odd = sum(1 for ch in text if unicodedata.category(ch) in ("Co", "Cn", "Cs"))
    return odd / len(text) > 0.01


class PlainTextLoader:
    suffixes: tuple[str, ...] = (".txt", ".md")

    def extract(self, data: bytes, name: str) -> str:
        return decode_text(data, name)


class HtmlLoader:
    """Visible text of an HTML page, one block per line (BeautifulSoup, stdlib parser)."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def extract(self, data: bytes, name: str) -> str:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(decode_text(data, name), "html.parser")
        for hidden in soup(["script", "style", "head", "noscript"]):
            hidden.decompose()
        for row in soup.find_all("tr"):
            # Our table convention: one tab-led cell per line, rows apart by a blank line.
            cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
            row.replace_with("\n" + "".join(f"\t{c}\n" for c in cells) + "\n")
        return _tidy(soup.get_text("\n"))


MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000


def check_unzipped_size(data: bytes, name: str) -> None:
    """Refuse a zip bomb before python-docx inflates it: the central directory states
    every member's size, so this costs nothing. (The cap is far above any real policy
    document; a member lying about its size still stops zipfile at the stated size.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorpusError(f"{name}: not a readable .docx ({exc.__class__.__name__})") from exc
    inflated = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or inflated > MAX_UNZIPPED_BYTES:
        raise CorpusError(
            f"{name}: expands to {inflated // (1024 * 1024)} MiB in {len(members)} parts; "
            "refused as a likely zip bomb"
        )


class DocxLoader:
    """Paragraphs and tables of a .docx, in document order (python-docx)."""

    suffixes: tuple[str, ...] = (".docx",)

    def extract(self, data: bytes, name: str) -> str:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        check_unzipped_size(data, name)
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several unrelated types on bad zips
            raise CorpusError(f"{name}: not a readable .docx ({exc.__class__.__name__})") from exc
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    lines.extend(f"\t{cell.text}" for cell in row.cells)
                    lines.append("")
        return _tidy("\n".join(lines))


class PdfLoader:
    """Text of a PDF with a text layer (pypdf); scanned images are refused, not guessed."""

    suffixes: tuple[str, ...] = (".pdf",)

    def extract(self, data: bytes, name: str) -> str:
        from pypdf import PdfReader

        # pypdf logs what it trips over ("EOF marker not found") besides raising; the
        # refusal below already says it, once, with the file's name.
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        try:
            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception as exc:  # malformed PDFs raise well beyond pypdf's own errors
            raise CorpusError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from exc
        if not text.strip():
            raise CorpusError(f"{name}: the PDF has no text layer (scanned?); OCR it first")
        return _tidy(text)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


LOADERS: tuple[Loader, ...] = (PlainTextLoader(), HtmlLoader(), DocxLoader(), PdfLoader())
# 问题/答案 sheets: many documents from one file, read by corpus/faq.py.
SHEET_SUFFIXES = (".csv", ".xlsx")


def document_from_bytes(data: bytes, name: str, meta: DocumentMeta) -> Document:
    """A document from uploaded or read bytes: the loader is picked by `name`'s suffix."""
    text = strip_boilerplate(loader_for(Path(name)).extract(data, name))
    if not text.strip():
        raise CorpusError(f"{name}: empty document")
    return Document(meta=meta, text=text)


def loader_for(path: PurePath) -> Loader:
    for loader in LOADERS:
        if path.suffix.lower() in loader.suffixes:
            return loader
    known = ", ".join([*(s for loader in LOADERS for s in loader.suffixes), *SHEET_SUFFIXES])
    raise CorpusError(f"{path}: unsupported format {path.suffix or '(none)'}; expected {known}")


def slug(text: str) -> str:
    """Word characters and hyphens, lower case: what an id may hold."""
    return re.sub(r"[^\w\-]+", "-", text).strip("-").lower()


def doc_id_for(path: PurePath) -> str:
    """A stable id from the file name: what citations and filters refer to."""
    stem = slug(path.stem)
    if not stem:
        raise CorpusError(f"{path}: cannot derive a document id from the file name")
    return stem


def guess_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return fallback
