"""jieba search-mode tokens over folded text, with figures kept whole.

"500亿元", "2.5%", "2025年" survive as single tokens (jieba alone splits them), and
their bare numbers are emitted too, so "500" also matches.
"""

from __future__ import annotations

import logging
import re
from functools import cached_property
from pathlib import Path

import jieba

from corpus.normalize import fold

RESOURCES = Path(__file__).resolve().parent / "resources"
TOKENIZER_VERSION = "jieba-search-1"

_UNITS = (
    "亿元|万元|亿|万|元|%|‰|家|个|项|人|件|年|月|日|倍|次|所|台|套|名|座|条|千米|公里|平方米|吨"
)
_FIGURE = re.compile(rf"\d+(?:\.\d+)?(?:{_UNITS})?")
_TOKEN_CHARS = re.compile(r"\w")


class Tokenizer:
    """One jieba instance with the domain dictionary; no global jieba state is touched."""

    def __init__(
        self,
        userdict: Path = RESOURCES / "userdict.txt",
        stopwords: Path = RESOURCES / "stopwords.txt",
    ) -> None:
        for path in (userdict, stopwords):
            if not path.is_file():
                raise FileNotFoundError(f"tokenizer resource missing: {path}")
        self._userdict = userdict
        self.stopwords = frozenset(
            w.strip() for w in stopwords.read_text(encoding="utf-8").splitlines() if w.strip()
        )

    @cached_property
    def domain_words(self) -> list[str]:
        """The words of the domain dictionary (first column of jieba's user-dict format)."""
        lines = self._userdict.read_text(encoding="utf-8").splitlines()
        return [line.split()[0] for line in lines if line.strip()]

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not ours to print
        tok = jieba.Tokenizer()
        tok.load_userdict(str(self._userdict))
        return tok

    def tokenize(self, text: str) -> list[str]:
        folded = fold(text)
        tokens: list[str] = []
        pos = 0
        for match in _FIGURE.finditer(folded):
            tokens.extend(self._words(folded[pos : match.start()]))
            figure = match.group()
            tokens.append(figure)
            number = re.match(r"\d+(?:\.\d+)?", figure)
            if number and number.group() != figure:
                tokens.append(number.group())
            pos = match.end()
        tokens.extend(self._words(folded[pos:]))
        return tokens

    def _words(self, text: str) -> list[str]:
        if not text.strip():
            return []
        return [
            w
            for w in self._jieba.cut_for_search(text)
            if _TOKEN_CHARS.search(w) and w not in self.stopwords and not w.isspace()
        ]
