"""Which places a passage may answer for: a region's own documents, a passage naming the
place, and a knowledge base's entries that name no place only in one government's corpus."""

from __future__ import annotations

from corpus.models import ENTRY_LEVEL, Chunk, ChunkId, Document, DocumentMeta, SectionPath
from index.tokenize import Tokenizer
from qa.query import plan_query
from qa.question import Question, QuestionParser
from qa.refusal import RefusalRules, one_home

PARSER = QuestionParser(lambda text: plan_query(text, {}), Tokenizer(), ())
ANSWER = "失业保险金按照本市最低工资标准的百分之九十按月计发，目前为每月2250元。"


def entry(doc_id: str, regions: tuple[str, ...] = ()) -> Document:
    title = "失业保险金能领到多少钱？"
    meta = DocumentMeta(doc_id, title, entry=True, regions=regions, places=regions)
    return Document(meta, f"失业保险金能领到多少钱？\n{ANSWER}")


def chunk_of(doc: Document) -> Chunk:
    section = SectionPath((doc.meta.title,), (ENTRY_LEVEL,))
    return Chunk(ChunkId(f"{doc.doc_id}#0"), doc.doc_id, section, ANSWER, 0, len(ANSWER))


def asked(text: str) -> Question:
    return PARSER.parse(text)


def test_one_government_is_most_placed_documents_naming_one_place() -> None:
    assert one_home([("广州",), ("广州",), ("天河", "广州"), (), ()])
    assert not one_home([("揭阳",), ("施甸",), ("吉首",)])
    assert not one_home([(), ()])


def test_a_placeless_entry_answers_a_citizens_district_in_one_governments_corpus() -> None:
    placeless = entry("kb-placeless")
    docs = {d.doc_id: d for d in (placeless, entry("kb-a", ("广州",)), entry("kb-b", ("广州",)))}
    rules = RefusalRules(docs)
    question = asked("番禺区失业金一个月发多少钱")
    assert question.places  # a district no document names
    assert not rules.passage_out_of_scope(question, chunk_of(placeless))


def test_in_many_places_corpus_an_entry_answers_only_for_its_own_place() -> None:
    jieyang, shidian = entry("kb-jieyang", ("揭阳",)), entry("kb-shidian", ("施甸",))
    placeless = entry("kb-placeless")
    rules = RefusalRules({d.doc_id: d for d in (jieyang, shidian, placeless)})
    question = asked("施甸县失业金一个月发多少钱")
    assert not rules.passage_out_of_scope(question, chunk_of(shidian))
    assert rules.passage_out_of_scope(question, chunk_of(jieyang))
    # An entry naming no place may be any of the places' entries: it does not vouch.
    assert rules.passage_out_of_scope(question, chunk_of(placeless))
    assert not rules.passage_out_of_scope(asked("失业金一个月发多少钱"), chunk_of(jieyang))
