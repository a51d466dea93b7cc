"""Index generations on disk, published atomically.

Layout under the data directory:

    CURRENT                   name of the live generation (replaced with os.replace)
    generations/<name>/       manifest.json, documents.jsonl, chunks.jsonl,
                              bm25_tokens.jsonl, dense.faiss
    embeddings.sqlite         the embedding cache

A new generation is written to a temporary directory beside the others, every file
fsynced, the directory renamed into place, and only then CURRENT is switched. A reader
therefore sees the old generation or the new one, never half of one; killing an ingest
at any moment leaves CURRENT pointing at a complete generation.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from scipy import sparse

from corpus.chunking import CHUNKER_VERSION
from index.bm25 import SparseBM25Scorer
from index.build import HybridIndex
from index.codec import (
    SharedValues,
    chunk_from_dict,
    chunk_to_dict,
    document_from_dict,
    document_to_dict,
)
from index.errors import IndexMismatchError, IndexStoreError, NoIndexError, WriterBusyError
from index.tokenize import TOKENIZER_VERSION

# 2: BM25 stored as its weight matrix (loaded memory-mapped), not as token lists.
FORMAT_VERSION = 2
CURRENT = "CURRENT"
GENERATIONS = "generations"
CACHE_FILE = "embeddings.sqlite"
KEEP_GENERATIONS = 2
_BM25_ARRAYS = ("bm25_data.npy", "bm25_indices.npy", "bm25_indptr.npy")
_FILES = ("documents.jsonl", "chunks.jsonl", "bm25_vocab.json", *_BM25_ARRAYS, "dense.faiss")
log = logging.getLogger(__name__)


def _write_jsonl(path: Path, rows: Iterator[Any] | list[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def _read_jsonl(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time; a second ingest fails at once instead of interleaving."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".ingest.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WriterBusyError(f"{data_dir}: another ingest is running") from exc
        yield


def read_current_name(data_dir: Path) -> str:
    """The name CURRENT points at, or "" if there is none: one small read, cheap enough
    to do before every question."""
    try:
        return (data_dir / CURRENT).read_text("utf-8").strip()
    except OSError:
        return ""


def write_generation_files(directory: Path, index: HybridIndex) -> dict[str, Any]:
    directory.mkdir(parents=True)
    _write_jsonl(
        directory / "documents.jsonl", [document_to_dict(d) for d in index.documents.values()]
    )
    _write_jsonl(directory / "chunks.jsonl", [chunk_to_dict(c) for c in index.chunks])
    write_bm25(directory, index.bm25)
    faiss.write_index(index.dense, str(directory / "dense.faiss"))
    for name in _FILES:
        _fsync_path(directory / name)
    return {
        "format_version": FORMAT_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": {"name": index.embedder_name, "dim": index.dim},
        "tokenizer": TOKENIZER_VERSION,
        "chunker": CHUNKER_VERSION,
        "bm25": index.bm25.name,
        "counts": {"documents": len(index.documents), "chunks": len(index.chunks)},
        "checksums": {name: _sha256(directory / name) for name in _FILES},
    }


def write_bm25(directory: Path, scorer: SparseBM25Scorer) -> None:
    terms = sorted(scorer.vocabulary, key=scorer.vocabulary.__getitem__)
    (directory / "bm25_vocab.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")
    weights = scorer.weights
    for name, array in zip(
        _BM25_ARRAYS, (weights.data, weights.indices, weights.indptr), strict=True
    ):
        np.save(directory / name, array)


def read_bm25(directory: Path, n_chunks: int) -> SparseBM25Scorer:
    """Memory-mapped: a 100k-chunk matrix is ready at once, paged in as queries touch it."""
    terms: list[str] = json.loads((directory / "bm25_vocab.json").read_text("utf-8"))
    data, indices, indptr = (np.load(directory / name, mmap_mode="r") for name in _BM25_ARRAYS)
    weights = sparse.csc_matrix((data, indices, indptr), shape=(n_chunks, len(terms)), copy=False)
    return SparseBM25Scorer(weights, {term: i for i, term in enumerate(terms)})


def publish_generation(data_dir: Path, index: HybridIndex) -> Path:
    """Write `index` as a new generation and make it current, atomically."""
    generations = data_dir / GENERATIONS
    generations.mkdir(parents=True, exist_ok=True)
    # Microseconds first: names sort in publishing order, which fallback relies on.
    name = datetime.now(UTC).strftime("gen-%Y%m%d-%H%M%S-%f-") + os.urandom(3).hex()
    staging = generations / f".tmp-{name}"
    manifest = write_generation_files(staging, index)
    manifest["generation"] = name
    manifest_path = staging / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    _fsync_path(manifest_path)
    _fsync_path(staging)
    final = generations / name
    os.replace(staging, final)
    _fsync_path(generations)
    pointer_tmp = data_dir / f".{CURRENT}.tmp"
    with pointer_tmp.open("w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer_tmp, data_dir / CURRENT)
    _fsync_path(data_dir)
    prune_generations(data_dir, keep=name)
    return final


def clean_abandoned(data_dir: Path) -> int:
    """Remove what a killed writer left half-built; skipped while a writer is running."""
    generations = data_dir / GENERATIONS
    if not generations.is_dir():
        return 0
    try:
        with ingest_lock(data_dir):
            stale = [*generations.glob(".tmp-*"), *data_dir.glob(f".{CURRENT}.tmp")]
            for path in stale:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
    except IndexStoreError:
        return 0  # another process is writing: its staging directory is not abandoned
    if stale:
        log.warning("removed %d half-built index file(s) left by an interrupted writer", len(stale))
    return len(stale)


def prune_generations(data_dir: Path, keep: str) -> None:
    """Drop abandoned staging directories and all but the newest generations."""
    generations = data_dir / GENERATIONS
    for stale in generations.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    done = sorted(p for p in generations.iterdir() if not p.name.startswith("."))
    old = [p for p in done if p.name != keep][: max(len(done) - KEEP_GENERATIONS, 0)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)


def current_generation(data_dir: Path) -> Path:
    pointer = data_dir / CURRENT
    if not pointer.is_file():
        raise NoIndexError(f"no index in {data_dir}: run `qa ingest` to build one")
    name = pointer.read_text(encoding="utf-8").strip()
    path = data_dir / GENERATIONS / name
    if not name or not (path / "manifest.json").is_file():
        raise IndexStoreError(
            f"{data_dir}: CURRENT names missing generation {name!r}; run `qa ingest`"
        )
    return path


def read_manifest(generation: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((generation / "manifest.json").read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexStoreError(
            f"{generation}: unreadable manifest ({exc}); run `qa ingest`"
        ) from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{generation}: index format {manifest.get('format_version')} is not "
            f"{FORMAT_VERSION}; run `qa ingest` to rebuild it"
        )
    return manifest


def verify_generation(generation: Path, manifest: dict[str, Any]) -> None:
    for name, expected in manifest["checksums"].items():
        path = generation / name
        if not path.is_file() or _sha256(path) != expected:
            raise IndexStoreError(
                f"{path}: missing or corrupt (checksum mismatch); run `qa ingest`"
            )


def check_embedder(manifest: dict[str, Any], embedder_name: str, dim: int) -> None:
    built = manifest["embedder"]
    if built["name"] != embedder_name or built["dim"] != dim:
        raise IndexMismatchError(
            f"the index was built with embedder {built['name']!r} (dim {built['dim']}), "
            f"but the settings select {embedder_name!r} (dim {dim}). Run `qa ingest` to "
            "rebuild the index with the current embedder, or set QA_EMBEDDER to the one "
            "it was built with."
        )


def published_generations(data_dir: Path) -> list[Path]:
    """Complete generations, newest first."""
    generations = data_dir / GENERATIONS
    if not generations.is_dir():
        return []
    done = [p for p in generations.iterdir() if not p.name.startswith(".") and p.is_dir()]
    return sorted(done, key=lambda p: p.name, reverse=True)


def load_index(data_dir: Path, embedder_name: str, dim: int) -> HybridIndex:
    """The current generation, verified. If it is damaged, the newest older generation
    that verifies is served instead, with a loud log line; an index built with another
    embedder is refused outright."""
    try:
        current: Path | None = current_generation(data_dir)
    except NoIndexError:
        raise
    except IndexStoreError as exc:
        log.error("%s", exc)
        current = None
    older = [g for g in published_generations(data_dir) if g != current]
    first_error: IndexStoreError | None = None
    for generation in [g for g in (current, *older) if g is not None]:
        try:
            index = load_generation(generation, embedder_name, dim)
        except IndexMismatchError:
            raise
        except IndexStoreError as exc:
            log.error("index generation %s is damaged: %s", generation.name, exc)
            first_error = first_error or exc
            continue
        if generation != current:
            log.critical(
                "serving previous index generation %s because the current one is damaged; "
                "run `qa ingest` to publish a good one",
                generation.name,
            )
        return index
    raise first_error or NoIndexError(f"no index in {data_dir}: run `qa ingest` to build one")


def load_generation(generation: Path, embedder_name: str, dim: int) -> HybridIndex:
    manifest = read_manifest(generation)
    check_embedder(manifest, embedder_name, dim)
    verify_generation(generation, manifest)
    try:
        documents = [document_from_dict(d) for d in _read_jsonl(generation / "documents.jsonl")]
        shared = SharedValues()
        with (generation / "chunks.jsonl").open(encoding="utf-8") as fh:
            chunks = [chunk_from_dict(json.loads(line), shared) for line in fh if line.strip()]
        bm25 = read_bm25(generation, len(chunks))
        dense = faiss.read_index(str(generation / "dense.faiss"))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexStoreError(f"{generation}: unreadable ({exc}); run `qa ingest`") from exc
    if len(chunks) != manifest["counts"]["chunks"] or dense.ntotal != len(chunks):
        raise IndexStoreError(f"{generation}: chunk counts disagree; run `qa ingest`")
    return HybridIndex(
        documents={d.doc_id: d for d in documents},
        chunks=chunks,
        bm25=bm25,
        dense=dense,
        embedder_name=manifest["embedder"]["name"],
        dim=manifest["embedder"]["dim"],
        generation=generation.name,
    )
