"""`qa ask`: retrieve, refuse, extract a short cited answer, respond.

The question is parsed once (qa/question.py); the extractor for its kind is chosen from
a table (qa/extract/); the response is built in qa/respond.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from corpus.models import Chunk, Document, SectionPath
from corpus.normalize import fold_compact, strip_invisible
from qa.confidence import answer_features, load_verifier
from qa.conversation import Resolver, Turn, Understood, words_of
from qa.engine import SearchEngine
from qa.extract import excerpt, extract
from qa.extract.excerpt import MAX_EXCERPT
from qa.extract.passages import Evidence, Extraction, clauses_around
from qa.models import AnswerResponse, OutOfForce
from qa.question import Question, QuestionKind, QuestionParser, question_parts, stated_years
from qa.refusal import RefusalRules
from qa.respond import joined, respond
from qa.retrieval import Scope
from qa.settings import RetrievalMode

RETRIEVE_K = 8
EVERYWHERE = Scope()


class Answerer:
    def __init__(self, engine: SearchEngine, verify: bool = True) -> None:
        self.engine = engine
        own_names = {
            fold_compact(n)
            for doc in self.documents.values()
            for n in (doc.meta.title, *doc.meta.aliases)
        }
        retriever = engine.retriever
        self.parser = QuestionParser(retriever.plan, retriever.tokenizer, own_names)
        self.resolver = Resolver(retriever.doc_names, lambda text: retriever.plan(text).doc_ids)
        self.refusals = RefusalRules(self.documents)
        self.verifier = load_verifier() if verify else None
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
        history: Sequence[Turn] = (),
        as_of: date | None = None,
    ) -> AnswerResponse:
        """The answer to `question`, a follow-up of `history` (earlier turns, oldest
        first) when it leans on them; `understood_as` says what was answered. Only the
        documents in force on `as_of` (today unless given) answer; a question only a
        document no longer (or not yet) in force answers is refused as `not_in_force`,
        citing it."""
        started = time.perf_counter()
        understood = self.resolver.understand(question, history) if history else None
        in_force = self.engine.in_force(as_of or date.today())
        response = self.ask_within(question, understood, Scope(doc_ids, in_force), mode, started)
        if response.refused and in_force is not None:
            others = frozenset(self.documents) - in_force
            past = self.ask_within(question, understood, Scope(doc_ids, others), mode, started)
            if not past.refused and past.citations:
                # Named, not cited: the citations stay the nearest passages in force.
                cited = past.citations[0]
                named = OutOfForce(
                    doc_id=cited.doc_id,
                    title=cited.title,
                    section=cited.section,
                    validity=cited.validity or self.engine.validity(cited.doc_id),
                )
                return refused(response, "not_in_force").model_copy(update={"not_in_force": named})
        return response

    def ask_within(
        self,
        question: str,
        understood: Understood | None,
        scope: Scope,
        mode: RetrievalMode | None,
        started: float,
    ) -> AnswerResponse:
        if understood is None or not understood.follow_up:
            response = self.ask_alone(question, scope, mode, started)
            return response.model_copy(update={"understood_as": response.question})
        response, asked = self.ask_follow_up(understood, scope, mode, started)
        carried = [
            c for c in understood.carried if asked != understood.elsewhere or c != "document"
        ]
        return response.model_copy(
            update={
                "question": strip_invisible(question).strip(),
                "understood_as": asked,
                "carried": carried,
            }
        )

    def ask_follow_up(
        self,
        understood: Understood,
        scope: Scope,
        mode: RetrievalMode | None,
        started: float,
    ) -> tuple[AnswerResponse, str]:
        """The answer, and the standalone question it answers. The previously cited
        document is searched first, the whole index when it holds no answer, and the
        question without the document the context supplied after that. A refusal stays a
        refusal: each standalone question is asked as any question is, through every rule."""
        asked = understood.question
        named = self.parser.plan(asked).doc_ids
        first = [d for d in understood.doc_ids if d in self.documents]
        response = None
        if first and not scope.doc_ids and not named:
            response = self.ask_alone(asked, scope.within(first), mode, started)
        if response is None or response.refused:
            response = self.ask_alone(asked, scope, mode, started)
        if response.refused and understood.elsewhere:
            elsewhere = self.ask_alone(understood.elsewhere, scope, mode, started)
            if not elsewhere.refused:
                response, asked = elsewhere, understood.elsewhere
        if not response.refused and not says(response, understood.must_say):
            return refused(response, "no_evidence"), asked
        return response, asked

    def ask_alone(
        self,
        question: str,
        scope: Scope,
        mode: RetrievalMode | None,
        started: float,
    ) -> AnswerResponse:
        parsed = self.parser.parse(question)
        parts = question_parts(parsed.text)
        if len(parts) > 1:
            answered = [self.answer(self.parser.parse(p), scope, mode, started) for p in parts]
            found = distinct_answers(answered)
            fits = sum(len(f.answer or "") + 1 for f in found) - 1 <= MAX_EXCERPT
            if fits and (len(found) > 1 or (found and found[0] is answered[0])):
                return joined(parsed, found, started)
        response = self.answer(parsed, scope, mode, started)
        restated = self.restated(parsed, response, scope, mode, started)
        return joined(parsed, restated, started) if len(restated) > 1 else response

    def restated(
        self,
        question: Question,
        response: AnswerResponse,
        scope: Scope,
        mode: RetrievalMode | None,
        started: float,
    ) -> list[AnswerResponse]:
        """A figure asked with no year, that other documents in force restate for other
        years (500亿元 by 2025 in a plan, 550亿元 by 2026 in the action plan after it):
        each document's figure, earliest year first. Just `response` otherwise."""
        if response.refused or question.kind != QuestionKind.QUANTITY or question.years:
            return [response]
        if scope.doc_ids or not response.sentence:
            return [response]
        if not target_years(response):
            return [response]
        found = [response]
        cited = {c.doc_id for c in response.citations[:1]}
        for doc_id in dict.fromkeys(c.doc_id for c in response.citations):
            if doc_id in cited:
                continue
            other = self.answer(question, scope.within([doc_id]), mode, started)
            said = target_years(other)
            if other.refused or not said or other.answer in {f.answer for f in found}:
                continue
            if said & set().union(*(target_years(f) for f in found)):
                continue  # the same year stated twice: not a restatement
            found.append(other)
            cited.add(doc_id)
        return sorted(found, key=lambda f: min(target_years(f)))

    def answer(
        self,
        question: Question,
        scope: Scope,
        mode: RetrievalMode | None,
        started: float,
    ) -> AnswerResponse:
        read = self.read(question, scope, mode)
        found, reason = read.found, read.reason
        if found is not None and self.doubted(question, read.evidence, found):
            # The short answer is doubted; steps or a list may still stand on their own
            # heading, as an excerpt no short answer vouches for.
            found = excerpt.extract(question, read.evidence) if question.asks else None
            reason = "low_confidence"
        reason = None if found is not None else reason or "no_evidence"
        hits = read.evidence.hits
        return respond(question, hits, found, reason, self.documents, started, self.engine.validity)

    def doubted(self, question: Question, evidence: Evidence, found: Extraction) -> bool:
        """The verifier scores the answer too unlikely to be right to show it. It was
        fitted on short answers: an excerpt is judged by the short answer it holds, or
        by the rules that led to it when it holds none."""
        judged = found.within if found.kind is not None else found
        if self.verifier is None or judged is None:
            return False
        return not self.verifier.accepts(answer_features(question, evidence, judged))

    def read(
        self, question: Question, scope: Scope = EVERYWHERE, mode: RetrievalMode | None = None
    ) -> Reading:
        """Retrieve, refuse what is out of scope, extract: everything before the verifier
        (which `eval.fit_verifier` fits on what this returns)."""
        hits = self.engine.retriever.search_plan(
            question.plan, RETRIEVE_K, scope.doc_ids, mode, scope.allowed
        )
        evidence = Evidence(
            question, hits, self.documents, self.section_chunks, self.engine.backend.chunks_of
        )
        refusal = self.refusals.reason(question, hits)
        if refusal is not None:
            return Reading(evidence, None, refusal)
        found = extract(question, evidence)
        if found is not None:
            chunk = found.chunk or hits[found.hit].chunk
            where = f"{chunk.section.display()} {found.sentence}"
            heading = chunk.section.innermost
            # The figure may stand twice in its sentence (GDP增长5%, 收入增长5%); which one
            # was read is not known, so either speaking of the other side refuses it.
            if any(
                self.refusals.about_other_side(question, clause, where, heading)
                for clause in clauses_around(found.sentence, found.answer)
            ):
                return Reading(evidence, None, "no_evidence")
        if found is not None and self.refusals.passage_out_of_scope(
            question, found.chunk or hits[found.hit].chunk
        ):
            return Reading(evidence, None, "out_of_scope_region")
        return Reading(evidence, found, None)


