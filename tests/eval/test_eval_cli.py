"""`qa eval` end to end on the fake embedder: files written, recomputable, gated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main
from qa.settings import Settings


@pytest.fixture
def ingested(fake_settings: Settings) -> Settings:
    assert main(["ingest", "--quiet"]) == 0
    return fake_settings


def test_eval_writes_results_report_and_baseline(
    ingested: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"id": "a", "question": "到2025年技术合同成交额目标是多少", "answers": ["500亿元"],'
        ' "evidence": ["全省技术合同成交额突破500亿元"], "type": "figure"}\n'
        '{"id": "b", "question": "吉林省的目标是多少", "answers": [], "evidence": [],'
        ' "type": "unanswerable"}\n',
        "utf-8",
    )
    out, report, baseline = tmp_path / "results.jsonl", tmp_path / "report", tmp_path / "base.json"
    args = ["eval", "--gold", str(gold), "--out", str(out), "--report", str(report)]
    assert main([*args, "--write-baseline", str(baseline)]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["refused"] is True
    assert (report / "report.md").is_file() and (report / "chart.png").is_file()
    first = (report / "report.md").read_text("utf-8")

    again = tmp_path / "again"
    assert main(["eval", "--from-results", str(out), "--report", str(again)]) == 0
    assert (again / "report.md").read_text("utf-8") == first

    assert main(["eval", "--from-results", str(out), "--compare", str(baseline)]) == 0
    stored = json.loads(baseline.read_text("utf-8"))
    stored["metrics"]["refusals.recall"] = 1.5  # an impossible bar: must regress
    baseline.write_text(json.dumps(stored), "utf-8")
    capsys.readouterr()
    assert main(["eval", "--from-results", str(out), "--compare", str(baseline)]) == 1
    assert "REGRESSED" in capsys.readouterr().out


def test_gold_without_answers_is_answered_not_scored(
    ingested: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "ids.jsonl"
    gold.write_text('{"id": 1, "question": "技术合同成交额"}\n'.replace("1", '"1"'), "utf-8")
    out = tmp_path / "r.jsonl"
    assert main(["eval", "--gold", str(gold), "--out", str(out)]) == 0
    row = json.loads(out.read_text("utf-8"))
    assert row["graded"] is False and "scores" not in row and "answer" in row
    assert "no gold" in capsys.readouterr().out


def test_bad_gold_exits_2(ingested: Settings, tmp_path: Path) -> None:
    gold = tmp_path / "bad.jsonl"
    gold.write_text("not json\n", "utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--gold", str(gold)])
    assert exc.value.code == 2
