"""Reading documents from disk: one `Loader` per format, one place that picks it.

Later formats (html, docx, pdf) plug in by adding a loader to `LOADERS`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from typing import Protocol

from corpus.models import Document, DocumentMeta


class CorpusError(ValueError):
    """A document that cannot be read; the message names the file."""


class Loader(Protocol):
    suffixes: tuple[str, ...]

    def load(self, path: Path, meta: DocumentMeta) -> Document: ...


# Control characters other than tab/newline/CR mean the bytes are not text.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; reject binary input.

    Line endings are normalised to "\\n": the decoded, normalised string is the stored
    text that every chunk offset refers to.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
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

    def load(self, path: Path, meta: DocumentMeta) -> Document:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read ({exc.strerror})") from exc
        text = decode_text(data, str(path))
        if not text.strip():
            raise CorpusError(f"{path}: empty document")
        return Document(meta=meta, text=text)


LOADERS: tuple[Loader, ...] = (PlainTextLoader(),)


def loader_for(path: Path) -> Loader:
    for loader in LOADERS:
        if path.suffix.lower() in loader.suffixes:
            return loader
    known = ", ".join(s for loader in LOADERS for s in loader.suffixes)
    raise CorpusError(f"{path}: unsupported format {path.suffix or '(none)'}; expected {known}")


def doc_id_for(path: Path) -> str:
    """A stable id from the file name: what citations and filters refer to."""
    stem = re.sub(r"[^\w\-]+", "-", path.stem).strip("-").lower()
    if not stem:
        raise CorpusError(f"{path}: cannot derive a document id from the file name")
    return stem


def guess_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return fallback
