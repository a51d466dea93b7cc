"""API keys with roles: those configured in QA_API_KEYS, and those an admin issues from
the console, kept in SQLite beside the index as SHA-256 digests only (a key is shown
once, when it is issued, and cannot be read back)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pydantic import BaseModel, Field

from qa.settings import Role, Settings
from qa.sqlite import connected, create, now_utc

KEYS_FILE = "keys.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digest TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    label TEXT NOT NULL,
    hint TEXT NOT NULL,
    created_at TEXT NOT NULL
)"""


class KeyRequest(BaseModel):
    role: Role
    label: str = Field(min_length=1, max_length=60, description="Who holds it (a name, a team)")


class IssuedKey(BaseModel):
    id: int
    role: Role
    label: str
    hint: str = Field(description="The key's last four characters, to tell keys apart")
    created_at: str


class NewKey(IssuedKey):
    key: str = Field(description="The key itself: shown this once, store it now")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    role: Role
    label: str  # "QA_API_KEYS" for a configured key


class KeyStore:
    def __init__(self, settings: Settings) -> None:
        self.configured = settings.api_key_roles
        self.path = settings.data_dir / KEYS_FILE
        create(self.path, _SCHEMA)

    def enabled(self) -> bool:
        """Internal routes answer at all: some key is configured or issued."""
        if self.configured:
            return True
        with connected(self.path) as conn:
            return conn.execute("SELECT 1 FROM keys LIMIT 1").fetchone() is not None

    def caller(self, key: str) -> Caller | None:
        """Who holds `key`. Configured keys are compared in constant time, every one of
        them; issued keys are looked up by digest, which reveals nothing of the key."""
        found = None
        for role, configured in self.configured:
            if hmac.compare_digest(key.encode(), configured.encode()):
                found = Caller(role, "QA_API_KEYS")
        if found is not None:
            return found
        with connected(self.path) as conn:
            row = conn.execute(
                "SELECT role, label FROM keys WHERE digest = ?", (digest(key),)
            ).fetchone()
        return Caller(row[0], row[1]) if row else None

    def issued(self) -> list[IssuedKey]:
        with connected(self.path) as conn:
            rows = conn.execute(
                "SELECT id, role, label, hint, created_at FROM keys ORDER BY id"
            ).fetchall()
        return [IssuedKey(id=r[0], role=r[1], label=r[2], hint=r[3], created_at=r[4]) for r in rows]

    def issue(self, request: KeyRequest) -> NewKey:
        key = secrets.token_urlsafe(24)
        created = now_utc()
        with connected(self.path) as conn:
            cursor = conn.execute(
                "INSERT INTO keys (digest, role, label, hint, created_at) VALUES (?, ?, ?, ?, ?)",
                (digest(key), request.role, request.label.strip(), key[-4:], created),
            )
        return NewKey(
            id=cursor.lastrowid or 0,
            role=request.role,
            label=request.label.strip(),
            hint=key[-4:],
            created_at=created,
            key=key,
        )

    def revoke(self, key_id: int) -> bool:
        with connected(self.path) as conn:
            return conn.execute("DELETE FROM keys WHERE id = ?", (key_id,)).rowcount > 0
