"""The bundled corpus and its metadata; and loading arbitrary paths."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path

from corpus.faq import FaqColumns, faq_documents, is_sheet
from corpus.loaders import CorpusError, doc_id_for, document_from_bytes, guess_title
from corpus.models import Document, DocumentMeta
from corpus.normalize import detect_script, fold_compact
from corpus.scope import with_scope
from corpus.validity import with_validity

BUNDLED_DIR = Path(__file__).resolve().parent / "documents"
METADATA_FILE = "metadata.json"


METADATA_SHAPE = (
    'a JSON list with one object per document, e.g. [{"doc_id": "plan-2025", '
    '"title": "…", "source_file": "plan.txt", "issuer": "…", "date": "2025-01-31"}]'
)


def json_kind(value: object) -> str:
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def read_metadata(directory: Path) -> dict[str, DocumentMeta]:
    """Metadata by source file name, from `metadata.json` if the directory has one."""
    path = directory / METADATA_FILE
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: not readable JSON ({exc}); expected {METADATA_SHAPE}") from exc
    if not isinstance(entries, list):
        raise CorpusError(f"{path}: found a JSON {json_kind(entries)}, expected {METADATA_SHAPE}")
    return {m.source_file or m.doc_id: m for m in map(metadata_entry(path), enumerate(entries))}


def metadata_entry(path: Path) -> Callable[[tuple[int, object]], DocumentMeta]:
    fields = ", ".join(f.name for f in dataclass_fields(DocumentMeta))

    def read(numbered: tuple[int, object]) -> DocumentMeta:
        number, entry = numbered
        where = f"{path}: entry {number + 1}"
        if not isinstance(entry, dict):
            raise CorpusError(f"{where} is a JSON {json_kind(entry)}; expected {METADATA_SHAPE}")
        unknown = sorted(set(entry) - {f.name for f in dataclass_fields(DocumentMeta)})
        if unknown:
            raise CorpusError(f"{where}: unknown field(s) {', '.join(unknown)}; fields: {fields}")
        try:
            return DocumentMeta(**entry)
        except (TypeError, ValueError) as exc:
            raise CorpusError(f"{where}: {exc}") from exc

    return read


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
                if p.is_file()
                and p.name not in (METADATA_FILE, "README.md")
                and not p.name.startswith(".")  # .DS_Store, .gitkeep: not content
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
    """Every document, stopping at the first that cannot be read (`load_corpus` strict)."""
    return load_corpus(paths, columns, strict=True).documents


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass
class LoadedCorpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def load_corpus(
    paths: Iterable[Path],
    columns: FaqColumns | None = None,
    strict: bool = False,
    on_file: Callable[[int, int], None] | None = None,
) -> LoadedCorpus:
    """Load every document; metadata.json beside a file supplies its metadata. A sheet
    (.csv, .xlsx) of 问题/答案 rows gives one document per row, its columns found by
    their usual names or by `columns`.

    A file that cannot be read, is empty or is not a document is skipped with its reason
    (`strict`: the first one raises), so one bad file among thousands costs only
    itself. Metadata that is wrong always raises: it speaks for a whole directory.
    `on_file(done, total)` follows the files read."""
    files = expand_paths(paths)
    metadata = {d: read_metadata(d) for d in dict.fromkeys(f.parent for f in files)}
    loaded = LoadedCorpus()
    seen: dict[str, Path] = {}
    for done, path in enumerate(files, start=1):
        try:
            docs = load_file(path, columns, metadata[path.parent])
            for doc in docs:
                if doc.doc_id in seen:
                    raise CorpusError(
                        f"{path}: document id {doc.doc_id!r} also used by {seen[doc.doc_id]}"
                    )
        except CorpusError as exc:
            if strict:
                raise
            reason = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
            loaded.skipped.append(Skipped(path, reason))
        else:
            seen.update((doc.doc_id, path) for doc in docs)
            loaded.documents.extend(docs)
        if on_file is not None:
            on_file(done, len(files))
    if not loaded.documents:
        raise CorpusError(
            f"no document could be read ({len(loaded.skipped)} skipped; first: "
            f"{loaded.skipped[0].path}: {loaded.skipped[0].reason})"
        )
    return loaded


def load_file(
    path: Path, columns: FaqColumns | None, metadata: dict[str, DocumentMeta] | None = None
) -> list[Document]:
    if not is_sheet(path):
        known = read_metadata(path.parent) if metadata is None else metadata
        return [load_path(path, known.get(path.name))]
    return [derived(doc) for doc in faq_documents(read_bytes(path), str(path), columns)]


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from exc


def load_bundled() -> list[Document]:
    return load_documents([BUNDLED_DIR])
