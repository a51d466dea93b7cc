"""The fitting commands refuse bad input with exit 2 and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import fit_reranker, fit_verifier

GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold" / "questions.jsonl"


@pytest.mark.parametrize("command", [fit_reranker.main, fit_verifier.main])
def test_a_missing_index_or_gold_is_a_clear_error(
    command: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model.json"
    for args in (
        ["--set", str(tmp_path / "no-index"), str(GOLD)],
        ["--set", str(tmp_path), str(tmp_path / "no-gold.jsonl")],
        [],
    ):
        with pytest.raises(SystemExit) as exited:
            command([*args, "--out", str(out)])  # type: ignore[operator]
        assert exited.value.code == 2
    assert not out.exists()
    assert "no index" in capsys.readouterr().err


def test_the_listwise_fit_ranks_each_questions_relevant_candidate_first() -> None:
    import numpy as np

    from eval.fitting import fit_listwise

    rng = np.random.default_rng(7)
    groups = np.repeat(np.arange(40), 5)
    y = np.zeros(200)
    y[::5] = 1.0  # the first candidate of each question is the answer
    # Column 0 tells the answer apart within its question; column 1 is noise that is
    # large for whole questions at once, which a pointwise fit would lean on.
    x = np.column_stack([y * 1.5 + rng.normal(0, 0.5, 200), np.repeat(rng.normal(0, 3, 40), 5)])
    y[195:] = 0.0  # a question without an answer among its candidates teaches nothing
    means, scales, weights, bias = fit_listwise(x, y, groups)
    assert bias == 0.0 and weights[0] > 0 and abs(weights[1]) < weights[0] / 5
    logits = ((x - means) / scales) @ weights
    firsts = [int(np.argmax(logits[g * 5 : g * 5 + 5]) == 0) for g in range(39)]
    assert sum(firsts) >= 35


def test_the_entry_model_is_fitted_on_a_knowledge_bases_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from index.embedders import FakeEmbedder
    from qa.engine import ingest
    from qa.rerank import ENTRY_FEATURES
    from qa.settings import Settings

    kb = tmp_path / "kb"
    kb.mkdir()
    entries = {
        "kb-amount": ("失业保险金能领到多少钱？", "失业保险金按月计发，目前为每月2250元。"),
        "kb-period": ("失业保险金能领多久？", "缴费满一年不满五年的，领取期限最长为十二个月。"),
        "kb-papers": ("申领失业保险金需要什么材料？", "凭社会保障卡或有效身份证件申领。"),
    }
    for doc_id, (question, answer) in entries.items():
        (kb / f"{doc_id}.txt").write_text(f"{question}\n{answer}\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    asked = [("失业金一个月发多少钱", "kb-amount"), ("失业金最长能领多久", "kb-period")]
    gold.write_text(
        "".join(
            json.dumps({"id": d, "question": q, "answers": ["x"], "evidence": ["x"], "doc_id": d})
            + "\n"
            for q, d in asked
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("QA_EMBEDDER", "fake")
    data = tmp_path / "data"
    ingest(Settings(data_dir=data), [kb], embedder=FakeEmbedder())
    out = tmp_path / "entries.json"
    assert fit_reranker.main(["--entries", "--set", str(data), str(gold), "--out", str(out)]) == 0
    model = json.loads(out.read_text(encoding="utf-8"))
    assert tuple(model["features"]) == ENTRY_FEATURES
    # Every candidate is an entry; the asked entry of each question is its relevant one.
    assert model["trained_on"]["relevant"] == 2 and model["trained_on"]["candidates"] >= 4
