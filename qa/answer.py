"""`qa ask`: retrieve, extract a short cited answer, or refuse when the documents do not say."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence

from corpus.models import Chunk, Document, SectionPath
from corpus.normalize import (
    detect_script,
    fold,
    fold_aligned,
    fold_compact,
    strip_invisible,
    to_simplified,
    to_traditional,
)
from qa.engine import SearchEngine
from qa.extract import (
    MAX_ANSWER,
    QUOTED,
    Extraction,
    best_clause,
    best_figure,
    classify,
    expected_items,
    is_grounded,
    keyword_overlap,
    list_answer,
    question_years,
    sentence_fits_years,
    sentences_of,
    table_answer,
    template_answer,
    unit_fits,
    unit_wanted,
    who_answer,
)
from qa.models import AnswerResponse, Citation, Highlight
from qa.retrieval import ScoredChunk
from qa.settings import RetrievalMode

# Provinces and municipalities other than 黑龙江: the documents say nothing about them.
_OTHER_REGIONS = re.compile(
    "北京|天津|河北|山西|内蒙古|辽宁|吉林|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|全国各省"
)
MIN_OVERLAP = 0.34  # share of the question's keywords the answering sentence must hold
RETRIEVE_K = 8


class Answerer:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.tokenizer = engine.retriever.tokenizer
        # Per document, its chunks by section; filled on first need (a backend may hold
        # millions of chunks, and only "who" questions look at a chunk's siblings).
        self._sections: dict[str, dict[SectionPath, list[Chunk]]] = {}
        # Documents' own names, folded once: quoted parts of them are not named items.
        self.own_names = {
            fold_compact(n)
            for doc in self.documents.values()
            for n in (doc.meta.title, *doc.meta.aliases)
        }
        # Years any document speaks of: a question about another year is not covered.
        self.corpus_years = {y for d in self.documents.values() for y in question_years(d.text)}

    @property
    def documents(self) -> Mapping[str, Document]:
        return self.engine.backend.documents

    def section_chunks(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of `chunk`'s section, in document order."""
        sections = self._sections.get(chunk.doc_id)
        if sections is None:
            sections = {}
            for sibling in self.engine.backend.chunks_of(chunk.doc_id):
                sections.setdefault(sibling.section, []).append(sibling)
            self._sections[chunk.doc_id] = sections
        return sections.get(chunk.section, [])

    def keywords(self, question: str) -> list[str]:
        plan = self.engine.retriever.plan(question)
        tokens = self.tokenizer.tokenize(plan.text)
        words = {t for t in tokens if len(t) >= 2 and not re.fullmatch(r"[\d.]+", t)}
        # Drop search-mode sub-words already covered by a longer token.
        return sorted(w for w in words if not any(w != o and w in o for o in words))

    def ask(
        self,
        question: str,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
    ) -> AnswerResponse:
        started = time.perf_counter()
        question = strip_invisible(question).strip()
        if not question:
            raise ValueError("the question has no visible text")
        hits = self.engine.retriever.search(question, k=RETRIEVE_K, doc_ids=doc_ids, mode=mode)
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
        if question_years(question) - self.corpus_years:
            return "year_not_covered"
        return None

    def extract(self, question: str, kind: str, hits: list[ScoredChunk]) -> Extraction | None:
        if kind.startswith("meta_"):
            return self.extract_meta(kind, hits)
        keywords = self.keywords(question)
        years = question_years(question)
        named = self.named_items(question)
        usable = [
            (rank, hit)
            for rank, hit, context in ((r, h, self.context_of(h.chunk)) for r, h in enumerate(hits))
            if keyword_overlap(keywords, context) >= MIN_OVERLAP
            and all(n in fold_compact(context) for n in named)
        ]
        if kind == "who":
            return first_found(
                self.who_in(question, hit.chunk, rank, keywords) for rank, hit in usable
            )
        if kind == "quantity":
            return self.best_quantity(question, usable, keywords, years)
        strict = (
            self.in_text(question, kind, h.chunk, r, keywords, years, True) for r, h in usable
        )
        loose = (
            self.in_text(question, kind, h.chunk, r, keywords, years, False) for r, h in usable
        )
        return first_found(strict) or first_found(loose)

    def named_items(self, question: str) -> list[str]:
        """Quoted names ("冰雪产业技术") the answering passage must mention.

        Titles in 《》 and quoted parts of a document's own name (“十四五”) do not count.
        """
        untitled = re.sub(r"《[^》]*》", "", question)
        quoted = [fold_compact(n) for n in QUOTED.findall(untitled)]
        return [q for q in quoted if not any(q in name for name in self.own_names)]

    def best_quantity(
        self,
        question: str,
        usable: list[tuple[int, ScoredChunk]],
        keywords: list[str],
        years: set[str],
    ) -> Extraction | None:
        """The figure whose own clause (or table row) best matches the question.

        On a tie running text wins: it carries the unit (500亿元) where a table cell
        holds the bare figure; then the better-ranked passage wins.
        """
        scored: list[tuple[float, int, int, Extraction]] = []
        for rank, hit in usable:
            chunk = hit.chunk
            if chunk.table is not None and has_year_columns(chunk):
                found = self.in_table(chunk, rank, years, baseline=is_baseline(question))
                if found and unit_fits(found.answer + row_unit(chunk), unit_wanted(question)):
                    reading = (chunk.table.title or "") + chunk.table.reading()
                    scored.append((keyword_overlap(keywords, reading), 1, rank, found))
                continue
            found = self.in_text(question, "quantity", chunk, rank, keywords, years, True)
            if found:
                clause = clause_around(found.sentence, found.answer)
                score = keyword_overlap(keywords, clause + chunk.section.innermost)
                scored.append((score, 0, rank, found))
        if not scored:
            return None
        return max(scored, key=lambda item: (item[0], -item[1], -item[2]))[3]

    def context_of(self, chunk: Chunk) -> str:
        return " ".join([chunk.section.innermost, chunk.context or "", chunk.text])

    def who_in(
        self, question: str, chunk: Chunk, rank: int, keywords: list[str]
    ) -> Extraction | None:
        # A task's 〔牵头单位…〕 note closes its last chunk; look there too.
        siblings = self.section_chunks(chunk)
        for candidate in (chunk, *siblings[::-1]):
            answer = who_answer(candidate, question, keywords)
            if answer and is_grounded(answer, candidate.text):
                return Extraction(answer, sentence_with(candidate, answer), rank, candidate)
        # "谁获得了国家最高科学技术奖": a person named in the text, not a unit.
        for sentence in sentences_of(chunk):
            answer = template_answer(sentence, question)
            if answer:
                return Extraction(answer, sentence, rank)
        return None

    @staticmethod
    def in_table(
        chunk: Chunk, rank: int, years: set[str], baseline: bool = False
    ) -> Extraction | None:
        answer = table_answer(chunk, years, baseline)
        return Extraction(answer, chunk.text, rank) if answer else None

    def in_text(
        self,
        question: str,
        kind: str,
        chunk: Chunk,
        rank: int,
        keywords: list[str],
        years: set[str],
        strict: bool,
    ) -> Extraction | None:
        if kind == "quantity" and not mentions_year(chunk, years):
            return None  # "到2025年…多少" is not answered by a passage with no year at all
        sentences = [s for s in sentences_of(chunk) if sentence_fits_years(s, chunk, years)]
        ranked = sorted(sentences, key=lambda s: -keyword_overlap(keywords, s))
        # A template match is its own evidence: try every sentence; a loose clause
        # only from the best-matching ones.
        for sentence in ranked if strict else ranked[:3]:
            answer = self.answer_in(question, kind, sentence, keywords, years, strict)
            if answer:
                return Extraction(answer, sentence, rank)
        return None

    @staticmethod
    def answer_in(
        question: str,
        kind: str,
        sentence: str,
        keywords: list[str],
        years: set[str],
        strict: bool,
    ) -> str | None:
        if kind == "quantity":
            return best_figure(sentence, keywords, years, unit_wanted(question))
        templated = template_answer(sentence, question)
        if kind == "list":
            return list_answer(sentence, expected_items(question)) or templated
        if templated or strict:
            return templated
        return best_clause(sentence, keywords)

    def extract_meta(self, kind: str, hits: list[ScoredChunk]) -> Extraction | None:
        for rank, hit in enumerate(hits):
            meta = self.documents[hit.chunk.doc_id].meta
            if kind == "meta_docno":
                value = meta.doc_number
            elif kind == "meta_issuer":
                value = meta.issuer
            elif kind == "meta_period":
                period = re.search(r"\d{4}[—\-–~至]\d{4}年", meta.title)
                value = period.group() if period else None
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
            top = ordered.pop(found.hit)
            if found.chunk is not None and found.chunk != top.chunk:
                ordered.insert(0, top)
                top = ScoredChunk(found.chunk, top.score)
            ordered.insert(0, top)
        citations = [
            Citation.from_scored(h, self.documents[h.chunk.doc_id].meta.title) for h in ordered[:5]
        ]
        answer, highlight = None, None
        if found is not None:
            grounded = is_grounded(found.answer, citations[0].text)
            if not grounded or len(found.answer) > MAX_ANSWER:
                found, reason = None, "no_evidence"
            else:
                answer = in_script_of(question, found.answer)
                highlight = highlight_spans(citations[0].text, found.sentence, found.answer)
        return AnswerResponse(
            question=question,
            answer=answer,
            refused=found is None,
            reason=reason if found is None else None,
            sentence=found.sentence if found else None,
            citations=citations,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            highlight=highlight,
        )


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


