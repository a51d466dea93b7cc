"""The bundled corpus and its metadata; and loading arbitrary paths."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from corpus.faq import FaqColumns, faq_documents, is_sheet
from corpus.loaders import CorpusError, doc_id_for, document_from_bytes, guess_title
from corpus.models import Document, DocumentMeta
from corpus.normalize import detect_script, fold_compact
from corpus.scope import with_scope
from corpus.validity import with_validity

BUNDLED_DIR = Path(__file__).resolve().parent / "documents"
METADATA_FILE = "metadata.json"


def read_metadata(directory: Path) -> dict[str, DocumentMeta]:
    """Metadata by source file name, from `metadata.json` if the directory has one."""
    path = directory / METADATA_FILE
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        metas = [DocumentMeta(**entry) for entry in entries]
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise CorpusError(f"{path}: invalid metadata ({exc})") from exc
    return {m.source_file or m.doc_id: m for m in metas}


def derived(doc: Document) -> Document:
    """What ingest reads off a document's text, where its metadata does not say it: the
    regions it is about (corpus/scope.py) and when it is in force (corpus/validity.py)."""
    return with_validity(with_scope(doc))


def load_path(path: Path, meta: DocumentMeta | None = None) -> Document:
    provisional = meta or DocumentMeta(doc_id=doc_id_for(path), title=path.stem)
    doc = document_from_bytes(read_bytes(path), str(path), provisional)
    if meta is not None:
        return derived(as_entry(doc))
    guessed = DocumentMeta(
        doc_id=provisional.doc_id,
        title=guess_title(doc.text, path.stem),
        script=detect_script(doc.text),
        source_file=path.name,
    )
    return derived(as_entry(Document(meta=guessed, text=doc.text)))


ENTRY_MAX_CHARS = 3000  # a hotline answer or a guide item, not a plan or a regulation


def as_entry(doc: Document) -> Document:
    """A short document whose first line is its title is one knowledge-base entry: a
    hotline answer saved as a file. Its title heads every passage of it."""
    if doc.meta.entry or len(doc.text) > ENTRY_MAX_CHARS:
        return doc
    first = next((line.strip() for line in doc.text.splitlines() if line.strip()), "")
    if fold_compact(first) != fold_compact(doc.meta.title):
        return doc
    return Document(meta=replace(doc.meta, entry=True), text=doc.text)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the loadable files inside given directories, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.name != METADATA_FILE and p.name != "README.md"
            )
            if not found:
                raise CorpusError(f"{path}: directory holds no documents")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CorpusError(f"{path}: no such file or directory")
    return files


def load_documents(paths: Iterable[Path], columns: FaqColumns | None = None) -> list[Document]:
    """Load every document; metadata.json beside a file supplies its metadata. A sheet
    (.csv, .xlsx) of 问题/答案 rows gives one document per row, its columns found by
    their usual names or by `columns`."""
    docs: list[Document] = []
    seen: dict[str, Path] = {}
    for path in expand_paths(paths):
        for doc in load_file(path, columns):
            if doc.doc_id in seen:
                raise CorpusError(
                    f"{path}: document id {doc.doc_id!r} also used by {seen[doc.doc_id]}"
                )
            seen[doc.doc_id] = path
            docs.append(doc)
    return docs


def load_file(path: Path, columns: FaqColumns | None) -> list[Document]:
    if not is_sheet(path):
        return [load_path(path, read_metadata(path.parent).get(path.name))]
    return [derived(doc) for doc in faq_documents(read_bytes(path), str(path), columns)]


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from exc


def load_bundled() -> list[Document]:
    return load_documents([BUNDLED_DIR])
