"""The console's API end to end on a real service object (fake embedder): the question
log and its privacy, 未答问题, curated answers with their grounding rule, usage, keys
issued and revoked, and the console page's headers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KEYS_FILE
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

EDITOR = {"X-API-Key": "editor-key"}
OTHER_DOC = "other"  # a document that says nothing of 驿站
OTHER_TEXT = "科技创新规划\n一、发展目标\n到2025年，技术合同成交额突破500亿元。\n"
ADMIN = {"X-API-Key": "admin-key"}
DOCUMENT = """青年人才驿站管理办法
第一条 为吸引青年人才来本市求职创业，设立青年人才驿站，为来本市求职的高校毕业生提供免费住宿。
第二条 申请入住的青年人才须为毕业五年内的全日制高校毕业生，持身份证和毕业证书在线预约。
第三条 每人每年可免费入住一次，免费住宿期限最长为14天。
"""
PHONE, ID_NUMBER, EMAIL = "13812345678", "11010119900307123X", "zhang.san@example.com"
PERSONAL = f"我是张三，电话{PHONE}，身份证{ID_NUMBER}，邮箱{EMAIL}，驿站能停车吗"
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def make_client(data: Path, question_log: str = "refused") -> TestClient:
    settings = Settings(
        data_dir=data,
        embedder="fake",
        rate_limit_per_minute=0,
        api_keys="editor:editor-key,admin:admin-key",
        question_log=question_log,  # type: ignore[arg-type]
    )
    # Only small documents: a fresh index per test costs a second, not five.
    docs = data.parent / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "other.txt").write_text(OTHER_TEXT, "utf-8")
    ingest(settings, [docs], embedder=FakeEmbedder())
    service = QAService(settings, SearchEngine(settings, embedder=FakeEmbedder()))
    client = TestClient(create_app(settings, service))
    files = {"file": ("youth.txt", DOCUMENT.encode(), "text/plain")}
    assert client.post("/v1/documents", headers=EDITOR, files=files).status_code == 201
    return client


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return make_client(tmp_path / "data")


def passage(client: TestClient, marker: str) -> dict[str, object]:
    chunks = client.get("/v1/documents/youth/chunks", headers=EDITOR).json()
    return next(c for c in chunks if marker in c["text"])


def draft(client: TestClient, **changes: object) -> dict[str, object]:
    cited = passage(client, "第三条")
    return {
        "question": "驿站最多能免费住几天",
        "variants": ["驿站免费住宿多久"],
        "answer": "14天",
        "answer_kind": "figure",
        "doc_id": "youth",
        "start": cited["start"],
        "end": cited["end"],
        "author": "王编辑",
        "expires_on": NEXT_YEAR,
    } | changes


def test_no_personal_data_reaches_the_data_directory(client: TestClient, tmp_path: Path) -> None:
    refused = client.post("/v1/ask", json={"question": PERSONAL}).json()
    assert refused["refused"]
    vote = {"rating": "down", "question": PERSONAL, "answer": None, "refused": True,
            "comment": f"请回电{PHONE}"}  # fmt: skip
    assert client.post("/v1/feedback", json=vote).status_code == 201
    groups = client.get("/v1/questions/unanswered", headers=EDITOR).json()["groups"]
    asked = [q["question"] for g in groups for q in g["questions"]]
    assert any("[手机号]" in q and "[身份证号]" in q and "[邮箱]" in q for q in asked), asked
    assert {"disliked", "no_evidence"} <= {r for g in groups for r in g["reasons"]}
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    for secret in (PHONE, ID_NUMBER, EMAIL):
        assert secret.encode() not in stored, secret


def test_question_log_off_keeps_nothing(tmp_path: Path) -> None:
    client = make_client(tmp_path / "data", "off")
    client.post("/v1/ask", json={"question": "驿站能停车吗"})
    assert not (tmp_path / "data" / "questions.sqlite").exists()
    assert client.get("/v1/questions/unanswered", headers=EDITOR).json() == {
        "mode": "off",
        "groups": [],
    }
    usage = client.get("/v1/usage?days=3", headers=EDITOR).json()
    assert usage["refusal_rate"] is None and len(usage["days"]) == 3


def test_question_log_all_counts_answers_and_cited_sections(tmp_path: Path) -> None:
    client = make_client(tmp_path / "data", "all")
    for question in ["免费住宿期限最长多少天", "免费住宿期限最长多少天", "驿站能停车吗"]:
        client.post("/v1/ask", json={"question": question})
    usage = client.get("/v1/usage?days=1", headers=EDITOR).json()
    today = usage["days"][-1]
    assert today["asked"] == 3 and usage["top_questions"][0]["count"] == 2
    assert usage["refusal_rate"] == round(today["refused"] / 3, 4)
    assert usage["top_sections"] and usage["top_sections"][0]["doc_id"] == "youth"


def test_a_curated_answer_must_be_in_its_passage_or_be_a_statement(client: TestClient) -> None:
    unstated = client.post("/v1/curated", headers=EDITOR, json=draft(client, answer="30天"))
    assert unstated.status_code == 422
    assert "does not state this answer" in unstated.json()["detail"]
    moved = client.post("/v1/curated", headers=EDITOR, json=draft(client, start=1, end=9))
    assert moved.status_code == 422 and "no indexed passage" in moved.json()["detail"]
    long = draft(client, answer="很长" * 50)
    assert client.post("/v1/curated", headers=EDITOR, json=long).status_code == 422
    past = draft(client, expires_on="2020-01-01")
    assert client.post("/v1/curated", headers=EDITOR, json=past).status_code == 422
    statement = draft(
        client, answer="30天（以驿站通知为准）", answer_kind="passage", statement=True
    )
    assert client.post("/v1/curated", headers=EDITOR, json=statement).status_code == 201


def test_a_matching_question_gets_the_curated_answer_and_counts_a_use(client: TestClient) -> None:
    saved = client.post("/v1/curated", headers=EDITOR, json=draft(client)).json()
    got = client.post("/v1/ask", json={"question": "驿站免费住宿多久？"}).json()
    assert got["curated"] and got["answer"] == "14天" and got["reason"] is None
    assert got["answer_kind"] == "figure" and got["curated_entry"]["author"] == "王编辑"
    cited = got["citations"][0]
    assert cited["doc_id"] == "youth" and "14天" in cited["text"]
    assert got["sentence"] and "14天" in got["sentence"]
    a, b = got["highlight"]["answer"]
    assert cited["text"][a:b] == "14天"
    elsewhere = client.post(
        "/v1/ask", json={"question": "驿站免费住宿多久", "doc_ids": [OTHER_DOC]}
    )
    assert not elsewhere.json()["curated"]
    later = {"question": "驿站免费住宿多久", "as_of": str(date.today() + timedelta(days=400))}
    assert not client.post("/v1/ask", json=later).json()["curated"]
    tested = {"query": "驿站免费住宿多久", "explain": True}
    explained = client.post("/v1/search", headers=EDITOR, json=tested).json()["explain"]
    assert explained["answer"]["rule"] == "curated"  # seen by staff, not counted as a use
    listed = client.get("/v1/curated", headers=EDITOR).json()
    assert [(e["id"], e["uses"], e["state"]) for e in listed] == [(saved["id"], 1, "active")]
    assert listed[0]["title"] == "青年人才驿站管理办法" and "14天" in listed[0]["passage"]


def test_an_entry_whose_document_is_gone_is_broken_and_unused(client: TestClient) -> None:
    entry = draft(client)
    saved = client.post("/v1/curated", headers=EDITOR, json=entry).json()
    assert client.delete("/v1/documents/youth", headers=EDITOR).status_code == 200
    assert client.get("/v1/curated", headers=EDITOR).json()[0]["state"] == "broken"
    assert not client.post("/v1/ask", json={"question": "驿站免费住宿多久"}).json()["curated"]
    changed = client.put(f"/v1/curated/{saved['id']}", headers=EDITOR, json=entry)
    assert changed.status_code == 422  # its passage is gone: it cannot be saved as it was
    assert client.delete(f"/v1/curated/{saved['id']}", headers=EDITOR).status_code == 200
    assert client.delete(f"/v1/curated/{saved['id']}", headers=EDITOR).status_code == 404


def test_issued_keys_work_until_revoked_and_are_stored_as_digests(
    client: TestClient, tmp_path: Path
) -> None:
    made = client.post("/v1/keys", headers=ADMIN, json={"role": "viewer", "label": "热线"})
    assert made.status_code == 201
    key = made.json()["key"]
    assert "key" not in client.get("/v1/keys", headers=ADMIN).json()[0]
    assert key.encode() not in (tmp_path / "data" / KEYS_FILE).read_bytes()
    assert client.get("/v1/whoami", headers={"X-API-Key": key}).json()["role"] == "viewer"
    upload = {"file": ("a.txt", "测试\n第一条 内容。".encode(), "text/plain")}
    assert client.post("/v1/documents", headers={"X-API-Key": key}, files=upload).status_code == 403
    assert client.delete(f"/v1/keys/{made.json()['id']}", headers=ADMIN).status_code == 200
    assert client.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 401


def test_the_console_page_is_locked_down(client: TestClient) -> None:
    page = client.get("/admin/")
    assert page.status_code == 200 and "管理控制台" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert client.get("/admin/admin.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/admin/../api/app.py").status_code == 404
    assert client.get("/admin/secrets.txt").status_code == 404
