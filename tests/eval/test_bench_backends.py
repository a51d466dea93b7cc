"""Smoke test of the backend benchmark: it runs both backends end to end and writes its
table; the numbers themselves are never pass/fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.bench_backends import main


def test_both_backends_measured_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--sizes", "400", "--queries", "5", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "backends.json").read_text("utf-8"))
    assert [r["backend"] for r in rows] == ["embedded", "milvus"]
    assert rows[0]["chunks"] == rows[1]["chunks"] >= 400
    assert all(r["search"]["n"] == 5 and r["add_one_s"] > 0 for r in rows)
    assert "| milvus |" in (tmp_path / "backends.md").read_text("utf-8")


def test_bad_sizes_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--sizes", "many"])
    assert exit_info.value.code == 2
