"""Who-questions (牵头单位, 由谁负责): the lead or partner units of a task's 〔牵头单位…〕
note, the unit whose duty matches the question, or a person a sentence names."""

from __future__ import annotations

import re

from corpus.models import Chunk
from corpus.normalize import fold_aligned
from qa.extract.passages import (
    Evidence,
    Extraction,
    first_found,
    is_grounded,
    keyword_overlap,
    sentence_with,
    sentences_of,
    verbatim,
)
from qa.extract.what import template_answer
from qa.question import Question

NOTE = re.compile(r"〔牵头单位[:：]([^〕]*?)(?:[,，]配合单位[:：]([^〕]*))?〕")
RESPONSIBLE = re.compile(r"(省[^，。,、；;]{1,14}?)(?:具体)?负责")


def who_answer(chunk: Chunk, question: Question) -> str | None:
    folded = fold_aligned(chunk.text)
    notes = list(NOTE.finditer(folded))
    if notes:
        lead, partners = notes[-1].group(1), notes[-1].group(2)
        wanted = partners if "配合" in question.folded and partners else lead
        return verbatim(chunk.text, folded, wanted.split("。")[0])
    # "省科技厅具体负责对…进行分解": the unit whose duty matches the question's words.
    duties = list(RESPONSIBLE.finditer(folded))
    if not duties:
        return None
    keywords = question.keywords
    best = max(duties, key=lambda m: keyword_overlap(keywords, folded[m.start() : m.end() + 30]))
    return verbatim(chunk.text, folded, best.group(1))


def who_in(question: Question, evidence: Evidence, chunk: Chunk, rank: int) -> Extraction | None:
    # A task's 〔牵头单位…〕 note closes its last chunk; look there too.
    siblings = evidence.section_chunks(chunk)
    for candidate in (chunk, *siblings[::-1]):
        answer = who_answer(candidate, question)
        if answer and is_grounded(answer, candidate.text):
            return Extraction(answer, sentence_with(candidate, answer), rank, candidate)
    # "谁获得了国家最高科学技术奖": a person named in the text, not a unit.
    for sentence in sentences_of(chunk):
        answer = template_answer(sentence, question.folded)
        if answer:
            return Extraction(answer, sentence, rank)
    return None


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return first_found(
        who_in(question, evidence, hit.chunk, rank) for rank, hit in evidence.usable
    )
