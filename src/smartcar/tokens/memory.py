"""``MemoryTokenStore``: tokens in a dict, for tests and single-process scripts (lost on exit)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from ._base import DEFAULT_LOCK_TIMEOUT, LockTimeout, TokenLock, TokenRecord, TokenStore


class _MemoryLock(TokenLock):
    def __init__(self, store: MemoryTokenStore, user_id: str, lock: threading.Lock) -> None:
        self._store, self._user_id, self._lock = store, user_id, lock
        self.record = store.get(user_id)
        self._pending: TokenRecord | None = None
        self._delete = False
        self._open = True

    def save(self, record: TokenRecord) -> None:
        self._pending, self._delete = record, False

    def delete(self) -> None:
        self._pending, self._delete = None, True

    def _release(self) -> None:
        if self._open:
            self._open = False
            self._lock.release()

    def commit(self) -> None:
        if not self._open:
            return
        with self._store._mutex:
            if self._delete:
                self._store._rows.pop(self._user_id, None)
            elif self._pending is not None:
                self._store._rows[self._user_id] = replace(self._pending, updated_at=time.time())
        self._release()

    def rollback(self) -> None:
        self._release()


class MemoryTokenStore(TokenStore):
    """A dict of records and a lock per user. Single process only."""

    def __init__(self, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.lock_timeout = lock_timeout
        self._rows: dict[str, TokenRecord] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._mutex = threading.Lock()

    def get(self, user_id: str) -> TokenRecord | None:
        with self._mutex:
            return self._rows.get(user_id)

    def put(self, record: TokenRecord) -> TokenRecord:
        with self._mutex:
            old = self._rows.get(record.user_id)
            stored = replace(record, version=old.version + 1 if old else record.version, updated_at=time.time())
            self._rows[record.user_id] = stored
            return stored

    def compare_and_put(self, record: TokenRecord, expected_version: int) -> bool:
        with self._mutex:
            old = self._rows.get(record.user_id)
            if old is None or old.version != expected_version:
                return False
            self._rows[record.user_id] = replace(record, updated_at=time.time())
            return True

    def delete(self, user_id: str) -> bool:
        with self._mutex:
            return self._rows.pop(user_id, None) is not None

    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        with self._mutex:
            lock = self._locks.setdefault(user_id, threading.Lock())
        if not lock.acquire(timeout=self.lock_timeout if timeout is None else timeout):
            raise LockTimeout(f"user {user_id}: lock not acquired within the lock timeout")
        return _MemoryLock(self, user_id, lock)

    def purge(self, refresh_expired_before: float) -> list[str]:
        with self._mutex:
            gone = [uid for uid, rec in self._rows.items() if rec.refresh_expires_at <= refresh_expired_before]
            for uid in gone:
                del self._rows[uid]
            return gone

    def user_ids(self) -> list[str]:
        with self._mutex:
            return list(self._rows)
