"""Synthetic corpora for the benchmarks: real sentences of the bundled documents
recombined under a fixed seed, so term statistics stay those of Chinese policy text, and
deterministic stand-in vectors for sizes real embeddings would take too long to build."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import numpy as np

from corpus.bundled import load_bundled
from corpus.chunking import chunk_document
from corpus.models import Document, DocumentMeta
from eval.gold import default_gold_files, load_gold
from index.embedders import FloatMatrix


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


def policy_sentences() -> list[str]:
    sentences = []
    for doc in load_bundled():
        for piece in re.split(r"(?<=[。；！？])", doc.text):
            piece = piece.strip()
            if 8 <= len(piece) <= 120 and "\t" not in piece:
                sentences.append(piece)
    return sentences


def synthetic_documents(chunks: int, seed: int = 7) -> list[Document]:
    """At least `chunks` passages: documents of 10 sections x 5 paragraphs, each paragraph
    2-4 real sentences (under the 300-character chunk limit, so one chunk each)."""
    rng = random.Random(seed)
    sentences = policy_sentences()
    numerals = "一二三四五六七八九十"
    documents: list[Document] = []
    made = 0
    while made < chunks:
        number = len(documents)
        lines = [f"黑龙江省科技政策汇编第{number + 1}号"]
        for section in range(10):
            lines.append(f"{numerals[section]}、{rng.choice(sentences)[:18].rstrip('。；，')}")
            for _ in range(5):
                paragraph = "".join(rng.sample(sentences, rng.randint(2, 4)))
                lines.append(paragraph[:290])
        meta = DocumentMeta(f"synthetic-{number:05d}", f"黑龙江省科技政策汇编第{number + 1}号")
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
