from __future__ import annotations

import numpy as np
import pytest

from index.bm25 import RankBM25Scorer


def test_ranks_matching_document_first() -> None:
    scorer = RankBM25Scorer([["技术合同成交额", "500亿元"], ["高新技术企业", "5000家"], ["人才"]])
    scores = scorer.scores(["技术合同成交额"])
    assert scores.shape == (3,)
    assert int(np.argmax(scores)) == 0
    assert scores[2] == 0


def test_empty_query_and_empty_documents() -> None:
    scorer = RankBM25Scorer([[], ["人才"], ["企业"], ["平台"]])
    assert scorer.scores([]).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert scorer.scores(["人才"])[1] > 0


def test_needs_documents() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RankBM25Scorer([])
