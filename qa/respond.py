"""The answer JSON from an extraction (or a refusal): citations, the answer in the
asker's script, and where to mark it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from corpus.models import Document
from corpus.normalize import detect_script, fold_aligned, to_simplified, traditional_matching
from index.backend import ScoredChunk
from qa.extract import Extraction
from qa.extract.excerpt import MAX_EXCERPT
from qa.extract.passages import CLAUSE_SPLIT, MAX_ANSWER, is_grounded
from qa.models import AnswerKind, AnswerPart, AnswerResponse, Citation, Highlight, Validity
from qa.question import Question, QuestionKind

CITATIONS = 5


def cited_order(hits: Sequence[ScoredChunk], found: Extraction | None) -> list[ScoredChunk]:
    """The passages to cite, best first: the one the answer came from leads."""
    ordered = list(hits)
    if found is not None:
        top = ordered.pop(found.hit)
        if found.chunk is not None and found.chunk != top.chunk:
            ordered.insert(0, top)
            top = ScoredChunk(found.chunk, top.score)
        ordered.insert(0, top)
    return ordered


def respond(
    question: Question,
    hits: Sequence[ScoredChunk],
    found: Extraction | None,
    reason: str | None,
    documents: Mapping[str, Document],
    started: float,
    validity: Callable[[str], Validity] | None = None,
) -> AnswerResponse:
    citations = [
        Citation.from_scored(
            h, documents[h.chunk.doc_id].meta, validity(h.chunk.doc_id) if validity else None
        )
        for h in cited_order(hits, found)[:CITATIONS]
    ]
    answer, highlight = None, None
    if found is not None:
        grounded = is_grounded(found.answer, citations[0].text)
        longest = MAX_EXCERPT if found.kind else MAX_ANSWER
        if not grounded or len(found.answer) > longest:
            found, reason = None, "no_evidence"
        else:
            answer = in_script_of(question, found.answer)
            highlight = highlight_spans(citations[0].text, supporting(found), found.answer)
    return AnswerResponse(
        question=question.text,
        answer=answer,
        refused=found is None,
        reason=reason if found is None else None,
        sentence=supporting(found) if found else None,
        citations=citations,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        highlight=highlight,
        answer_kind=answer_kind(question, found) if found else None,
    )


def supporting(found: Extraction) -> str:
    """The source text that supports the answer: its sentence, or for an excerpt (steps,
    a list, a verdict with its reason) the excerpt itself, verbatim, marked whole."""
    return found.answer if found.kind else found.sentence


SHORT_KINDS: dict[QuestionKind, AnswerKind] = {
    QuestionKind.QUANTITY: "figure",
    QuestionKind.WHEN: "date",
    QuestionKind.META_DATE: "date",
    QuestionKind.META_PERIOD: "date",
    QuestionKind.WHO: "entity",
    QuestionKind.META_ISSUER: "entity",
    QuestionKind.META_DOCNO: "entity",
    QuestionKind.LIST: "list",
}
ENTITY_LENGTH = 30  # characters: a longer what-answer, or one of clauses, is a passage


def answer_kind(question: Question, found: Extraction) -> AnswerKind:
    if found.kind is not None:
        return found.kind
    short = SHORT_KINDS.get(question.kind)
    if short is not None:
        return short
    said = found.answer
    return "passage" if len(said) > ENTITY_LENGTH or CLAUSE_SPLIT.search(said) else "entity"


def highlight_spans(text: str, sentence: str, answer: str) -> Highlight:
    """Offsets of the sentence and the answer in `text`, matched after per-character
    folding so a simplified answer is found in a traditional passage."""
    folded = fold_aligned(text)
    at = text.find(sentence)
    sentence_span = (at, at + len(sentence)) if at >= 0 else None
    needle = fold_aligned(answer)
    lo, hi = sentence_span or (0, len(text))
    found = folded.find(needle, lo, hi)
    if found < 0:
        found = folded.find(needle)
    answer_span = (found, found + len(needle)) if found >= 0 and needle else None
    return Highlight(sentence=sentence_span, answer=answer_span)


def in_script_of(question: Question, answer: str) -> str:
    """The answer in the asker's script; the sentence and citations stay verbatim."""
    if question.script == "traditional":
        return traditional_matching(answer)
    return to_simplified(answer) if detect_script(answer) == "traditional" else answer


def joined(question: Question, parts: Sequence[AnswerResponse], started: float) -> AnswerResponse:
    """One response for a question with several asks, each part answered and cited on its
    own: `answer` joins them with "；", `answer_parts` says which passage holds which, and
    the first citation (and the highlight) belong to the first part."""
    first = parts[0]
    answer_parts = [
        AnswerPart(answer=p.answer or "", sentence=p.sentence or "", citation=p.citations[0])
        for p in parts
    ]
    cited = [part.citation for part in answer_parts]
    rest = [c for c in first.citations if c not in cited]
    return AnswerResponse(
        question=question.text,
        answer="；".join(part.answer for part in answer_parts),
        refused=False,
        sentence=first.sentence,
        citations=distinct(cited + rest)[: max(CITATIONS, len(cited))],
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        highlight=first.highlight,
        answer_parts=answer_parts,
        answer_kind=common_kind(parts),
    )


def common_kind(parts: Sequence[AnswerResponse]) -> AnswerKind | None:
    """The parts' kind when they share one (two figures); a passage when they differ."""
    kinds = {p.answer_kind for p in parts}
    return kinds.pop() if len(kinds) == 1 else "passage"


def distinct(citations: list[Citation]) -> list[Citation]:
    """In order, each once (citations are models, compared by value, not hashable)."""
    seen: list[Citation] = []
    for citation in citations:
        if citation not in seen:
            seen.append(citation)
    return seen
