"""Versions of one document: a changed document stored under an id already loaded becomes
that id's newest version, and the one it replaces is kept, under `{id}@v{n}`, for the
questions asked about the past (`as_of`).

A version is in force from its `effective_from`, or when its text states none, from the
day it was ingested (a first version, with no predecessor, from whenever its text says,
else always); it stops being in force on the day the next version starts
(`superseded_on`). Only the current version keeps the plain id, so citations and links
of today stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from corpus.models import Document

VERSION_MARK = "@v"


def archived_id(doc_id: str, version: int) -> str:
    return f"{doc_id}{VERSION_MARK}{version}"


def versions_of(documents: Mapping[str, Document], doc_id: str) -> list[Document]:
    """Every stored version of `doc_id`, oldest first; the current one last."""
    found = [d for d in documents.values() if d.meta.version_of == doc_id]
    current = documents.get(doc_id)
    found.sort(key=lambda d: d.meta.version)
    return [*found, current] if current is not None else found


def same_content(old: Document, new: Document) -> bool:
    return old.text == new.text


def versioned(
    current: Mapping[str, Document], incoming: Sequence[Document], today: date
) -> list[Document]:
    """`incoming`, each numbered as the next version of what `current` stores under its
    id, with the earlier versions of those ids kept (archived under `{id}@v{n}`). An
    unchanged document keeps its number and ingest date: loading a directory again
    makes no new versions."""
    result: list[Document] = []
    for doc in incoming:
        old = current.get(doc.doc_id)
        earlier = [d for d in current.values() if d.meta.version_of == doc.doc_id]
        if old is None:
            result.append(stamped(doc, 1 + len(earlier), today))
        elif same_content(old, doc):
            result.append(
                Document(
                    replace(doc.meta, version=old.meta.version, ingested_on=old.meta.ingested_on),
                    doc.text,
                )
            )
        else:
            new = stamped(doc, old.meta.version + 1, today)
            starts = new.meta.effective_from or today.isoformat()
            result.append(archived(old, starts))
            result.append(new)
        result.extend(earlier)
    return result


def stamped(doc: Document, version: int, today: date) -> Document:
    """`doc` as version `version`, ingested today. A later version whose text states no
    start is in force from today: the day it replaced its predecessor."""
    meta = replace(doc.meta, version=version, ingested_on=today.isoformat())
    if version > 1 and not meta.effective_from:
        meta = replace(meta, effective_from=today.isoformat())
    return Document(meta, doc.text)


def archived(doc: Document, superseded_on: str) -> Document:
    """`doc` kept as an earlier version of its id, in force until `superseded_on`."""
    meta = replace(
        doc.meta,
        doc_id=archived_id(doc.doc_id, doc.meta.version),
        version_of=doc.doc_id,
        superseded_on=superseded_on,
    )
    return Document(meta, doc.text)


__all__ = ["VERSION_MARK", "archived_id", "versioned", "versions_of"]
