"""Answers: hybrid retrieval, fusion, citations; the settings and the `qa` command."""
