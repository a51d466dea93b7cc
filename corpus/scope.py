"""What a document covers, read from its own text at ingest: the regions it speaks of.

A question about a region no loaded document speaks of is out of scope; one that a
loaded document speaks of is answered from it. A region is a provincial-level name (a
complete national list, resources/regions.txt) or a place jieba tags as one (`ns`) that
carries an administrative suffix (杭州市, 天河区): a bare tag alone is too loose (jieba
tags 城市 and 深度 as places too).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import replace
from functools import cache, lru_cache
from pathlib import Path

import jieba
import jieba.posseg

from corpus.models import Document
from corpus.normalize import fold

RESOURCES = Path(__file__).resolve().parent / "resources"
HOME_MIN_MENTIONS = 3
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|地区|市|省|区|县|州)$")


@cache
def provinces() -> tuple[str, ...]:
    lines = (RESOURCES / "regions.txt").read_text("utf-8").splitlines()
    return tuple(s for line in lines if (s := line.strip()) and not s.startswith("#"))


@cache
def _tagger() -> jieba.posseg.POSTokenizer:
    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


def named_places(text: str) -> set[str]:
    """The regions a text names, folded and without their suffix (广州市 gives 广州)."""
    return set(place_counts(text))


def place_counts(text: str) -> Counter[str]:
    folded = fold(text)
    counts: Counter[str] = Counter({p: folded.count(p) for p in provinces() if p in folded})
    for pair in _tagger().cut(folded):
        word, flag = pair.word, pair.flag
        if flag != "ns":
            continue
        stem = _SUFFIX.sub("", word)
        if stem != word and len(stem) >= 2 and stem not in provinces():
            counts[stem] += 1
    return counts


def home_regions(doc: Document, counts: Counter[str]) -> tuple[str, ...]:
    """The regions a document is the policy of: those its title or issuer names; else the
    one its text names far more than any other (a city's guide names its city
    throughout); else none (a national document)."""
    meta = doc.meta
    own = named_places(" ".join([meta.title, meta.issuer or ""]))
    if own:
        return tuple(sorted(own))
    ranked = [*counts.most_common(2), ("", 0), ("", 0)]
    (top, most), (_, runner_up) = ranked[0], ranked[1]
    if most >= HOME_MIN_MENTIONS and most >= 2 * runner_up:
        return (top,)
    return ()


# Documents are frozen values: an unchanged document (one reloaded with every new index
# version, or one that names no place at all, so nothing marks it as already read)
# is not tagged again.
@lru_cache(maxsize=4096)
def with_scope(doc: Document) -> Document:
    """`doc` with its derived regions stored in its metadata (unless they were given)."""
    meta = doc.meta
    if meta.regions or meta.places:
        return doc
    counts = place_counts("\n".join([meta.title, meta.issuer or "", doc.text]))
    scoped = replace(meta, regions=home_regions(doc, counts), places=tuple(sorted(counts)))
    return Document(scoped, doc.text)
