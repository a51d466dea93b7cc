"""A service guide's labelled facts: a section whose heading is the asked noun and whose
body is one short line (三、受理单位 / 广州市社保经办窗口, 九、收费标准 / 不收费). The body
is the answer; the heading only says what it is."""

from __future__ import annotations

from corpus.normalize import fold_compact
from qa.extract.passages import LEADING_MARK, MAX_ANSWER, Evidence, Extraction
from qa.question import Question

MIN_LABEL = 3  # characters: 时间 or 地点 alone names too little to be asked by name


def heading_value(question: Question, evidence: Evidence) -> Extraction | None:
    asked = fold_compact(question.folded)
    for rank, hit in evidence.usable:
        chunk = hit.chunk
        label = fold_compact(LEADING_MARK.sub("", chunk.section.innermost))
        body = chunk.text.strip()
        if len(label) < MIN_LABEL or label not in asked:
            continue
        # An article or a heading line that opens its own text is no label of a value.
        if fold_compact(body).startswith(label) or "\n" in body or len(body) > MAX_ANSWER:
            continue
        return Extraction(body, body, rank, chunk)
    return None
