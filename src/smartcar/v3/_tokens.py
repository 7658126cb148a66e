"""The application token (OAuth client credentials): cached, renewed ahead of expiry, fetched once even
when many threads (or tasks, for the async client) ask at the same time."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

RENEW_MARGIN = 60.0  # seconds before expiry at which a token counts as stale


class _TokenCache:
    """The cached ``(token, monotonic expiry)`` and its freshness rule, shared by the sync and async holders."""

    def __init__(self, margin: float = RENEW_MARGIN, clock: Callable[[], float] = time.monotonic) -> None:
        self._margin = margin
        self._clock = clock
        self._state_lock = threading.Lock()
        self._current: tuple[str, float] | None = None  # (token, monotonic expiry)

    def _fresh(self) -> str | None:
        current = self._current
        if current is not None and self._clock() < current[1] - self._margin:
            return current[0]
        return None

    def _store(self, token: str, expires_in: float, started: float) -> str:
        self._current = (token, started + expires_in)
        return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (after a 401) unless another caller already replaced it."""
        with self._state_lock:
            if self._current is not None and self._current[0] == token:
                self._current = None


class ApplicationTokens(_TokenCache):
    """Holds one application token; ``fetch`` obtains a new ``(token, expires_in)``."""

    def __init__(self, fetch: Callable[[], tuple[str, float]], margin: float = RENEW_MARGIN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(margin, clock)
        self._fetch = fetch
        self._lock = threading.Lock()

    def get(self) -> str:
        """A valid token; only one caller fetches while the others wait for its result."""
        token = self._fresh()
        if token is not None:
            return token
        with self._lock:
            token = self._fresh()
            if token is None:
                started = self._clock()
                token = self._store(*self._fetch(), started)
            return token


class AsyncApplicationTokens(_TokenCache):
    """``ApplicationTokens`` for one event loop: ``await get()``; concurrent tasks share one fetch."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]], margin: float = RENEW_MARGIN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(margin, clock)
        self._fetch = fetch
        self._lock: asyncio.Lock | None = None

    async def get(self) -> str:
        """A valid token; only one task fetches while the others wait for its result."""
        token = self._fresh()
        if token is not None:
            return token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            token = self._fresh()
            if token is None:
                started = self._clock()
                token = self._store(*await self._fetch(), started)
            return token
