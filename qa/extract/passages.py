"""What every extractor shares: the passages a question retrieved, reading them by
sentence, and the extraction they return.

Every rule returns a span of a passage's own text, so an answer is grounded by
construction; `is_grounded` checks it again before anything is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from corpus.chunking import sentence_spans
from corpus.models import Chunk, Document
from corpus.normalize import fold_compact
from index.backend import ScoredChunk
from qa.question import YEAR, Question, years_in

MAX_ANSWER = 80
MIN_OVERLAP = 0.34  # share of the question's keywords the answering passage must hold
CLAUSE_SPLIT = re.compile(r"[，,；;：:。！？]")


@dataclass(frozen=True)
class Extraction:
    answer: str  # verbatim span of the passage
    sentence: str  # verbatim sentence of the passage holding the answer
    hit: int  # index of the retrieved passage it came from
    chunk: Chunk | None = None  # the passage, when it is not the retrieved one itself


@dataclass(frozen=True)
class Evidence:
    """The retrieved passages, best first, and what an extractor may look up beside them."""

    question: Question
    hits: Sequence[ScoredChunk]
    documents: Mapping[str, Document]
    section_chunks: Callable[[Chunk], list[Chunk]]  # a chunk's section, in document order

    @cached_property
    def usable(self) -> list[tuple[int, ScoredChunk]]:
        """(rank, hit) of the passages that match the question enough; computed only for
        the kinds that read passages' wording (metadata questions do not)."""
        return usable_hits(self.question, self.hits)


def context_of(chunk: Chunk) -> str:
    return " ".join([chunk.section.innermost, chunk.context or "", chunk.text])


def usable_hits(question: Question, hits: Sequence[ScoredChunk]) -> list[tuple[int, ScoredChunk]]:
    """Passages sharing enough of the question's keywords and naming what it quotes."""
    usable = []
    for rank, hit in enumerate(hits):
        context = context_of(hit.chunk)
        if keyword_overlap(question.keywords, context) >= MIN_OVERLAP and all(
            n in fold_compact(context) for n in question.named
        ):
            usable.append((rank, hit))
    return usable


def is_grounded(answer: str, passage: str) -> bool:
    return bool(answer) and fold_compact(answer) in fold_compact(passage)


def sentences_of(chunk: Chunk) -> list[str]:
    text = chunk.text
    return [text[s:e] for s, e in sentence_spans(text, (0, len(text)), 10_000)]


def keyword_overlap(keywords: Sequence[str], text: str) -> float:
    if not keywords:
        return 0.0
    folded = fold_compact(text)
    return sum(1 for k in keywords if k in folded) / len(keywords)


def sentence_fits_years(sentence: str, chunk: Chunk, years: frozenset[str]) -> bool:
    """A sentence about another target year does not answer this one."""
    if not years:
        return True
    own = years_in(sentence)
    if chunk.table is not None:
        own |= {m.group(1) for m in YEAR.finditer(" ".join(chunk.table.header))}
    return not own or bool(own & years)


def sentence_with(chunk: Chunk, answer: str) -> str:
    """The sentence of `chunk` that holds `answer`; the whole passage if none does alone."""
    for sentence in sentences_of(chunk):
        if is_grounded(answer, sentence):
            return sentence
    return chunk.text


def verbatim(original: str, folded: str, span: str) -> str | None:
    """The original-script text of a span found in `fold_aligned(original)`."""
    start = folded.find(span)
    if start < 0:
        return None
    return original[start : start + len(span)].strip() or None


def first_found(candidates: Iterable[Extraction | None]) -> Extraction | None:
    return next((c for c in candidates if c is not None), None)


# A rule reading one sentence: (question, sentence, strict) -> the answer span, if any.
SentenceRule = Callable[[Question, str, bool], str | None]


def in_sentences(
    question: Question, chunk: Chunk, rank: int, rule: SentenceRule, strict: bool
) -> Extraction | None:
    """The first sentence of `chunk`, best keyword match first, where `rule` finds an
    answer. A strict rule is its own evidence and may try every sentence; a loose one
    only the three best-matching."""
    sentences = [s for s in sentences_of(chunk) if sentence_fits_years(s, chunk, question.years)]
    ranked = sorted(sentences, key=lambda s: -keyword_overlap(question.keywords, s))
    for sentence in ranked if strict else ranked[:3]:
        answer = rule(question, sentence, strict)
        if answer:
            return Extraction(answer, sentence, rank)
    return None


def strict_then_loose(
    question: Question, evidence: Evidence, rule: SentenceRule
) -> Extraction | None:
    """Every usable passage read strictly first; only then loosely."""
    usable = evidence.usable
    strict = (in_sentences(question, h.chunk, r, rule, True) for r, h in usable)
    loose = (in_sentences(question, h.chunk, r, rule, False) for r, h in usable)
    return first_found(strict) or first_found(loose)
