"""Whether to show an extracted answer: a logistic model over features any document
gives (how much of the question the answer's sentence and passage state, how the
retrievers ranked it, what kind of question it is), fitted on the development split by
`python -m eval.fit_verifier` and stored in `qa/resources/verifier.json`.

A wrong figure shown with a citation is worse than a refusal, so an answer the model
scores below its threshold is refused as `low_confidence`. The features know nothing of
any particular document; the fit says how much each counts.
"""

from __future__ import annotations

from pathlib import Path

from corpus.normalize import fold_compact
from qa.extract.passages import (
    Evidence,
    Extraction,
    beyond_title,
    clause_around,
    content_pairs,
    context_of,
    cover,
    focus,
    keyword_overlap,
)
from qa.linear import RESOURCES, LogisticModel, load_model
from qa.quantities import figures
from qa.question import YEAR, Question, QuestionKind

KINDS = tuple(QuestionKind)
FEATURES: tuple[str, ...] = (
    "sentence_focus",  # share of the question's (non-title) keywords the sentence states
    "passage_overlap",  # share of the question's keywords the passage and heading state
    "unstated_terms",  # share of the question's specific terms the passage lacks
    "passage_rank",  # of the answering passage among the retrieved, 0 = best
    "top_score",  # fused score of the best retrieved passage
    "passage_score",  # fused score of the answering passage
    "both_retrievers",  # 1 if BM25 and the embedder both retrieved the passage
    "answer_share",  # the answer's length over its sentence's
    "answer_length",  # characters, over 80
    "in_table",  # the answer is a table cell
    "keywords",  # how many content words the question has, over 10
    "sentence_cover",  # share of the question's character pairs the sentence and heading hold
    "clause_cover",  # the same for the answer's own clause and the one before it
    "focus_gap",  # best focus of any usable sentence minus the answering sentence's
    "missing_longest",  # the longest keyword the passage lacks, in characters over 4
    "figures_beside",  # other quantities in the answering sentence, over 5
    *(f"kind_{k.value}" for k in KINDS),
)
SHIPPED = RESOURCES / "verifier.json"


def answer_features(question: Question, evidence: Evidence, found: Extraction) -> list[float]:
    """The features of one extracted answer, in `FEATURES` order."""
    hit = evidence.hits[found.hit]
    chunk = found.chunk or hit.chunk
    document = evidence.documents.get(chunk.doc_id)
    keywords = beyond_title(question.keywords, document)
    context = fold_compact(context_of(chunk))
    terms = [k for k in keywords if not YEAR.search(k)]
    unstated = sum(1 for k in terms if k not in context) / len(terms) if terms else 0.0
    both = hit.bm25_rank is not None and hit.dense_rank is not None
    pairs = content_pairs(question.folded)
    best_focus = evidence.ranked[0].focus if evidence.ranked else 0.0
    own_focus = focus(keywords, found.sentence, chunk.section.innermost)
    return [
        own_focus,
        keyword_overlap(question.keywords, context),
        unstated,
        float(found.hit),
        evidence.hits[0].score,
        hit.score,
        float(both),
        min(1.0, len(found.answer) / max(1, len(found.sentence))),
        len(found.answer) / 80,
        float(chunk.table is not None),
        len(question.keywords) / 10,
        cover(pairs, found.sentence + chunk.section.innermost),
        cover(pairs, clause_around(found.sentence, found.answer)),
        max(0.0, best_focus - own_focus),
        min(1.0, max((len(k) for k in keywords if k not in context), default=0) / 4),
        min(1.0, max(0, len(figures(found.sentence)) - 1) / 5),
        *(float(question.kind == k) for k in KINDS),
    ]


Verifier = LogisticModel


def load_verifier(path: Path | None = None) -> Verifier | None:
    """The shipped model; None (answers shown unverified) if it was fitted on another
    feature list."""
    return load_model(path or SHIPPED, FEATURES)
