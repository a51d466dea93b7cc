"""Request and response models of the HTTP API; storage models live in index/ and qa/."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa.conversation import ANSWER_CHARS, MAX_TURNS, Turn
from qa.feedback import Rating
from qa.models import Citation
from qa.text import Script, strip_invisible

DocIds = list[str]


def visible_text(value: str) -> str:
    """Zero-width and control characters removed; what is left must say something."""
    cleaned = strip_invisible(value).strip()
    if not cleaned:
        raise ValueError("must contain visible text")
    return cleaned


class HistoryTurn(BaseModel):
    """An earlier turn of the conversation, as the caller kept it."""

    question: str = Field(min_length=1, max_length=500, description="那一轮的问题")
    answer: str | None = Field(None, max_length=ANSWER_CHARS, description="那一轮的答案")
    doc_id: str | None = Field(
        None, max_length=200, description="那一轮第一条引用的文档（可选：追问先在其中查找）"
    )

    _visible = field_validator("question")(visible_text)

    def turn(self) -> Turn:
        return Turn(self.question, self.answer, self.doc_id)


AS_OF = "只用这一天有效的文件（YYYY-MM-DD，默认今天）：问过去的规定时用"


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "到2025年技术合同成交额目标是多少", "top_k": 5}]
        }
    )

    question: str = Field(min_length=1, max_length=500, description="问题，最多500字")
    top_k: int | None = Field(None, ge=1, le=20, description="返回的引用条数（1–20）")
    doc_ids: list[str] | None = Field(None, max_length=20, description="只在这些文档中查找")
    history: list[HistoryTurn] = Field(
        default_factory=list,
        max_length=MAX_TURNS,
        description="此前的对话轮次（最早的在前，最多10轮）：追问据此理解",
    )
    as_of: date | None = Field(None, description=AS_OF)

    _visible = field_validator("question")(visible_text)

    def turns(self) -> list[Turn]:
        return [h.turn() for h in self.history]


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "技術契約成交額", "top_k": 5}]}
    )

    query: str = Field(min_length=1, max_length=500, description="检索词或问题，最多500字")
    top_k: int | None = Field(None, ge=1, le=20)
    doc_ids: list[str] | None = Field(None, max_length=20)
    as_of: date | None = Field(None, description=AS_OF)
    explain: bool = Field(
        False,
        description="Each result's BM25 and dense scores, ranks and matched terms, and the "
        "rule that answers the query as a question (needs an internal X-API-Key)",
    )

    _visible = field_validator("query")(visible_text)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = Field(None)

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; fields we do not use are accepted and ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "zhengce",
                    "messages": [
                        {"role": "user", "content": "到2025年技术合同成交额目标是多少"},
                        {"role": "assistant", "content": "500亿元"},
                        {"role": "user", "content": "那2026年呢？"},
                    ],
                }
            ]
        },
    )

    model: str = Field("zhengce-wenda", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False

    def conversation(self) -> tuple[str, list[Turn]]:
        """The last user message, and the turns before it: each earlier user message
        with the assistant's reply after it (at most MAX_TURNS, the latest)."""
        turns: list[Turn] = []
        for message in self.messages:
            text = strip_invisible(message.text()).strip()
            if message.role == "user" and text:
                turns.append(Turn(text[:500]))
            elif message.role == "assistant" and turns and turns[-1].answer is None and text:
                turns[-1] = Turn(turns[-1].question, text[:ANSWER_CHARS])
        if not turns:
            return "", []
        return turns[-1].question, turns[:-1][-MAX_TURNS:]


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class ChatResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: dict[str, int]
    citations: list[Citation]


class Readiness(BaseModel):
    backend: str = Field(description="embedded 或 milvus")
    generation: str = Field(description="索引版本：embedded 的 generation，milvus 的版本标记")
    documents: int
    chunks: int
    embedder: str


class ConvertRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=100, description="要转换的文本，最多100段")
    to: Script = Field(description="simplified（简体）或 traditional（繁體）")

    @field_validator("texts")
    @classmethod
    def _short_texts(cls, texts: list[str]) -> list[str]:
        if any(len(t) > 5000 for t in texts):
            raise ValueError("each text must be at most 5000 characters")
        return texts


class ConvertResponse(BaseModel):
    to: Script
    texts: list[str]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rating": "up",
                    "question": "到2025年技术合同成交额目标是多少",
                    "answer": "500亿元",
                    "refused": False,
                    "doc_id": "hlj-sti-14th-five-year-plan-2021",
                }
            ]
        }
    )

    rating: Rating
    question: str = Field(min_length=1, max_length=500)
    answer: str | None = Field(None, max_length=200)
    refused: bool = False
    doc_id: str | None = Field(None, max_length=200)
    section: str | None = Field(None, max_length=1000)
    comment: str | None = Field(None, max_length=1000)


class FeedbackReceipt(BaseModel):
    id: int
    created_at: str


class FeedbackItem(FeedbackRequest):
    id: int
    created_at: str


class FeedbackList(BaseModel):
    counts: dict[str, int]
    items: list[FeedbackItem]
