"""Crash safety, proven by killing real processes: SIGKILL at random moments of an ingest
and of document changes leaves the last published generation loadable and answering; a
damaged current generation is detected by its checksums and the previous good one served."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.bundled import load_bundled
from index.embedders import FakeEmbedder
from index.errors import IndexStoreError
from index.store import CURRENT, GENERATIONS, load_index
from qa.answer import Answerer
from qa.engine import SearchEngine, ingest
from qa.settings import Settings

pytestmark = pytest.mark.reliability
FAKE = FakeEmbedder()
GOLD = ("到2025年技术合同成交额目标是多少", "500亿元")  # q001 of eval/gold
KILLS = 20
# Publishes the bundled documents plus or minus one extra, over and over, the way the
# documents API does: the subprocess we kill in the middle of document changes.
CHANGER = """
import sys
from pathlib import Path
from corpus.bundled import derived, load_bundled
from corpus.models import Document, DocumentMeta
from index.embedders import FakeEmbedder
from qa.engine import publish_documents
from qa.settings import Settings
settings = Settings(data_dir=Path(sys.argv[1]), embedder="fake")
text = (
    "附加通知\\n一、要求\\n到2025年，附加项目达到7个。\\n"
    "二、本通知自2024年1月1日起施行，有效期至2099年12月31日。\\n"
)
extra = derived(Document(DocumentMeta("extra", "附加通知"), text))
for round in range(1000):
    docs = load_bundled() + ([extra] if round % 2 == 0 else [])
    publish_documents(settings, docs, embedder=FakeEmbedder())
"""


def answers_gold(settings: Settings) -> str:
    """Load as a restarting service would, then ask the gold question."""
    engine = SearchEngine(settings, embedder=FAKE)
    answer = Answerer(engine).ask(GOLD[0])
    assert answer.answer == GOLD[1], answer
    assert not list((settings.data_dir / GENERATIONS).glob(".tmp-*")), "staging left behind"
    return engine.backend.version


def kill_at(command: list[str], env: dict[str, str], delay: float) -> None:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_sigkill_during_ingest_at_random_moments(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "QA_EMBEDDER": "fake", "QA_DATA_DIR": str(data)}
    command = [sys.executable, "-m", "qa.cli", "ingest", "--quiet"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    settings = Settings(data_dir=data, embedder="fake")
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    full_run = time.perf_counter() - started
    seed = random.randrange(1 << 30)
    moments = random.Random(seed).sample(range(1000), KILLS)
    seen = set()
    for moment in moments:
        kill_at(command, env, full_run * moment / 1000)
        seen.add(answers_gold(settings))
    print(f"seed {seed}: {KILLS} kills over a {full_run:.2f} s ingest, generations {len(seen)}")


@pytest.mark.slow
def test_sigkill_during_document_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, embedder="fake")
    ingest(settings, embedder=FAKE)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    command = [sys.executable, "-c", CHANGER, str(data)]
    rng = random.Random()
    bundled = {d.doc_id for d in load_bundled()}
    for _ in range(10):
        kill_at(command, env, rng.uniform(0.5, 4.0))
        answers_gold(settings)
        loaded = load_index(data, FAKE.name, FAKE.dim).documents
        documents = set(loaded)
        if "extra" in loaded:  # its validity, read from its text, is stored with it
            meta = loaded["extra"].meta
            assert (meta.effective_from, meta.expires_on) == ("2024-01-01", "2099-12-31")
            assert meta.version == 1 and meta.ingested_on is not None
        bundled = {
            "hlj-sti-14th-five-year-plan-2021",
            "hlj-sti-revitalization-action-plan-2022-2026",
        }
        assert documents in (bundled, bundled | {"extra"})  # one whole generation or the other


def two_generations(settings: Settings) -> tuple[Path, Path]:
    generations = settings.data_dir / GENERATIONS
    first = generations / ingest(settings, embedder=FAKE).version
    second = generations / ingest(settings, embedder=FAKE).version
    assert (settings.data_dir / CURRENT).read_text().strip() == second.name
    return first, second


@pytest.mark.parametrize(
    "damage",
    [
        lambda g: (g / "dense.faiss").write_bytes(b"\0" * (g / "dense.faiss").stat().st_size),
        lambda g: (g / "chunks.jsonl").write_bytes((g / "chunks.jsonl").read_bytes()[:100]),
        lambda g: (g / "manifest.json").write_text("{"),
        lambda g: (g / "bm25_vocab.json").unlink(),
    ],
    ids=["zeroed", "truncated", "broken-manifest", "missing-file"],
)
def test_damaged_current_generation_falls_back_loudly(
    fake_settings: Settings, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    first, second = two_generations(fake_settings)
    damage(second)  # type: ignore[operator]
    with caplog.at_level(logging.ERROR, logger="index.store"):
        index = load_index(fake_settings.data_dir, FAKE.name, FAKE.dim)
    assert index.generation == first.name
    loud = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert loud and first.name in loud[0].getMessage()
    assert answers_gold(fake_settings) == first.name


def test_pointer_to_a_missing_generation_falls_back(fake_settings: Settings) -> None:
    _, second = two_generations(fake_settings)
    (fake_settings.data_dir / CURRENT).write_text("gen-that-never-was\n")
    assert load_index(fake_settings.data_dir, FAKE.name, FAKE.dim).generation == second.name


def test_no_good_generation_is_an_error_not_a_guess(fake_settings: Settings) -> None:
    for generation in two_generations(fake_settings):
        (generation / "chunks.jsonl").write_text("")
    with pytest.raises(IndexStoreError, match="checksum"):
        load_index(fake_settings.data_dir, FAKE.name, FAKE.dim)


def test_abandoned_staging_is_removed_at_start(fake_settings: Settings) -> None:
    ingest(fake_settings, embedder=FAKE)
    staging = fake_settings.data_dir / GENERATIONS / ".tmp-gen-killed"
    staging.mkdir()
    (staging / "chunks.jsonl").write_text("half")
    (fake_settings.data_dir / f".{CURRENT}.tmp").write_text("gen-half")
    answers_gold(fake_settings)
    assert not staging.exists() and not (fake_settings.data_dir / f".{CURRENT}.tmp").exists()
