"""The application token (OAuth client credentials): cached, renewed ahead of expiry, fetched once even
when many threads ask at the same time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

RENEW_MARGIN = 60.0  # seconds before expiry at which a token counts as stale


class ApplicationTokens:
    """Holds one application token; ``fetch`` obtains a new ``(token, expires_in)``."""

    def __init__(self, fetch: Callable[[], tuple[str, float]], margin: float = RENEW_MARGIN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._current: tuple[str, float] | None = None  # (token, monotonic expiry)

    def _fresh(self) -> str | None:
        current = self._current
        if current is not None and self._clock() < current[1] - self._margin:
            return current[0]
        return None

    def get(self) -> str:
        """A valid token; only one caller fetches while the others wait for its result."""
        token = self._fresh()
        if token is not None:
            return token
        with self._lock:
            token = self._fresh()
            if token is None:
                started = self._clock()
                token, expires_in = self._fetch()
                self._current = (token, started + expires_in)
            return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (after a 401) unless another thread already replaced it."""
        with self._lock:
            if self._current is not None and self._current[0] == token:
                self._current = None
