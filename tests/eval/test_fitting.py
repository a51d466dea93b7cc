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
