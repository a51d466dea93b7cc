"""One conformance suite for every BM25 scorer, and rank-bm25 as the oracle that the
sparse-matrix scorer's numbers must match on the real corpus."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from corpus.bundled import load_bundled
from corpus.chunking import chunk_document
from eval.gold import default_gold_files
from index.bm25 import BM25Scorer, RankBM25Scorer, SparseBM25Scorer
from index.build import passage_text
from index.tokenize import Tokenizer

Build = Callable[[list[list[str]]], BM25Scorer]
SCORERS: list[Build] = [RankBM25Scorer, SparseBM25Scorer.build]


@pytest.fixture(params=SCORERS, ids=["rank-bm25", "sparse"])
def build(request: pytest.FixtureRequest) -> Build:
    chosen: Build = request.param
    return chosen


def test_ranks_matching_document_first(build: Build) -> None:
    scorer = build([["技术合同成交额", "500亿元"], ["高新技术企业", "5000家"], ["人才"]])
    scores = scorer.scores(["技术合同成交额"])
    assert scores.shape == (3,) and scorer.size == 3
    assert int(np.argmax(scores)) == 0
    assert scores[2] == 0


def test_empty_query_and_empty_documents(build: Build) -> None:
    scorer = build([[], ["人才"], ["企业"], ["平台"]])
    assert scorer.scores([]).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert scorer.scores(["从未出现"]).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert scorer.scores(["人才"])[1] > 0


def test_needs_documents(build: Build) -> None:
    with pytest.raises(ValueError, match="at least one"):
        build([])


def test_sparse_scores_equal_rank_bm25_on_the_bundled_corpus() -> None:
    tokenizer = Tokenizer()
    chunks = [c for d in load_bundled() for c in chunk_document(d, 300)]
    tokens = [tokenizer.tokenize(passage_text(c)) for c in chunks]
    oracle, sparse = RankBM25Scorer(tokens), SparseBM25Scorer.build(tokens)
    questions = [
        json.loads(line)["question"]
        for path in default_gold_files()
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) > 150
    for question in [*questions, "高新技术企业 高新技术企业 高新技术企业"]:  # repeats count
        query = tokenizer.tokenize(question)
        np.testing.assert_allclose(sparse.scores(query), oracle.scores(query), rtol=1e-4, atol=1e-4)
