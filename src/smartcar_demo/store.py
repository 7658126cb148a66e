"""Token persistence for the tutorial app: the ``load_access_from_database`` /
``put_access_into_database`` idea of the tutorials, done with SQLite.

Each write is one transaction, so a refreshed (rotated) refresh token is on disk before the new access token
is used: a crash never leaves the app holding only a refresh token that the platform already retired.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path


@dataclass(frozen=True)
class StoredAccess:
    access_token: str
    refresh_token: str
    expiration: datetime  # naive UTC, as the SDK's Access tuple holds it
    refresh_expiration: datetime

    def expired(self, margin: timedelta = timedelta(seconds=60)) -> bool:
        return datetime.now(timezone.utc).replace(tzinfo=None) + margin >= self.expiration


class TokenStore:
    """One row per Smartcar user: their access and refresh tokens."""

    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS access (user_id TEXT PRIMARY KEY, access_token TEXT NOT NULL,"
            " refresh_token TEXT NOT NULL, expiration TEXT NOT NULL, refresh_expiration TEXT NOT NULL)")

    def put_access_into_database(self, user_id: str, access: StoredAccess) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO access VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
                " expiration = excluded.expiration, refresh_expiration = excluded.refresh_expiration",
                (user_id, access.access_token, access.refresh_token, access.expiration.isoformat(),
                 access.refresh_expiration.isoformat()))

    def load_access_from_database(self, user_id: str) -> StoredAccess | None:
        with self._lock:
            row = self._conn.execute("SELECT access_token, refresh_token, expiration, refresh_expiration"
                                     " FROM access WHERE user_id = ?", (user_id,)).fetchone()
        if row is None:
            return None
        return StoredAccess(row[0], row[1], datetime.fromisoformat(row[2]), datetime.fromisoformat(row[3]))

    def close(self) -> None:
        self._conn.close()
