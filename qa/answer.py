"""`qa ask`: retrieve, extract a short cited answer, or refuse when the documents do not say."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from corpus.models import Chunk, Document
from corpus.normalize import detect_script, fold, to_traditional
from qa.engine import SearchEngine
from qa.extract import (
    MAX_ANSWER,
    Extraction,
    best_clause,
    best_figure,
    classify,
    is_grounded,
    keyword_overlap,
    list_answer,
    question_years,
    sentence_fits_years,
    sentences_of,
    table_answer,
    template_answer,
    who_answer,
)
from qa.models import AnswerResponse, Citation
from qa.query import plan_query
from qa.retrieval import ScoredChunk

# Provinces and municipalities other than 黑龙江: the documents say nothing about them.
_OTHER_REGIONS = re.compile(
    "北京|天津|河北|山西|内蒙古|辽宁|吉林|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|全国各省"
)
MIN_OVERLAP = 0.5  # share of the question's keywords the answering sentence must hold
RETRIEVE_K = 8


class Answerer:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.tokenizer = engine.retriever.tokenizer

    @property
    def documents(self) -> dict[str, Document]:
        return self.engine.retriever.index.documents

    def keywords(self, question: str) -> list[str]:
        plan = plan_query(question, {d: doc.meta for d, doc in self.documents.items()})
        tokens = self.tokenizer.tokenize(plan.text)
        words = {t for t in tokens if len(t) >= 2 and not re.fullmatch(r"[\d.]+", t)}
        # Drop search-mode sub-words already covered by a longer token.
        return sorted(w for w in words if not any(w != o and w in o for o in words))

    def ask(self, question: str, doc_ids: Sequence[str] | None = None) -> AnswerResponse:
        started = time.perf_counter()
        hits = self.engine.retriever.search(question, k=RETRIEVE_K, doc_ids=doc_ids)
        kind = classify(question)
        refusal = self.refusal_reason(question, hits)
        found = None if refusal else self.extract(question, kind, hits)
        if found is None:
            return self.respond(question, hits, None, refusal or "no_evidence", started)
        return self.respond(question, hits, found, None, started)

    def refusal_reason(self, question: str, hits: list[ScoredChunk]) -> str | None:
        folded = fold(question)
        if _OTHER_REGIONS.search(folded) and "黑龙江" not in folded:
            return "out_of_scope_region"
        if not hits:
            return "no_evidence"
        years = question_years(question)
        corpus_years = {y for d in self.documents.values() for y in question_years(d.text)}
        if years - corpus_years:
            return "year_not_covered"
        return None

    def extract(
        self, question: str, kind: str, hits: list[ScoredChunk]
    ) -> Extraction | None:
        if kind.startswith("meta_"):
            return self.extract_meta(kind, hits)
        keywords = self.keywords(question)
        years = question_years(question)
        for rank, hit in enumerate(hits):
            found = self.extract_from(question, kind, hit, rank, keywords, years)
            if found is not None:
                return found
        return None

    def extract_from(
        self,
        question: str,
        kind: str,
        hit: ScoredChunk,
        rank: int,
        keywords: list[str],
        years: set[str],
    ) -> Extraction | None:
        chunk = hit.chunk
        context = " ".join([chunk.section.innermost, chunk.context or "", chunk.text])
        if keyword_overlap(keywords, context) < MIN_OVERLAP:
            return None
        if kind == "who":
            answer = who_answer(chunk, question)
            return Extraction(answer, sentence_with(chunk, answer), rank) if answer else None
        if kind == "quantity" and chunk.table is not None:
            answer = table_answer(chunk, years)
            return Extraction(answer, chunk.text, rank) if answer else None
        sentences = [s for s in sentences_of(chunk) if sentence_fits_years(s, chunk, years)]
        ranked = sorted(sentences, key=lambda s: -keyword_overlap(keywords, s))
        for sentence in ranked[:2]:
            answer = self.answer_in(question, kind, sentence, keywords, years)
            if answer:
                return Extraction(answer, sentence, rank)
        return None

    @staticmethod
    def answer_in(
        question: str, kind: str, sentence: str, keywords: list[str], years: set[str]
    ) -> str | None:
        if kind == "quantity":
            return best_figure(sentence, keywords, years)
        if kind == "list":
            return list_answer(sentence) or template_answer(sentence, question)
        return template_answer(sentence, question) or best_clause(sentence, keywords)

    def extract_meta(self, kind: str, hits: list[ScoredChunk]) -> Extraction | None:
        for rank, hit in enumerate(hits):
            meta = self.documents[hit.chunk.doc_id].meta
            if kind == "meta_docno":
                value = meta.doc_number
            elif kind == "meta_issuer":
                value = meta.issuer
            else:
                value = _chinese_date(meta.date)
            if value and value in hit.chunk.text:
                return Extraction(value, sentence_with(hit.chunk, value), rank)
        return None

    def respond(
        self,
        question: str,
        hits: list[ScoredChunk],
        found: Extraction | None,
        reason: str | None,
        started: float,
    ) -> AnswerResponse:
        ordered = list(hits)
        if found is not None:
            ordered.insert(0, ordered.pop(found.hit))
        citations = [
            Citation.from_scored(h, self.documents[h.chunk.doc_id].meta.title) for h in ordered[:5]
        ]
        answer = None
        if found is not None:
            grounded = is_grounded(found.answer, citations[0].text)
            if not grounded or len(found.answer) > MAX_ANSWER:
                found, reason = None, "no_evidence"
            else:
                answer = found.answer
                if detect_script(question) == "traditional":
                    answer = to_traditional(answer)
        return AnswerResponse(
            question=question,
            answer=answer,
            refused=found is None,
            reason=reason if found is None else None,
            sentence=found.sentence if found else None,
            citations=citations,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
        )


def sentence_with(chunk: Chunk, answer: str) -> str:
    """The sentence of `chunk` that holds `answer`; the whole passage if none does alone."""
    for sentence in sentences_of(chunk):
        if is_grounded(answer, sentence):
            return sentence
    return chunk.text


def _chinese_date(iso: str | None) -> str | None:
    if not iso or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return None
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"