def mentions_year(chunk: Chunk, years: set[str]) -> bool:
    if not years:
        return True
    text = fold(" ".join([chunk.text, chunk.context or "", chunk.section.display()]))
    return any(year in text for year in years)


def has_year_columns(chunk: Chunk) -> bool:
    return chunk.table is not None and any(re.fullmatch(r"20\d\d年", h) for h in chunk.table.header)


def row_unit(chunk: Chunk) -> str:
    """The unit a row's indicator names in brackets: "技术合同成交额（亿元）" gives 亿元."""
    found = re.search(r"[（(]([^）)]{1,4})[）)]", fold_aligned(chunk.text))
    return found.group(1) if found else ""


def in_script_of(question: str, answer: str) -> str:
    """The answer in the asker's script; the sentence and citations stay verbatim."""
    if detect_script(question) == "traditional":
        return to_traditional(answer)
    return to_simplified(answer) if detect_script(answer) == "traditional" else answer


def is_baseline(question: str) -> bool:
    return bool(re.search(r"基期|基数|现状|基准", fold(question)))


def clause_around(sentence: str, answer: str) -> str:
    """The clause of `sentence` that holds `answer`, with the clause before it."""
    clauses = re.split(r"[，,；;：:。]", sentence)
    for i, clause in enumerate(clauses):
        if answer in clause:
            return (clauses[i - 1] if i else "") + clause
    return sentence


def first_found(candidates: Iterable[Extraction | None]) -> Extraction | None:
    return next((c for c in candidates if c is not None), None)


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
