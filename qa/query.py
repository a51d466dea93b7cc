"""What a question says besides its topic: which document it names.

"《X省“十四五”科技创新规划》中…" or "行动计划里…" names a document. Matching
the title words against passages only finds the title page, so the mention becomes
a document filter and leaves the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.models import DocumentMeta
from corpus.normalize import fold
from corpus.scope import named_places

_QUOTES = re.compile(r"[《》〈〉“”\"'‘’「」『』]")
_YEAR_RANGE = re.compile(r"\(\d{4}[—\-–~至]+\d{4}年?\)")
_MIN_REST = 4  # a question reduced to fewer characters keeps its words


@dataclass(frozen=True)
class QueryPlan:
    text: str  # what BM25 and the embedder see
    doc_ids: tuple[str, ...]  # empty: all documents


def _clean(text: str) -> str:
    return _QUOTES.sub("", fold(text))


_REGION_PREFIX = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(?:特别行政区|自治区|省|市)")


def without_region(name: str) -> str:
    """A title without the region it opens with: citizens say 科技创新规划, not the
    province's full name, when the region is the only one they live in."""
    match = _REGION_PREFIX.match(name)
    if match and named_places(match.group(0)):
        return name[match.end() :]
    return name


def document_names(meta: DocumentMeta) -> list[str]:
    """Folded names of a document, longest first: title, title variants, aliases."""
    title = _clean(meta.title)
    names = {title, _YEAR_RANGE.sub("", title)}
    names |= {without_region(n) for n in list(names)}
    names |= {_clean(a) for a in meta.aliases}
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


class DocumentNames(dict[str, list[str]]):
    """Every document's names (doc id -> names, longest first), with the inverse kept
    beside: a question is looked up by its own substrings, not tested against every
    name of every document (13 ms a question with 26,000 documents)."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        super().__init__({doc_id: list(found) for doc_id, found in names.items()})
        self.documents_of: dict[str, set[str]] = {}
        for doc_id, found in self.items():
            for name in found:
                self.documents_of.setdefault(name, set()).add(doc_id)
        self.lengths = sorted({len(name) for name in self.documents_of}, reverse=True)

    @classmethod
    def of(cls, names: Mapping[str, Sequence[str]]) -> DocumentNames:
        """`names` as it is if it keeps its inverse already, else with one built."""
        return names if isinstance(names, DocumentNames) else cls(names)

    def longest_named(self, text: str) -> tuple[int, set[str]]:
        """The length of the longest name `text` contains, and every document a name of
        that length in `text` names; (0, set()) when none."""
        for length in self.lengths:
            named: set[str] = set()
            for at in range(len(text) - length + 1):
                found = self.documents_of.get(text[at : at + length])
                if found:
                    named |= found
            if named:
                return length, named
        return 0, set()


def names_by_document(documents: Mapping[str, DocumentMeta]) -> DocumentNames:
    """Every document's names, folded once: built with the index, not per query."""
    return DocumentNames({doc_id: document_names(meta) for doc_id, meta in documents.items()})


EVERYDAY_WORDS = Path(__file__).resolve().parent / "resources" / "everyday_words.tsv"


def load_everyday_words(path: Path = EVERYDAY_WORDS) -> dict[str, tuple[str, ...]]:
    """A citizen's words and the official ones documents use for the same thing: a
    shipped, reviewable file of generic administrative vocabulary, no document's own."""
    words: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        said, _, official = line.partition("\t")
        if not said.strip() or not official.split():
            raise ValueError(f"{path}:{number}: expected 'word<TAB>official words'")
        words[said.strip()] = tuple(official.split())
    return words


# The official words are added to what retrieval and the extractors see; the citizen's
# are kept.
OFFICIAL_WORDS: dict[str, tuple[str, ...]] = load_everyday_words()


def official_words(text: str) -> list[str]:
    """The official words for the citizen's words in `text` that it does not say itself."""
    added = [w for said, official in OFFICIAL_WORDS.items() if said in text for w in official]
    return [w for w in dict.fromkeys(added) if w not in text]


def with_official_words(text: str) -> str:
    added = official_words(text)
    return f"{text} {' '.join(added)}" if added else text


def plan_query(query: str, names: Mapping[str, Sequence[str]]) -> QueryPlan:
    """`names` comes from `names_by_document`."""
    plan = named_plan(query, names)
    return QueryPlan(with_official_words(plan.text), plan.doc_ids)


def named_plan(query: str, names: Mapping[str, Sequence[str]]) -> QueryPlan:
    cleaned = _clean(query)
    index = DocumentNames.of(names)
    longest, doc_ids = index.longest_named(cleaned)
    if not doc_ids:
        return QueryPlan(query, ())
    rest = cleaned
    for doc_id in sorted(doc_ids):
        name = next(n for n in index[doc_id] if len(n) == longest and n in cleaned)
        rest = rest.replace(name, " ")
    text = rest if len(rest.strip()) >= _MIN_REST else query
    return QueryPlan(" ".join(text.split()), tuple(sorted(doc_ids)))


def restrict(plan: QueryPlan, explicit: Sequence[str] | None) -> tuple[str, ...] | None:
    """Explicit filters from the caller win over a mention in the text."""
    if explicit:
        return tuple(explicit)
    return plan.doc_ids or None
