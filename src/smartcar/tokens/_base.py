"""The token record, the store interface, errors and the helpers the stores share (connection pool, cipher)."""

from __future__ import annotations

import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, TypeVar

DEFAULT_LOCK_TIMEOUT = 10.0  # seconds a worker waits for another worker's refresh of the same user
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class TokenError(Exception):
    """Base of the errors raised by ``smartcar.tokens`` (messages never contain a token)."""


class LockTimeout(TokenError):
    """Another worker held the user's lock longer than the lock timeout. Nothing was refreshed: retry later."""


class LockLost(TokenError):
    """A worker's hold on a user's lock ended before it committed: the database ended its transaction (it
    stalled longer than the store's ``hold_timeout``, or its connection dropped). Nothing it wrote in that
    transaction was kept, and another worker may have taken the lock (and refreshed) since: retry."""


class ReconnectRequired(TokenError):
    """The user's refresh token is dead (expired, revoked, or reused): send them through Connect again."""

    def __init__(self, user_id: str, reason: str) -> None:
        super().__init__(f"user {user_id}: {reason}; the user must connect again")
        self.user_id = user_id
        self.reason = reason


class UnknownUser(ReconnectRequired):
    """The store holds no tokens for this user."""

    def __init__(self, user_id: str) -> None:
        super().__init__(user_id, "no tokens stored")


@dataclass(frozen=True)
class TokenRecord:
    """One user's tokens. Times are epoch seconds. ``repr`` never shows the tokens."""

    user_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    refresh_expires_at: float
    version: int = 0  # incremented by every refresh (and every put)
    updated_at: float = 0.0

    def fresh(self, now: float, margin: float = 0.0) -> bool:
        """Whether the access token is still valid ``margin`` seconds from ``now``."""
        return now + margin < self.expires_at


class TokenLock(ABC):
    """A user's row, locked for one transaction: re-read under the lock, written by :meth:`save`, released by
    :meth:`commit` or :meth:`rollback` (``with`` commits on success). Only one worker anywhere holds it."""

    record: TokenRecord | None

    @abstractmethod
    def save(self, record: TokenRecord) -> None:
        """Write ``record`` inside the locked transaction (visible to others after :meth:`commit`)."""

    @abstractmethod
    def delete(self) -> None:
        """Delete the user's row inside the locked transaction."""

    @abstractmethod
    def commit(self) -> None:
        """Commit and release the lock."""

    @abstractmethod
    def rollback(self) -> None:
        """Discard what was saved and release the lock (never raises)."""

    def verify(self) -> None:
        """Raise :class:`LockLost` if the lock is no longer held (the managers call it just before presenting
        the refresh token). Locks that cannot be lost (memory, SQLite) do nothing."""

    def __enter__(self) -> TokenLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


class TokenStore(ABC):
    """Where users' tokens live. Implementations: ``MemoryTokenStore``, ``SQLiteTokenStore``,
    ``PostgresTokenStore``. Every method is safe to call from many threads."""

    lock_timeout: float = DEFAULT_LOCK_TIMEOUT

    @abstractmethod
    def get(self, user_id: str) -> TokenRecord | None:
        """The user's current record (no lock), or None."""

    @abstractmethod
    def put(self, record: TokenRecord) -> TokenRecord:
        """Insert or replace a user's tokens (e.g. after a code exchange); returns what was stored."""

    @abstractmethod
    def compare_and_put(self, record: TokenRecord, expected_version: int) -> bool:
        """Store ``record`` only if the row is still at ``expected_version`` (without waiting for a lock
        longer than the lock timeout); whether it was stored."""

    @abstractmethod
    def delete(self, user_id: str) -> bool:
        """Forget the user; whether there was a row."""

    @abstractmethod
    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        """Lock the user's row (waiting up to ``timeout``, default :attr:`lock_timeout`) and re-read it.
        Raises :class:`LockTimeout`."""

    @abstractmethod
    def purge(self, refresh_expired_before: float) -> list[str]:
        """Delete users whose refresh token expired before this time; their ids."""

    @abstractmethod
    def user_ids(self) -> list[str]:
        """Every stored user id."""

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> TokenStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_identifier(name: str, what: str = "table") -> str:
    """A SQL identifier made of letters, digits and underscores (so it can be quoted safely everywhere)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"invalid {what} name {name!r}: use letters, digits and underscores")
    return name


def missing_extra(package: str, extra: str, feature: str) -> ImportError:
    return ImportError(f"{feature} needs the {package!r} package, which is not installed: "
                       f"pip install 'smartcar-toolkit[{extra}]'")


class Cipher:
    """Encrypts tokens at rest with Fernet (``cryptography``) when keys are given; otherwise stores them as is.
    The first key encrypts; every key decrypts (rotate by prepending a new key)."""

    def __init__(self, keys: str | bytes | Sequence[str | bytes] | None) -> None:
        self._fernet: Any = None
        if keys is None:
            return
        if isinstance(keys, (str, bytes)):
            keys = [keys]
        try:
            from cryptography.fernet import Fernet, InvalidToken, MultiFernet
        except ImportError:
            raise missing_extra("cryptography", "encryption", "Encrypting tokens at rest") from None
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self._invalid: type[Exception] = InvalidToken

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str) -> str:
        return value if self._fernet is None else str(self._fernet.encrypt(value.encode()).decode("ascii"))

    def decrypt(self, value: str) -> str:
        if self._fernet is None:
            return value
        try:
            return str(self._fernet.decrypt(value.encode("ascii")).decode())
        except (self._invalid, ValueError):
            raise TokenError("a stored token cannot be decrypted with the given key(s): wrong key, or the row "
                             "was written without encryption") from None


C = TypeVar("C")


class Pool(Generic[C]):
    """A small LIFO pool of database connections, at most ``size`` open at once; forgotten after ``fork``
    (the child opens its own, never touching the parent's)."""

    def __init__(self, connect: Callable[[], C], close: Callable[[C], None], size: int) -> None:
        self._connect = connect
        self._close = close
        self._idle: list[C] = []
        self._mutex = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._size = size
        self._pid = os.getpid()

    def _check_fork(self) -> None:
        if self._pid != os.getpid():  # a forked child: the parent's connections are not ours to use or close
            with self._mutex:
                if self._pid != os.getpid():
                    self._idle = []
                    self._slots = threading.BoundedSemaphore(self._size)
                    self._pid = os.getpid()

    def take(self, timeout: float | None = None) -> C:
        """An idle connection or a new one; waits for a free slot (``LockTimeout`` after ``timeout``)."""
        self._check_fork()
        if not self._slots.acquire(timeout=timeout if timeout is not None else -1):
            raise LockTimeout(f"no free database connection within {timeout} s (pool of {self._size})")
        with self._mutex:
            if self._idle:
                return self._idle.pop()
        try:
            return self._connect()
        except BaseException:
            self._slots.release()
            raise

    def give(self, conn: C, broken: bool = False) -> None:
        """Return a connection (closed instead when ``broken``)."""
        if self._pid != os.getpid():
            return
        if broken:
            try:
                self._close(conn)
            except Exception:  # noqa: BLE001 - a broken connection may fail to close
                pass
        else:
            with self._mutex:
                self._idle.append(conn)
        self._slots.release()

    def close(self) -> None:
        with self._mutex:
            idle, self._idle = self._idle, []
        if self._pid == os.getpid():
            for conn in idle:
                try:
                    self._close(conn)
                except Exception:  # noqa: BLE001
                    pass
