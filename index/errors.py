"""The one error family of index/: every failure a backend or the on-disk store reports.

Both backends and the store raise these; `qa/service.py` catches them (one base class,
`BackendError`) and turns them into `qa.errors`. The message always says what went
wrong and what to run.
"""

from __future__ import annotations


class BackendError(RuntimeError):
    """The store refused or failed an operation; the message says why and what to do."""


class BackendUnavailableError(BackendError):
    """The store did not answer or failed (a server down, a timeout): retry later."""


class DocumentExistsError(BackendError):
    pass


class UnknownDocumentError(BackendError):
    pass


class IndexStoreError(BackendError):
    """The index cannot be used as it is (missing, damaged, built otherwise)."""


class NoIndexError(IndexStoreError):
    pass


class IndexMismatchError(IndexStoreError):
    """Built with another embedder or format: `qa ingest` rebuilds it."""


class WriterBusyError(IndexStoreError):
    """Another process holds the writer lock."""