def target_years(response: AnswerResponse) -> set[str]:
    """The years an answer's figure is for: those its sentence states, else its passage's
    (a table's header, the sentence after: 2025年，全省…)."""
    said = stated_years(response.sentence or "")
    if said or not response.citations:
        return said
    cited = response.citations[0]
    return stated_years(f"{cited.section} {cited.context or ''}") or stated_years(cited.text)


def says(response: AnswerResponse, phrase: str) -> bool:
    """The answer's passage (with its section and title) names every word of `phrase`."""
    if not phrase or not response.citations:
        return True
    cited = response.citations[0]
    said = fold_compact(f"{cited.title}{cited.section}{cited.text}")
    words = words_of(fold_compact(phrase)) or [fold_compact(phrase)]
    return all(w in said for w in words)


def refused(response: AnswerResponse, reason: str) -> AnswerResponse:
    """`response` with its answer withdrawn, its citations kept as the nearest passages."""
    return response.model_copy(
        update={
            "answer": None,
            "answer_kind": None,
            "refused": True,
            "reason": reason,
            "sentence": None,
            "highlight": None,
            "answer_parts": None,
        }
    )


@dataclass(frozen=True)
class Reading:
    evidence: Evidence
    found: Extraction | None
    reason: str | None  # why nothing was found, when a rule refused


def distinct_answers(parts: Sequence[AnswerResponse]) -> list[AnswerResponse]:
    """The parts that found an answer, each answer once: a second ask answered with the
    first one's words found nothing of its own."""
    found: list[AnswerResponse] = []
    for part in parts:
        if not part.refused and all(part.answer != f.answer for f in found):
            found.append(part)
    return found
