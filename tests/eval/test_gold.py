from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.models import Document
from eval.gold import GoldError, default_gold_files, evidence_problems, load_gold
from eval.retrieval import first_relevant_rank, ndcg_at_10, score_retrieval


def test_gold_files_are_valid_against_the_corpus(bundled_docs: list[Document]) -> None:
    questions = [q for path in default_gold_files() for q in load_gold(path)]
    assert len({q.id for q in questions}) == len(questions), "ids unique across files"
    assert evidence_problems(questions, [d.text for d in bundled_docs]) == []
    types = Counter(q.type for q in questions)
    assert len(questions) >= 150
    assert types["unanswerable"] >= 20
    for kind in (
        "figure",
        "table",
        "who",
        "what",
        "list",
        "date_docno",
        "paraphrase",
        "traditional",
    ):
        assert types[kind] >= 5, kind


def test_gold_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a", "question": "q"}\n{"id": "a", "question": "r"}\n', "utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:2: duplicate id"):
        load_gold(bad)
    bad.write_text('{"id": "a"}\n', "utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:1"):
        load_gold(bad)


def test_evidence_problems_found() -> None:
    from eval.gold import GoldQuestion

    q = GoldQuestion(id="x", question="?", answers=["1"], evidence=["不存在的句子"])
    assert evidence_problems([q], ["正文"]) == ["x: evidence not in corpus: '不存在的句子'"]


def test_relevance_folds_script_and_whitespace() -> None:
    passages = ["无关", "全省技術契約成交額達到550億元"]
    assert first_relevant_rank(passages, ["技术合同成交额达到550亿元"]) == 2


def test_metrics() -> None:
    scores = score_retrieval([[True, False], [False, True], [False, False]])
    assert scores.recall_at_1 == pytest.approx(1 / 3)
    assert scores.recall_at_5 == pytest.approx(2 / 3)
    assert scores.mrr == pytest.approx((1 + 0.5) / 3)
    assert ndcg_at_10([False, True]) == pytest.approx(1 / 1.5849625, rel=1e-4)


@pytest.mark.parametrize(
    ("name", "least", "unanswerable"),
    [
        ("heldout", 90, 20),
        ("heldout2", 60, 10),
        ("heldout3", 70, 12),
        ("heldout4", 75, 13),
        ("heldout5", 75, 13),
        ("heldout6", 75, 15),
        ("heldout7", 80, 15),
        ("heldout8", 80, 15),
        ("kb-heldout", 100, 18),
    ],
)
def test_held_out_sets_are_valid_against_their_own_documents(
    name: str, least: int, unanswerable: int
) -> None:
    """The held-out sets (written by someone who never read the rules) on the documents
    they ship with; the development set on corpus-dev is checked where that corpus is."""
    from corpus.bundled import load_documents

    root = Path(__file__).resolve().parents[2] / "eval"
    questions = load_gold(root / name / "questions.jsonl")
    documents = load_documents([root / name / "documents"])
    assert evidence_problems(questions, [d.text for d in documents]) == []
    assert len(questions) >= least and sum(not q.answers for q in questions) >= unanswerable


def test_the_knowledge_base_development_set_is_valid() -> None:
    """eval/kb-dev: questions on its knowledge-base entries, and on corpus-dev where that
    corpus is (shared/, beside the checkout)."""
    import json

    from corpus.bundled import load_documents

    root = Path(__file__).resolve().parents[2]
    gold = root / "eval" / "kb-dev" / "questions.jsonl"
    questions = load_gold(gold)
    on_entries = {
        row["id"]
        for row in map(json.loads, gold.read_text("utf-8").splitlines())
        if row["doc_id"].startswith("kb-")
    }
    documents = load_documents([root / "eval" / "kb-dev" / "documents"])
    entries = [q for q in questions if q.id in on_entries]
    assert evidence_problems(entries, [d.text for d in documents]) == []
    assert len(questions) >= 150 and sum(not q.answers for q in questions) >= 25
    assert sum(q.kind in ("steps", "list", "passage") for q in questions) >= 100
    corpus_dev = root.parent / "shared" / "corpus-dev"
    if corpus_dev.is_dir():
        documents += load_documents([corpus_dev])
        assert evidence_problems(questions, [d.text for d in documents]) == []


@pytest.mark.parametrize(("name", "least_turns"), [("dev", 100), ("heldout", 75)])
def test_dialogue_sets_are_valid_against_the_bundled_documents(
    bundled_docs: list[Document], name: str, least_turns: int
) -> None:
    """eval/dialogues: follow-ups on the bundled documents, written blind; each turn a
    gold question of its dialogue, typed by what it does (year, pronoun, …)."""
    path = Path(__file__).resolve().parents[2] / "eval" / "dialogues" / f"{name}.jsonl"
    turns = load_gold(path)
    assert evidence_problems(turns, [d.text for d in bundled_docs]) == []
    assert len(turns) >= least_turns
    kinds = Counter(q.type for q in turns if q.follow_up)
    for kind in ("year", "indicator", "pronoun", "ellipsis", "document", "script", "shift"):
        assert kinds[kind] >= 3, kind
    assert kinds["refuse"] >= 3 and all(not q.answers for q in turns if q.type == "refuse")
    assert all(q.dialogue and (q.turn == 0) == (q.type == "first") for q in turns)


def test_a_dialogue_line_becomes_its_turns(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"id": "d1", "turns": [{"question": "到2025年目标是多少", "answers": ["500亿元"], '
        '"evidence": ["500亿元"], "kind": "first"}, {"question": "那2026年呢", '
        '"answers": [], "evidence": [], "kind": "refuse"}]}\n',
        "utf-8",
    )
    first, second = load_gold(path)
    assert (first.id, first.turn, first.follow_up) == ("d1#0", 0, False)
    assert (second.id, second.type, second.follow_up) == ("d1#1", "refuse", True)
    path.write_text('{"id": "d2", "turns": []}\n', "utf-8")
    with pytest.raises(GoldError, match=r"d\.jsonl:1"):
        load_gold(path)
