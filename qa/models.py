"""The public JSON shapes (DESIGN.md "Contracts"): citations and search results."""

from __future__ import annotations

from pydantic import BaseModel, Field

from qa.retrieval import ScoredChunk


class Citation(BaseModel):
    doc_id: str
    title: str
    section: str = Field(description="Section path, outermost first, joined by ' > '")
    text: str = Field(description="Verbatim: source_text[start:end] == text")
    start: int
    end: int
    score: float
    context: str | None = Field(None, description="Table header a row is read against")

    @classmethod
    def from_scored(cls, hit: ScoredChunk, title: str) -> Citation:
        chunk = hit.chunk
        return cls(
            doc_id=chunk.doc_id,
            title=title,
            section=chunk.section.display() or title,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            score=hit.score,
            context=chunk.context,
        )


class SearchResponse(BaseModel):
    query: str
    results: list[Citation]
    latency_ms: float | None = None


class Highlight(BaseModel):
    """Where to mark the first citation's `text`: offsets into it, so a reader can mark
    them in any script without matching strings (the widget converts text for display)."""

    sentence: tuple[int, int] | None = Field(None, description="The supporting sentence")
    answer: tuple[int, int] | None = Field(None, description="The answer as the source says it")


class AnswerPart(BaseModel):
    """One part of a two-part question's answer, with the passage that supports it."""

    answer: str = Field(max_length=80)
    sentence: str
    citation: Citation


class AnswerResponse(BaseModel):
    """The answer contract of DESIGN.md: `qa ask --json` and `POST /v1/ask`."""

    question: str
    # Each part at most 80 characters; a two-part answer joins its parts with "；".
    answer: str | None = Field(None, max_length=400)
    refused: bool
    reason: str | None = None
    sentence: str | None = None
    citations: list[Citation]
    latency_ms: float
    highlight: Highlight | None = Field(None, description="Spans in citations[0].text")
    answer_parts: list[AnswerPart] | None = Field(
        None, description="A question with two asks: each part, cited on its own"
    )
