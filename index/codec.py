"""Chunks and documents as JSON-ready dicts: the one encoding both backends store."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from corpus.models import Chunk, ChunkId, Document, DocumentMeta, SectionPath, TableCells


def chunk_to_dict(chunk: Chunk) -> dict[str, Any]:
    table = chunk.table
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "section": list(chunk.section.parts),
        "levels": list(chunk.section.levels),
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "table": None
        if table is None
        else {"header": list(table.header), "cells": list(table.cells), "title": table.title},
    }


def chunk_from_dict(data: dict[str, Any], shared: SharedValues | None = None) -> Chunk:
    """The chunk `data` encodes. Loading a whole index passes one `shared`, so the
    chunks of a section hold one SectionPath and one doc_id string between them, not a
    copy each (at 1M chunks, hundreds of megabytes)."""
    shared = shared or SharedValues()
    table = data.get("table")
    return Chunk(
        chunk_id=ChunkId(data["chunk_id"]),
        doc_id=shared.string(data["doc_id"]),
        section=shared.section(data["section"], data["levels"]),
        text=data["text"],
        start=data["start"],
        end=data["end"],
        kind=shared.string(data["kind"]),
        table=None
        if table is None
        else TableCells(
            tuple(shared.string(h) for h in table["header"]),
            tuple(table["cells"]),
            None if table["title"] is None else shared.string(table["title"]),
        ),
    )


class SharedValues:
    """One instance of each value many chunks repeat, for the life of one load."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._sections: dict[tuple[tuple[str, ...], tuple[int, ...]], SectionPath] = {}

    def string(self, value: Any) -> Any:
        return self._strings.setdefault(value, value)

    def section(self, parts: list[str], levels: list[int]) -> SectionPath:
        key = (tuple(parts), tuple(levels))
        found = self._sections.get(key)
        if found is None:
            found = SectionPath(tuple(self.string(p) for p in parts), key[1])
            self._sections[key] = found
        return found


def document_to_dict(doc: Document) -> dict[str, Any]:
    meta = doc.meta
    return {
        **asdict(meta),
        "aliases": list(meta.aliases),
        "regions": list(meta.regions),
        "places": list(meta.places),
        "text": doc.text,
    }


def document_from_dict(data: dict[str, Any]) -> Document:
    text = data.pop("text")
    return Document(meta=DocumentMeta(**data), text=text)
