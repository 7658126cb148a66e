"""``SQLiteTokenStore``: tokens in a SQLite file (stdlib ``sqlite3``), shared by every process on one host.

The lock is SQLite's write lock, taken with ``BEGIN IMMEDIATE``: one refresh at a time per database file (any
user), while readers go on (WAL). It is released by the commit that stores the refreshed pair, or by the
operating system when the holder dies.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._base import (DEFAULT_LOCK_TIMEOUT, Cipher, LockTimeout, Pool, TokenLock, TokenRecord, TokenStore,
                    check_identifier)

_COLUMNS = "user_id, access_token, refresh_token, expires_at, refresh_expires_at, version, updated_at"


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class _SQLiteLock(TokenLock):
    def __init__(self, store: SQLiteTokenStore, conn: sqlite3.Connection, user_id: str) -> None:
        self._store, self._conn, self._user_id = store, conn, user_id
        self._open = True
        self.record = store._row(conn, user_id)

    def save(self, record: TokenRecord) -> None:
        self._store._upsert(self._conn, record)

    def delete(self) -> None:
        self._conn.execute(f"DELETE FROM {self._store.table} WHERE user_id = ?", (self._user_id,))

    def commit(self) -> None:
        if not self._open:
            return
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        self._open = False
        self._store._pool.give(self._conn)

    def rollback(self) -> None:
        if not self._open:
            return
        self._open = False
        broken = False
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            broken = True
        self._store._pool.give(self._conn, broken=broken)


class SQLiteTokenStore(TokenStore):
    """Tokens in ``path`` (created with its table when missing), WAL mode, ``synchronous=FULL``.
    ``encryption_key``: a Fernet key (or a list, newest first) to encrypt tokens at rest."""

    def __init__(self, path: str | Path = "smartcar_tokens.db", *, table: str = "smartcar_tokens",
                 encryption_key: str | bytes | Sequence[str | bytes] | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, max_connections: int = 32) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file::memory:"):
            raise ValueError("SQLiteTokenStore needs a file (processes share it); use MemoryTokenStore in memory")
        self.path = str(path)
        self.table = check_identifier(table)
        self.lock_timeout = lock_timeout
        self._cipher = Cipher(encryption_key)
        self._pool: Pool[sqlite3.Connection] = Pool(self._connect, lambda c: c.close(), max_connections)
        conn = self._pool.take()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (user_id TEXT PRIMARY KEY,"
                         " access_token TEXT NOT NULL, refresh_token TEXT NOT NULL, expires_at REAL NOT NULL,"
                         " refresh_expires_at REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0,"
                         " updated_at REAL NOT NULL)")
        finally:
            self._pool.give(conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.lock_timeout, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=FULL")  # a committed refresh survives a power cut, not only a crash
        return conn

    # Rows -------------------------------------------------------------------------------------------
    def _decode(self, row: Any) -> TokenRecord:
        return TokenRecord(row[0], self._cipher.decrypt(row[1]), self._cipher.decrypt(row[2]), float(row[3]),
                           float(row[4]), int(row[5]), float(row[6]))

    def _row(self, conn: sqlite3.Connection, user_id: str) -> TokenRecord | None:
        row = conn.execute(f"SELECT {_COLUMNS} FROM {self.table} WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else self._decode(row)

    def _upsert(self, conn: sqlite3.Connection, record: TokenRecord) -> None:
        conn.execute(f"INSERT INTO {self.table} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id)"
                     " DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
                     " expires_at = excluded.expires_at, refresh_expires_at = excluded.refresh_expires_at,"
                     " version = excluded.version, updated_at = excluded.updated_at",
                     (record.user_id, self._cipher.encrypt(record.access_token),
                      self._cipher.encrypt(record.refresh_token), record.expires_at, record.refresh_expires_at,
                      record.version, time.time()))

    def _write(self, fn: Any, timeout: float | None = None) -> Any:
        """Run ``fn(conn)`` in one ``BEGIN IMMEDIATE`` transaction."""
        conn = self._pool.take()
        try:
            self._begin(conn, timeout)
            try:
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except BaseException as error:
            self._pool.give(conn, broken=isinstance(error, sqlite3.Error) and not isinstance(error, LockTimeout))
            raise
        self._pool.give(conn)
        return result

    def _begin(self, conn: sqlite3.Connection, timeout: float | None) -> None:
        wait = self.lock_timeout if timeout is None else timeout
        conn.execute(f"PRAGMA busy_timeout = {max(0, int(wait * 1000))}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise LockTimeout(f"SQLite write lock on {self.path} not acquired within {wait} s") from None
            raise

    # TokenStore -------------------------------------------------------------------------------------
    def get(self, user_id: str) -> TokenRecord | None:
        conn = self._pool.take()
        try:
            return self._row(conn, user_id)
        finally:
            self._pool.give(conn)

    def put(self, record: TokenRecord) -> TokenRecord:
        def write(conn: sqlite3.Connection) -> TokenRecord:
            old = self._row(conn, record.user_id)
            stored = TokenRecord(record.user_id, record.access_token, record.refresh_token, record.expires_at,
                                 record.refresh_expires_at, old.version + 1 if old else record.version,
                                 time.time())
            self._upsert(conn, stored)
            return stored
        result: TokenRecord = self._write(write)
        return result

    def compare_and_put(self, record: TokenRecord, expected_version: int) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            old = self._row(conn, record.user_id)
            if old is None or old.version != expected_version:
                return False
            self._upsert(conn, record)
            return True
        return bool(self._write(write))

    def delete(self, user_id: str) -> bool:
        return bool(self._write(lambda conn: conn.execute(f"DELETE FROM {self.table} WHERE user_id = ?",
                                                          (user_id,)).rowcount))

    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        conn = self._pool.take()
        try:
            self._begin(conn, timeout)
        except LockTimeout:
            self._pool.give(conn)
            raise
        except BaseException:
            self._pool.give(conn, broken=True)
            raise
        try:
            return _SQLiteLock(self, conn, user_id)
        except BaseException:
            conn.execute("ROLLBACK")
            self._pool.give(conn)
            raise

    def purge(self, refresh_expired_before: float) -> list[str]:
        def write(conn: sqlite3.Connection) -> list[str]:
            ids = [row[0] for row in conn.execute(f"SELECT user_id FROM {self.table} WHERE refresh_expires_at <= ?",
                                                  (refresh_expired_before,))]
            conn.execute(f"DELETE FROM {self.table} WHERE refresh_expires_at <= ?", (refresh_expired_before,))
            return ids
        result: list[str] = self._write(write)
        return result

    def user_ids(self) -> list[str]:
        conn = self._pool.take()
        try:
            return [row[0] for row in conn.execute(f"SELECT user_id FROM {self.table} ORDER BY user_id")]
        finally:
            self._pool.give(conn)

    def close(self) -> None:
        self._pool.close()

