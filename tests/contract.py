"""The public answer contract of DESIGN.md, pinned once for every test that checks it."""

ANSWER_FIELDS = frozenset(
    {"question", "answer", "refused", "reason", "sentence", "citations", "latency_ms"}
    | {"understood_as", "carried"}
)
