"""`qa ask`: retrieve, refuse, extract a short cited answer, respond.

The question is parsed once (qa/question.py); the extractor for its kind is chosen from
a table (qa/extract/); the response is built in qa/respond.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from corpus.models import Chunk, Document, SectionPath
from corpus.normalize import fold_compact
from qa.engine import SearchEngine
from qa.extract import extract
from qa.extract.passages import Evidence
from qa.models import AnswerResponse
from qa.question import Question, QuestionParser, question_parts
from qa.refusal import RefusalRules
from qa.respond import joined, respond
from qa.settings import RetrievalMode

RETRIEVE_K = 8


class Answerer:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        own_names = {
            fold_compact(n)
            for doc in self.documents.values()
            for n in (doc.meta.title, *doc.meta.aliases)
        }
        self.parser = QuestionParser(engine.retriever.plan, engine.retriever.tokenizer, own_names)
        self.refusals = RefusalRules(self.documents)
        # Per document, its chunks by section; filled on first need (a backend may hold
        # millions of chunks, and only "who" questions look at a chunk's siblings).
        self._sections: dict[str, dict[SectionPath, list[Chunk]]] = {}

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

    def ask(
        self,
        question: str,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
    ) -> AnswerResponse:
        started = time.perf_counter()
        parsed = self.parser.parse(question)
        parts = question_parts(parsed.text)
        if len(parts) > 1:
            answered = [self.answer(self.parser.parse(p), doc_ids, mode, started) for p in parts]
            found = distinct_answers(answered)
            if len(found) > 1 or (found and found[0] is answered[0]):
                return joined(parsed, found, started)
        return self.answer(parsed, doc_ids, mode, started)

    def answer(
        self,
        question: Question,
        doc_ids: Sequence[str] | None,
        mode: RetrievalMode | None,
        started: float,
    ) -> AnswerResponse:
        hits = self.engine.retriever.search_plan(question.plan, RETRIEVE_K, doc_ids, mode)
        refusal = self.refusals.reason(question, hits)
        found = None
        if refusal is None:
            evidence = Evidence(question, hits, self.documents, self.section_chunks)
            found = extract(question, evidence)
            if found is not None and self.refusals.passage_out_of_scope(
                question, found.chunk or hits[found.hit].chunk
            ):
                found, refusal = None, "out_of_scope_region"
        reason = None if found is not None else refusal or "no_evidence"
        return respond(question, hits, found, reason, self.documents, started)


def distinct_answers(parts: Sequence[AnswerResponse]) -> list[AnswerResponse]:
    """The parts that found an answer, each answer once: a second ask answered with the
    first one's words found nothing of its own."""
    found: list[AnswerResponse] = []
    for part in parts:
        if not part.refused and all(part.answer != f.answer for f in found):
            found.append(part)
    return found
