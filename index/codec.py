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


def chunk_from_dict(data: dict[str, Any]) -> Chunk:
    table = data.get("table")
    return Chunk(
        chunk_id=ChunkId(data["chunk_id"]),
        doc_id=data["doc_id"],
        section=SectionPath(tuple(data["section"]), tuple(data["levels"])),
        text=data["text"],
        start=data["start"],
        end=data["end"],
        kind=data["kind"],
        table=None
        if table is None
        else TableCells(tuple(table["header"]), tuple(table["cells"]), table["title"]),
    )


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
