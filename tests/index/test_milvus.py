"""What only the Milvus backend has to prove: crash safety without transactions, orphan
sweeping, a shared store's change notice, and clear errors (Milvus Lite, real engine)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.models import Document, DocumentMeta
from index.backend import SearchRequest
from index.embedders import FakeEmbedder
from index.errors import BackendError, BackendUnavailableError, IndexMismatchError
from index.milvus import MilvusBackend, analyzer_params, quoted, state_version
from index.tokenize import Tokenizer
from qa.settings import Settings

FAKE = FakeEmbedder()
TOKENIZER = Tokenizer()
OLD = Document(DocumentMeta("notice", "通知"), "一、目标\n到2025年，旧指标达到3个。\n")
NEW = Document(DocumentMeta("notice", "通知"), "一、目标\n到2025年，新指标达到9个。\n")
OTHER = Document(DocumentMeta("other", "其他"), "一、说明\n其他内容。\n")


def backend(tmp_path: Path) -> MilvusBackend:
    return MilvusBackend(str(tmp_path / "m.db"), FAKE, TOKENIZER, 300)


def rows(b: MilvusBackend, collection: str, doc_id: str) -> int:
    found = b.client.query(collection, filter=f"doc_id == {quoted(doc_id)}", output_fields=["key"])
    return len(found)


def request_for(query: str) -> SearchRequest:
    return SearchRequest(query, FAKE.embed_queries([query]), k=10, pool=50)


def texts(b: MilvusBackend, query: str) -> list[str]:
    return [h.chunk.text for h in b.search(request_for(query))]


def backend_on(other: MilvusBackend) -> MilvusBackend:
    """A second writer on the same store (in-process: a Lite file has one owner)."""
    return MilvusBackend(other.uri, FAKE, TOKENIZER, 300, client=other.client)


def test_crash_before_the_head_switch_leaves_the_old_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])

    def crash(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("killed")

    monkeypatch.setattr(MilvusBackend, "commit", crash)
    with pytest.raises(RuntimeError, match="killed"):
        writer.replace_all([NEW, OTHER])
    monkeypatch.undo()
    reader = writer.reopened()
    assert reader.documents["notice"] == OLD
    assert rows(reader, reader.chunks_name, "notice") == 2  # old and orphaned new rows
    assert not any("新指标" in t for t in texts(reader, "指标达到"))  # orphans never shown
    writer.sweep_grace_s = 0
    writer.replace_all([OLD, OTHER])  # the next write sweeps them
    assert rows(reader, reader.chunks_name, "notice") == 1


def test_crash_after_the_switch_shows_only_the_new_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])
    monkeypatch.setattr(MilvusBackend, "sweep", lambda *_: None)
    writer.replace_all([NEW, OTHER])  # committed, but the old rows were not deleted
    monkeypatch.undo()
    reader = writer.reopened()
    assert reader.documents["notice"] == NEW
    assert rows(reader, reader.chunks_name, "notice") == 2
    found = texts(reader, "指标达到")
    assert any("新指标" in t for t in found) and not any("旧指标" in t for t in found)
    assert reader.chunks_of("notice")[0].text.startswith("到2025年，新指标")
    writer.sweep_grace_s = 0
    writer.replace_all([NEW, OTHER])
    assert rows(reader, reader.chunks_name, "notice") == 1


def test_crash_before_the_version_moves_is_repaired_by_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])
    replica = writer.reopened()
    real = MilvusBackend.write_state

    def die_on_clear(self: MilvusBackend, version: str, pending: bool) -> None:
        if not pending:
            raise RuntimeError("killed")
        real(self, version, pending)

    monkeypatch.setattr(MilvusBackend, "write_state", die_on_clear)
    with pytest.raises(RuntimeError, match="killed"):
        writer.replace_all([NEW, OTHER])  # heads switched, version not moved
    monkeypatch.undo()
    assert state_version(writer.read_state()) == replica.version  # replicas cannot tell yet
    repaired = writer.replace_all([NEW, OTHER])  # nothing to write, but `pending` is set
    assert repaired.version != replica.version
    assert replica.reopened().documents["notice"] == NEW


def test_a_new_document_crashed_before_its_head_is_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OTHER])
    monkeypatch.setattr(MilvusBackend, "commit", lambda *_a, **_k: "")
    writer.add([OLD])
    monkeypatch.undo()
    reader = writer.reopened()
    assert set(reader.documents) == {"other"} and rows(reader, reader.chunks_name, "notice") == 1
    writer.sweep_grace_s = 0
    writer.replace_all([OTHER])
    assert (
        rows(reader, reader.chunks_name, "notice") == rows(reader, reader.docs_name, "notice") == 0
    )


def test_a_concurrent_writers_uncommitted_rows_survive_a_sweep(tmp_path: Path) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OTHER])
    in_flight = backend_on(writer)  # another process, mid-upload: rows written, no head
    embedded = in_flight.embed([OLD], None, None)
    in_flight.write_rows([OLD], embedded)
    writer.replace_all([OTHER, Document(DocumentMeta("third", "第三"), "一、说明\n第三份。\n")])
    in_flight.commit(state_version(in_flight.read_state()), [OLD], embedded)
    assert writer.reopened().documents["notice"] == OLD
    assert writer.reopened().chunks_of("notice")


def test_an_incomplete_document_is_left_out_not_fatal(tmp_path: Path) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])
    # As two writers of one id could leave it: a head naming a part that is gone.
    writer.client.delete(writer.docs_name, filter='doc_id == "notice" and part >= 0')
    reader = writer.reopened()
    assert set(reader.documents) == {"other"}
    assert all(h.chunk.doc_id == "other" for h in reader.search(request_for("其他内容")))


def test_another_embedder_cannot_add_to_the_store(tmp_path: Path) -> None:
    backend(tmp_path).replace_all([OLD, OTHER])
    other = MilvusBackend(str(tmp_path / "m.db"), FakeEmbedder(dim=32), TOKENIZER, 300)
    with pytest.raises(IndexMismatchError, match="qa ingest"):
        other.add([Document(DocumentMeta("third", "第三"), "一、说明\n第三份。\n")])
    with pytest.raises(IndexMismatchError):
        other.delete(["other"])


def test_control_characters_in_ids_are_refused(tmp_path: Path) -> None:
    bad = Document(DocumentMeta("a\x01b", "坏"), "一、说明\n内容。\n")
    with pytest.raises(BackendError, match="control"):
        backend(tmp_path).replace_all([bad])


def test_a_milvus_failure_is_backend_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pymilvus.exceptions import MilvusException

    writer = backend(tmp_path)
    writer.replace_all([OTHER])
    reader = writer.reopened()

    def down(*_a: object, **_k: object) -> None:
        raise MilvusException(message="server unavailable")

    monkeypatch.setattr(reader.client, "hybrid_search", down)
    with pytest.raises(BackendUnavailableError, match="server unavailable"):
        reader.search(request_for("其他内容"))


def test_unchanged_ingest_keeps_the_version(tmp_path: Path) -> None:
    writer = backend(tmp_path)
    first = writer.replace_all([OLD, OTHER]).version
    again = writer.replace_all([OLD, OTHER])
    assert again.version == first and again.written == 0


def test_a_changed_chunker_rewrites_every_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = backend(tmp_path)
    first = writer.replace_all([OLD, OTHER])
    revisions = {d: h.rev for d, h in writer.read_heads().items()}
    monkeypatch.setattr("index.milvus.writes.CHUNKER_VERSION", "another-heading-rule")
    again = writer.replace_all([OLD, OTHER])
    assert again.added == ("notice", "other") and again.written == first.written > 0
    assert again.version != first.version
    changed = {d: h.rev for d, h in writer.read_heads().items()}
    assert set(changed) == set(revisions) and not set(changed.values()) & set(revisions.values())


def test_another_process_sees_a_change_within_a_second(tmp_path: Path) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])
    reader = writer.reopened()  # stands for another replica: its own snapshot and clock
    seen = reader.published_version()
    changed = writer.add([Document(DocumentMeta("third", "第三"), "一、说明\n第三份。\n")])
    assert reader.published_version() == seen  # read at most once a second
    time.sleep(1.05)
    assert reader.published_version() == changed.version


def test_analyzer_uses_our_dictionary_and_stop_words() -> None:
    params = analyzer_params(TOKENIZER)
    assert params["tokenizer"]["type"] == "jieba"
    assert params["tokenizer"]["dict"][0] == "_default_"
    assert "技术合同成交额" in params["tokenizer"]["dict"]
    assert "的" in params["filter"][1]["stop_words"] and "removepunct" in params["filter"]


def test_a_lite_file_open_elsewhere_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pymilvus import MilvusClient; "
            f"MilvusClient({str(path)!r}); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackendError, match=r"one process at a time.*QA_MILVUS_URI=http"):
            MilvusBackend(str(path), FAKE, TOKENIZER, 300)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("uri", ["milvus.sqlite", "ftp://host:19530", "/data/index"])
def test_settings_refuse_an_unusable_uri(uri: str) -> None:
    with pytest.raises(ValueError, match="QA_MILVUS_URI"):
        Settings(backend="milvus", milvus_uri=uri)


def test_settings_default_to_a_lite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(backend="milvus", data_dir=tmp_path)
    assert settings.milvus_location == str(tmp_path / "milvus.db")
    assert Settings(milvus_uri="http://milvus:19530").milvus_location == "http://milvus:19530"


def test_a_bad_collection_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="collection"):
        MilvusBackend(str(tmp_path / "m.db"), FAKE, TOKENIZER, 300, collection="a-b")


def test_a_reload_fetches_only_the_changed_documents(tmp_path: Path) -> None:
    writer = backend(tmp_path)
    writer.replace_all([OLD, OTHER])
    first = writer.reopened()
    writer.replace_all([NEW, OTHER])
    second = first.reopened()
    assert second.documents["other"] is first.documents["other"]  # reused, not fetched
    assert second.documents["notice"] == NEW and first.documents["notice"] == OLD
    writer.delete(["notice"])
    assert set(second.reopened().documents) == {"other"}
