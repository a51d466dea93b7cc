from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main
from qa.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(params=["embedded", "milvus"])
def ingested(
    fake_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Settings:
    """The same commands on either backend (Milvus: a Milvus Lite file in the data dir)."""
    monkeypatch.setenv("QA_BACKEND", request.param)
    code, out, _ = run(capsys, "ingest", "--quiet")
    assert code == 0 and "documents: 2" in out and "chunks:" in out
    assert f"backend: {request.param}" in out
    return Settings()


def test_ask_json_contract(ingested: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "到2025年技术合同成交额目标是多少", "--json")
    body = json.loads(out)
    assert code == 0 and body["citations"] and not body["refused"], body
    assert body["citations"][0]["doc_id"] == "hlj-sti-14th-five-year-plan-2021"


def test_search_json_contract(ingested: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "技术合同成交额", "-k", "3", "--json")
    assert code == 0
    body = json.loads(out)
    assert body["query"] == "技术合同成交额" and len(body["results"]) == 3
    for hit in body["results"]:
        assert set(hit) >= {"doc_id", "title", "section", "text", "start", "end", "score"}


def test_search_text_output(ingested: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "高新技术企业", "-k", "2")
    assert code == 0 and out.startswith("1. [")


def test_batch_one_line_per_input(
    ingested: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "技术合同成交额", "extra": 1}\n\n{"id": 7, "question": "人才"}\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "search", "--batch", str(batch), "-k", "2")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["id"] for line in lines] == ["a", 7]
    assert all(len(line["results"]) == 2 for line in lines)


def test_batch_bad_lines_reported_not_lost(
    ingested: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('not json\n{"id": 1}\n{"id": 2, "question": "人才"}\n', encoding="utf-8")
    code, out, err = run(capsys, "search", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and "2 batch line(s)" in err
    assert [("error" in line) for line in lines] == [True, True, False]


def test_ask_batch_lines_carry_history(
    ingested: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    history = [{"question": "到2025年技术合同成交额目标是多少", "answer": "500亿元"}]
    lines = [
        {"id": "follow", "question": "那2026年呢？", "history": history},
        {"id": "alone", "question": "那2026年呢？"},
        {"id": "bad", "question": "那2026年呢？", "history": [{"answer": "500亿元"}]},
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    code, out, err = run(capsys, "ask", "--batch", str(batch))
    follow, alone, bad = (json.loads(line) for line in out.splitlines())
    assert follow["understood_as"] == "到2026年技术合同成交额目标是多少"
    assert follow["carried"] == ["subject", "ask"]
    assert alone["understood_as"] == "那2026年呢？" and alone["carried"] == []
    assert "history turn needs a 'question'" in bad["error"]
    assert code == 2 and "1 batch line(s)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("search", "技术", "-k", "0"), "between 1 and 100"),
        (("search", "技术", "-k", "x"), "whole number"),
        (("search",), "exactly one"),
        (("search", "   "), "empty"),
        (("search", "--batch", "/nonexistent.jsonl"), "cannot open"),
        (("search", "技术", "--doc", "nope"), "unknown document"),
        (("search", "技术", "--mode", "magic"), "invalid choice"),
        (("ingest", "/nonexistent/dir"), "no such file"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_exits_2(
    ingested: Settings, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


@pytest.mark.parametrize("backend", ["embedded", "milvus"])
def test_no_index_and_bad_settings(
    fake_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    monkeypatch.setenv("QA_BACKEND", backend)
    code, _, err = run(capsys, "search", "技术")
    assert code == 2 and "qa ingest" in err
    monkeypatch.setenv("QA_TOP_K", "0")
    code, _, err = run(capsys, "search", "技术")
    assert code == 2 and "invalid settings" in err
    monkeypatch.setenv("QA_TOP_K", "5")
    monkeypatch.setenv("QA_MILVUS_URI", "ftp://nowhere")
    code, _, err = run(capsys, "search", "技术")
    assert code == 2 and "QA_MILVUS_URI" in err


def test_failed_ingest_keeps_previous_index(
    ingested: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    code, _, err = run(capsys, "ingest", str(binary))
    assert code == 2 and "scan.txt" in err
    code, out, _ = run(capsys, "search", "技术合同成交额", "--json")
    assert code == 0 and json.loads(out)["results"]


def test_workers_refused_on_a_milvus_lite_file(
    fake_settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_BACKEND", "milvus")
    code, _, err = run(capsys, "serve", "--workers", "2")
    assert code == 2 and "Milvus Lite" in err and "QA_MILVUS_URI=http" in err


def test_as_of_asks_about_the_past_and_a_changed_file_is_a_version(
    fake_settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    fee = docs / "fee.txt"
    fee.write_text("某市停车收费标准\n第一条 路内停车每小时收费6元。\n", "utf-8")
    (docs / "trainee.txt").write_text(
        "某市见习补贴办法\n第一条 见习补贴每月2000元。\n"
        "第二条 本办法自2018年3月1日起施行，有效期3年。\n",
        "utf-8",
    )
    assert run(capsys, "ingest", str(docs), "--quiet")[0] == 0
    fee.write_text("某市停车收费标准\n第一条 路内停车每小时收费8元。\n", "utf-8")
    assert run(capsys, "ingest", str(docs), "--quiet")[0] == 0
    code, out, _ = run(capsys, "ask", "路内停车每小时收费多少元")
    assert code == 0 and "8元" in out.splitlines()[0]
    code, out, _ = run(capsys, "ask", "见习补贴每月多少元")
    assert code == 0 and "只有《某市见习补贴办法》写到这一点，而该文件已失效" in out
    lines = [
        {"id": "past", "question": "见习补贴每月多少元", "as_of": "2019-06-01"},
        {"id": "bad", "question": "见习补贴每月多少元", "as_of": "去年"},
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    code, out, _ = run(capsys, "ask", "--batch", str(batch), "--as-of", "2030-01-01")
    past, bad = (json.loads(line) for line in out.splitlines())
    assert past["answer"] == "2000元" and "as_of must be a date" in bad["error"] and code == 2
    code, out, _ = run(capsys, "search", "路内停车", "--as-of", "2000-01-01", "--json")
    # In 2000 the first fee schedule was in force and the trainee measure not yet.
    assert {h["doc_id"] for h in json.loads(out)["results"]} == {"fee@v1"}
    code, _, err = run(capsys, "ask", "问题", "--as-of", "2025-13-01")
    assert code == 2 and "expected a date YYYY-MM-DD" in err


@pytest.mark.parametrize(
    ("written", "cap"),
    [("max 100000", None), ("100000 100000", 1), ("50000 100000", 1), ("x", None)],
)
def test_serve_counts_the_cores_a_container_quota_allows(
    tmp_path: Path, written: str, cap: int | None
) -> None:
    import os

    from qa.cli import available_cores

    (tmp_path / "cpu.max").write_text(written)
    visible = len(os.sched_getaffinity(0))
    assert available_cores(tmp_path / "cpu.max") == (min(visible, cap) if cap else visible)
    assert available_cores(tmp_path / "missing") == visible


def test_serve_refuses_zero_workers(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--workers", "0")
    assert code == 2 and "--workers must be at least 1" in err
