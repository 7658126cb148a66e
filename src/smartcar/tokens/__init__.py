"""Users' tokens at scale: stores (memory, SQLite, PostgreSQL) and managers that refresh each user's tokens
exactly once per expiry across threads, processes and hosts. See docs/tokens.md.

    store = smartcar.tokens.open_store("tokens.db")          # or "postgresql://user@host/db"
    tokens = smartcar.tokens.TokenManager(store, smartcar.AuthClient())
    tokens.save(user_id, auth.exchange_code(code))           # after Connect
    odometer = tokens.call(user_id, lambda token: smartcar.Vehicle(vid, token).odometer())
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._base import (DEFAULT_LOCK_TIMEOUT, LockLost, LockTimeout, ReconnectRequired, TokenError, TokenLock,
                    TokenRecord, TokenStore, UnknownUser)
from .manager import AsyncTokenManager, CountingMetrics, Grant, TokenManager, TokenMetrics
from .memory import MemoryTokenStore
from .sqlite import SQLiteTokenStore

if TYPE_CHECKING:
    from .postgres import PostgresTokenStore

__all__ = ["AsyncTokenManager", "CountingMetrics", "DEFAULT_LOCK_TIMEOUT", "Grant", "LockLost", "LockTimeout",
           "MemoryTokenStore", "PostgresTokenStore", "ReconnectRequired", "SQLiteTokenStore", "TokenError",
           "TokenLock", "TokenManager", "TokenMetrics", "TokenRecord", "TokenStore", "UnknownUser",
           "generate_key", "open_store"]


def __getattr__(name: str) -> Any:
    if name == "PostgresTokenStore":  # the module imports psycopg only when a store is created
        from .postgres import PostgresTokenStore
        return PostgresTokenStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(url: str | Path, *, encryption_key: str | bytes | Sequence[str | bytes] | None = None,
               **options: Any) -> TokenStore:
    """A store from a URL: ``postgresql://…`` (or ``postgres://``), ``sqlite:///path``, a plain file path, or
    ``:memory:``. ``options`` go to the store (``table``, ``lock_timeout``, ``schema`` for PostgreSQL...)."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresTokenStore
        return PostgresTokenStore(text, encryption_key=encryption_key, **options)
    if text in (":memory:", "memory:"):
        if encryption_key is not None:
            raise ValueError("MemoryTokenStore keeps tokens in memory only: encryption_key does not apply")
        return MemoryTokenStore(**options)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    return SQLiteTokenStore(text, encryption_key=encryption_key, **options)


def generate_key() -> str:
    """A new Fernet key for ``encryption_key=`` (needs the ``encryption`` extra). Keep it out of the database."""
    try:
        from cryptography.fernet import Fernet
    except ImportError:
        from ._base import missing_extra
        raise missing_extra("cryptography", "encryption", "Encrypting tokens at rest") from None
    return Fernet.generate_key().decode("ascii")
