"""The retry policy shared by the sync and async senders: *whether* and *how long* to wait before trying again.

Pure decisions: nothing here sends a request. ``RetryPolicy.delay`` looks at the attempt number, the error
(status code, ``Retry-After``, the transport failure behind an ``SDK_ERROR``), whether the request may be
repeated, and the time spent so far. Sleep, clocks and randomness are injectable, so tests never wait.

* Reads (GET, batch, token requests) are retried on connection failures, timeouts, 429 and 5xx (not 501).
* Commands (POST/DELETE that change something) are retried only when the request provably never reached
  the server: a connect error, a connect timeout or a pool timeout.
* The wait is exponential (``backoff * 2**(attempt-1)``, capped at ``max_backoff``) with jitter (50–100 %),
  and never shorter than the server's ``Retry-After`` (seconds or an HTTP date).
* No retry starts once ``budget`` seconds (since the first attempt) would be exceeded by the wait; the
  caller then gets the last ``SmartcarException`` (with ``retry_after`` when the server sent one).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx2

logger = logging.getLogger("smartcar.retry")

DEFAULT_MAX_RETRIES = 2
DEFAULT_BUDGET = 60.0  # seconds, from the first attempt
DEFAULT_BACKOFF = 0.5  # seconds before the first retry (before jitter)
DEFAULT_MAX_BACKOFF = 8.0

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The request never left this machine: safe to repeat even a command.
NEVER_SENT: tuple[type[BaseException], ...] = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
# The request may or may not have reached the server: only reads are repeated.
TRANSIENT: tuple[type[BaseException], ...] = (httpx2.TimeoutException, httpx2.NetworkError,
                                              httpx2.RemoteProtocolError)


def retry_after_seconds(value: Any, now: float) -> float | None:
    """``Retry-After`` in seconds: a number (``"30"``, ``30``) or an HTTP date relative to ``now`` (epoch
    seconds). None when absent or unreadable; never negative."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return max(0.0, float(value))
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates: UTC
        from datetime import UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def transport_cause(error: BaseException) -> BaseException | None:
    """The httpx2 failure behind an ``SDK_ERROR`` (``raise sdk_error() from exc``), if any."""
    seen = 0
    cause = error.__cause__
    while cause is not None and seen < 5:
        if isinstance(cause, httpx2.HTTPError):
            return cause
        cause, seen = cause.__cause__, seen + 1
    return None


def retryable_status(status: Any) -> bool:
    """429 and 5xx except 501 (``COMPATIBILITY:VEHICLE_NOT_CAPABLE`` will not change on a retry)."""
    return isinstance(status, int) and (status == 429 or (500 <= status < 600 and status != 501))


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries. ``max_retries=0`` turns retries off.

    ``sleep``/``async_sleep``, ``clock`` (monotonic seconds, for the budget), ``wall_clock`` (epoch seconds,
    for HTTP-date ``Retry-After``) and ``random`` (0–1, for jitter) can be replaced in tests.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    budget: float = DEFAULT_BUDGET
    backoff: float = DEFAULT_BACKOFF
    max_backoff: float = DEFAULT_MAX_BACKOFF
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=_asyncio_sleep, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    wall_clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if self.budget < 0 or self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("budget, backoff and max_backoff must not be negative")

    def with_changes(self, **changes: Any) -> RetryPolicy:
        """A copy with some fields replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def delay(self, attempt: int, error: BaseException, repeatable: bool, elapsed: float) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after ``error`` ended attempt ``attempt`` (1-based),
        or None to give up. ``repeatable``: the request is a read (safe to send twice)."""
        if attempt > self.max_retries:
            return None
        cause = transport_cause(error)
        if isinstance(cause, NEVER_SENT):
            pass  # never reached the server: even commands are safe to repeat
        elif not repeatable:
            return None
        elif cause is not None:
            if not isinstance(cause, TRANSIENT):
                return None  # invalid URL, unsupported protocol...: a retry fails the same way
        elif not retryable_status(getattr(error, "status_code", None)):
            return None
        wait = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        wait = wait * (0.5 + 0.5 * self.random())
        server = retry_after_seconds(getattr(error, "retry_after", None), self.wall_clock())
        if server is not None:
            wait = max(wait, server)
        if elapsed + wait > self.budget:
            return None
        return wait

    def start(self, method: str, url: str, repeatable: bool) -> Attempts:
        """Track the attempts of one request (see ``Attempts.failed``)."""
        return Attempts(self, method, url, repeatable)


NO_RETRIES = RetryPolicy(max_retries=0)


class Attempts:
    """The attempts of one request: ``failed(error)`` returns the wait before the next one (or None) and
    logs the retry at debug level (method and URL without query; never headers, bodies or tokens)."""

    __slots__ = ("policy", "method", "url", "repeatable", "attempt", "started")

    def __init__(self, policy: RetryPolicy, method: str, url: str, repeatable: bool) -> None:
        self.policy = policy
        self.method = method
        self.url = url
        self.repeatable = repeatable
        self.attempt = 1
        self.started = policy.clock()

    def failed(self, error: BaseException) -> float | None:
        if self.policy.max_retries == 0:
            return None
        wait = self.policy.delay(self.attempt, error, self.repeatable, self.policy.clock() - self.started)
        if wait is not None:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("smartcar: retrying %s %s in %.2f s (attempt %d of %d) after %s", self.method,
                             _redact(self.url), wait, self.attempt + 1, self.policy.max_retries + 1,
                             describe(error))
            self.attempt += 1
        return wait


def _redact(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path


def describe(error: BaseException) -> str:
    """``429 RATE_LIMIT:VEHICLE (Retry-After 1)`` or ``SDK_ERROR (ConnectError)``: no messages, no tokens."""
    cause = transport_cause(error)
    if cause is not None:
        return f"SDK_ERROR ({type(cause).__name__})"
    parts = [str(getattr(error, "status_code", None) or "")]
    kind = ":".join(str(p) for p in (getattr(error, "type", None), getattr(error, "code", None)) if p)
    if kind:
        parts.append(kind)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        parts.append(f"(Retry-After {retry_after})")
    return " ".join(p for p in parts if p) or type(error).__name__
