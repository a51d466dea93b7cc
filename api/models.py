"""Request and response models of the HTTP API; storage models live in index/."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.models import Citation

DocIds = list[str]


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "到2025年技术合同成交额目标是多少", "top_k": 5}]
        }
    )

    question: str = Field(min_length=1, max_length=500, description="问题，最多500字")
    top_k: int | None = Field(None, ge=1, le=20, description="返回的引用条数（1–20）")
    doc_ids: list[str] | None = Field(None, max_length=20, description="只在这些文档中查找")


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "技術契約成交額", "top_k": 5}]}
    )

    query: str = Field(min_length=1, max_length=500, description="检索词或问题，最多500字")
    top_k: int | None = Field(None, ge=1, le=20)
    doc_ids: list[str] | None = Field(None, max_length=20)


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
                    "messages": [{"role": "user", "content": "到2026年技术合同成交额要达到多少"}],
                }
            ]
        },
    )

    model: str = Field("zhengce-wenda", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False


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
    generation: str
    documents: int
    chunks: int
    embedder: str
