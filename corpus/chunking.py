"""Blocks to chunks: sentence-aligned, at most ~`max_chars`, never across sections."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

from corpus.models import Chunk, ChunkId, Document
from corpus.sections import Block, Span, parse_blocks

DEFAULT_MAX_CHARS = 300


def _code_digest(*names: str) -> str:
    """A digest of these modules' syntax trees: comments, layout and line endings do not
    move it; a changed rule does."""
    trees = (ast.dump(ast.parse((Path(__file__).parent / n).read_text("utf-8"))) for n in names)
    return hashlib.sha256("\n".join(trees).encode("utf-8")).hexdigest()[:12]


# Which chunker drew a store's chunks: a digest of the code that decides chunk boundaries
# (the heading rules and this packing), so that a changed rule changes it without anyone
# remembering to bump a number. A backend that keeps chunks across writes (Milvus) puts it
# in each document's revision, so `replace_all` re-chunks after such a change.
CHUNKER_VERSION = _code_digest("sections.py", "chunking.py")

# A sentence ends at 。！？； and keeps its closing quotes, plus a following 〔牵头单位…〕
# note, or a bracketed note closing its line ("…。（水利部、财政部负责）"): the note belongs
# to the task it follows, so it must never start a new chunk or the next task's sentence.
_SENTENCE = re.compile(
    r"[^。！？；!?;]*(?:[。！？；!?;]+|$)[”’」』）)]*"
    r"(?:\s*〔[^〕]*〕[。；]?|[ \t]*[（(][^（）()\n]{4,80}[）)][。；]?(?=[ \t]*(?:\n|$)))?",
)
_SHORT_LINE = 20
_CLAUSE = re.compile(r"[^，,、：:]*(?:[，,、：:]+|$)")


def _trim(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e)


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[Span]:
    spans = [_trim(text, *match.span()) for match in pattern.finditer(text, start, end)]
    return [(s, e) for s, e in spans if e > s]


def sentence_spans(text: str, span: Span, max_chars: int) -> list[Span]:
    """Sentences of `text[span]`; an over-long sentence is cut at clauses, then hard."""
    out: list[Span] = []
    for s, e in _pieces(text, span[0], span[1], _SENTENCE):
        if e - s <= max_chars:
            out.append((s, e))
            continue
        for cs, ce in _pieces(text, s, e, _CLAUSE):
            cuts = (_trim(text, p, min(p + max_chars, ce)) for p in range(cs, ce, max_chars))
            out.extend((a, b) for a, b in cuts if b > a)
    return out


def pack(paragraphs: list[list[Span]], max_chars: int) -> list[Span]:
    """Greedy: join consecutive sentences while the slice stays within `max_chars`.

    A new paragraph starts a new chunk once the current one is half full, so a chunk
    rarely ends on the first sentence of the paragraph that follows it. Short lines
    (an issuer, a date, a signature) are not paragraphs of their own: they stay with
    what they close.
    """
    packed: list[Span] = []
    for sentences in paragraphs:
        short_line = sum(e - s for s, e in sentences) <= _SHORT_LINE
        for n, (s, e) in enumerate(sentences):
            fits = bool(packed) and e - packed[-1][0] <= max_chars
            half_full = bool(packed) and packed[-1][1] - packed[-1][0] >= max_chars // 2
            if fits and not (n == 0 and half_full and not short_line):
                packed[-1] = (packed[-1][0], e)
            else:
                packed.append((s, e))
    return packed


def block_spans(text: str, block: Block, max_chars: int) -> list[Span]:
    if block.kind == "table_row":
        (row,) = block.paragraphs
        # A row is read as a unit with its header; only a very long one is split.
        if row[1] - row[0] <= 2 * max_chars:
            return [row]
    return pack([sentence_spans(text, p, max_chars) for p in block.paragraphs], max_chars)


def chunk_document(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    if max_chars < 20:
        raise ValueError(f"max_chars must be at least 20, got {max_chars}")
    chunks: list[Chunk] = []
    for block in parse_blocks(doc.text, entry=doc.meta.entry):
        for start, end in block_spans(doc.text, block, max_chars):
            chunk_id = ChunkId(f"{doc.doc_id}#{len(chunks)}")
            chunks.append(
                Chunk(
                    chunk_id=chunk_id,
                    doc_id=doc.doc_id,
                    section=block.section,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    kind=block.kind,
                    table=block.table,
                )
            )
    return chunks
