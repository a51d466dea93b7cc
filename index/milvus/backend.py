"""`MilvusBackend`: the reading, searching and writing parts over one shared store."""

from __future__ import annotations

from index.milvus.search import MilvusSearch
from index.milvus.writes import MilvusWrites


class MilvusBackend(MilvusWrites, MilvusSearch):
    def reopened(self) -> MilvusBackend:
        fresh = MilvusBackend(
            self.uri,
            self.embedder,
            self.tokenizer,
            self.chunk_max_chars,
            self.collection,
            self.token,
            self.cache_path,
            client=self.client,  # one connection per process, shared by its snapshots
        )
        return fresh.load_catalog(self._catalog)
