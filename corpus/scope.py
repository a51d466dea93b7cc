"""What a document covers, read from its own text at ingest: the regions it speaks of.

A question about a region no loaded document speaks of is out of scope; one that a
loaded document speaks of is answered from it. A region is a provincial-level name (a
complete national list, resources/regions.txt), a place jieba tags as one (`ns`) that
carries an administrative suffix (杭州市, 天河区), or a bare tagged name whose city or
county jieba's own dictionary lists (深圳, as 深圳市 is listed): a bare tag alone is too
loose (jieba tags 城市 and 深度 as places too, and lists no 城市市).
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
# An issuer that names its place first: 钱塘区商务局, 万载县统计局 (jieba tags neither).
_ISSUER_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(?:特别行政区|自治区|自治州|省|市|区|县)(?=.)")
# Issuers of national documents: their home is the whole country, whatever places the
# text keeps naming (a State Council plan that names 北京 as a host city).
_NATIONAL_ISSUER = re.compile(
    r"^(?:国务院|中共中央|全国人民代表大会|全国人大|最高人民|国家|中华人民共和国)"
)
_CITY_SUFFIXES = ("市", "县")


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
        if pair.flag == "ns" and (stem := _place_stem(pair.word)):
            counts[stem] += 1
    return counts


def _place_stem(word: str) -> str | None:
    """The region a word tagged as a place names, without its suffix; None for a word
    that is no region's name (城市) or is a province (counted from the list)."""
    # 广州 is a city's bare name, though it ends like a suffix (州).
    if _listed_city(word):
        stem = word
    elif (stem := _SUFFIX.sub("", word)) == word:
        return None
    if len(stem) < 2 or stem in provinces():
        return None
    return stem


def _listed_city(name: str) -> bool:
    tags = _tagger().word_tag_tab
    return any(tags.get(name + suffix) == "ns" for suffix in _CITY_SUFFIXES)


def _issuer_names(issuer: str) -> list[str]:
    """Each issuer of a joint document apart, folded."""
    return [n for n in re.split(r"[、，,；;\s]+", fold(issuer)) if n]


def issuer_places(issuer: str) -> set[str]:
    """Places an issuer's own name starts with."""
    return {m.group(1) for n in _issuer_names(issuer) if (m := _ISSUER_PLACE.match(n))}


def national_issuer(issuer: str) -> bool:
    names = _issuer_names(issuer)
    return bool(names) and all(_NATIONAL_ISSUER.match(n) for n in names)


def home_regions(doc: Document, counts: Counter[str]) -> tuple[str, ...]:
    """The regions a document is the policy of: those its title or issuer names; none for
    a national issuer; else the one its text names far more than any other (a city's
    guide names its city throughout); else none (a national document)."""
    meta = doc.meta
    own = named_places(" ".join([meta.title, meta.issuer or ""]))
    own |= issuer_places(meta.issuer or "")
    if own:
        return tuple(sorted(own))
    if national_issuer(meta.issuer or ""):
        return ()
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
    if meta.scoped or meta.regions or meta.places:
        return doc
    counts = place_counts("\n".join([meta.title, meta.issuer or "", doc.text]))
    scoped = replace(
        meta, regions=home_regions(doc, counts), places=tuple(sorted(counts)), scoped=True
    )
    return Document(scoped, doc.text)
