"""Chunks to searchable structures: tokens, BM25, embeddings, FAISS, generations."""
