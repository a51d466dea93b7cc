"""The one error family the edges (HTTP API, CLI) see from qa/. `QAService` translates
index, corpus and embedder errors into these; each keeps the message of the failure,
which says what went wrong and what to run. The CLI exits 2 on any of them; the API
gives each its own status (api/app.py)."""

from __future__ import annotations


class QAError(RuntimeError):
    """The request cannot be served as asked; the message says why."""


class ServiceUnavailableError(QAError):
    """The search backend did not answer (a server down, a timeout): retry later."""


class IndexUnavailableError(QAError):
    """No usable index: missing, damaged, or built with another embedder or format."""


class BusyError(QAError):
    """Another document change holds the index; retry shortly."""


class DocumentConflictError(QAError):
    """A document with that id exists."""


class DocumentNotFoundError(QAError):
    pass


class InvalidDocumentError(QAError):
    """The document or the change was refused: unreadable, empty, a bad id or name."""


class UnsupportedFormatError(InvalidDocumentError):
    pass


class InvalidCuratedError(QAError):
    """A curated answer was refused: its passage is not indexed, or does not state it."""


class CuratedNotFoundError(QAError):
    pass
