"""`qa ingest DIR` over a large directory with bad files among the good: the bad ones
are skipped and named, the rest indexed, exit 1; `--strict` stops at the first; an
interrupted run embeds again only what it had not embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.synthetic import BAD_FILES, write_bulk_corpus
from index.embedders import FakeEmbedder, FloatMatrix
from qa.engine import SearchEngine, ingest
from qa.settings import Settings
from tests.qa.test_cli import run


@pytest.mark.slow
def test_two_thousand_documents_with_five_bad_files_index_in_one_run(
    fake_settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = write_bulk_corpus(tmp_path / "kb", 2000)
    code, out, err = run(capsys, "ingest", "--quiet", str(tmp_path / "kb"))
    assert code == 1
    assert "documents: 2000  chunks: " in out and "skipped: 5" in out
    named = [line for line in err.splitlines() if line.startswith("skipped: ")]
    assert sorted(Path(line.split(": ")[1]).name for line in named) == bad
    assert any("empty document" in line for line in named)
    stored = SearchEngine(fake_settings).backend.documents
    assert len(stored) == 2000 and {"entry-00000", "entry-01999"} <= set(stored)


def test_strict_stops_at_the_first_bad_file(
    fake_settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_bulk_corpus(tmp_path / "kb", 3)
    code, _, err = run(capsys, "ingest", "--quiet", "--strict", str(tmp_path / "kb"))
    assert code == 2 and "blank.md: empty document" in err
    assert not any(fake_settings.data_dir.glob("gen-*"))  # nothing was published


def test_a_directory_of_only_bad_files_is_an_error(
    fake_settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    code, _, err = run(capsys, "ingest", "--quiet", str(tmp_path))
    assert code == 2 and "no document could be read (5 skipped" in err


class CountingEmbedder(FakeEmbedder):
    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.embedded = 0
        self.stop_after = stop_after

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        if self.stop_after is not None and self.embedded >= self.stop_after:
            raise KeyboardInterrupt  # the operator's Ctrl-C, mid-run
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_an_interrupted_ingest_resumes_without_embedding_twice(
    fake_settings: Settings, tmp_path: Path
) -> None:
    write_bulk_corpus(tmp_path / "kb", 120)
    first = CountingEmbedder(stop_after=64)
    with pytest.raises(KeyboardInterrupt):
        ingest(fake_settings, [tmp_path / "kb"], first, strict=False)
    assert first.embedded == 64
    second = CountingEmbedder()
    result = ingest(fake_settings, [tmp_path / "kb"], second, strict=False)
    assert result.report.embedded == second.embedded == result.report.chunks - 64
    assert len(result.skipped) == len(BAD_FILES)
