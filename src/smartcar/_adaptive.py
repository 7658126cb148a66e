"""Adaptive concurrency for fleet reads: find the rate the platform allows instead of being told it.

Additive increase, multiplicative decrease (AIMD), as TCP does with its window:

* every ``current`` successes in a row raise the limit by one (one more request in flight per "round");
* a rate-limit or overload answer (429, or 503 with ``Retry-After``) halves it, at most once per round (the
  answers to one burst arrive together and are one signal), and holds every new request until its
  ``Retry-After`` has passed;
* latency growing past twice the fastest seen (a queue building up somewhere) trims it by a tenth;

always within ``[floor, cap]``. The controller is plain arithmetic on numbers it is given (no I/O, no sleeping),
so it is tested directly and shared by the sync and async fleet paths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LATENCY_FACTOR = 2.0  # latency above this multiple of the fastest seen counts as queueing
EWMA_WEIGHT = 0.2
OVERLOAD_STATUSES = (429,)
DEFAULT_RETRY_AFTER = 1.0  # seconds to hold when a 429 carries no usable Retry-After
MAX_HOLD = 3600.0


@dataclass
class AdaptiveLimit:
    """How many requests may be in flight now. ``cap`` is the most ever (the pool size), ``floor`` the least."""

    cap: int
    floor: int = 1
    initial: int | None = None
    limit: float = field(init=False)
    resume_at: float = field(default=0.0, init=False)  # monotonic seconds before which nothing new is sent
    rate_limited: int = field(default=0, init=False)  # 429/503 answers seen
    decreases: int = field(default=0, init=False)
    _streak: int = field(default=0, init=False, repr=False)
    _fastest: float = field(default=math.inf, init=False, repr=False)
    _ewma: float | None = field(default=None, init=False, repr=False)
    _last_decrease: float = field(default=-math.inf, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.cap < 1 or not 1 <= self.floor <= self.cap:
            raise ValueError("need 1 <= floor <= cap")
        start = self.cap if self.initial is None else self.initial
        if not self.floor <= start <= self.cap:
            raise ValueError("initial must lie between floor and cap")
        self.limit = float(start)

    @property
    def current(self) -> int:
        """Requests allowed in flight now."""
        return max(self.floor, min(self.cap, int(self.limit)))

    def hold(self, now: float) -> float:
        """Seconds to wait before sending a new request (a ``Retry-After`` still running), else 0."""
        return max(0.0, self.resume_at - now)

    def on_success(self, latency: float, now: float) -> None:
        """A request succeeded after ``latency`` seconds."""
        self._fastest = min(self._fastest, latency)
        self._ewma = latency if self._ewma is None else (1 - EWMA_WEIGHT) * self._ewma + EWMA_WEIGHT * latency
        if self._ewma > LATENCY_FACTOR * self._fastest and self._fastest > 0:
            self._decrease(0.9, now)
            return
        self._streak += 1
        if self._streak >= self.current:
            self._streak = 0
            self.limit = min(float(self.cap), self.limit + 1)

    def on_overload(self, retry_after: float | None, now: float) -> None:
        """The platform refused a request for load (429, or 503 with ``Retry-After``)."""
        self.rate_limited += 1
        self._decrease(0.5, now)
        hold = DEFAULT_RETRY_AFTER if retry_after is None or not math.isfinite(retry_after) else retry_after
        self.resume_at = max(self.resume_at, now + min(max(hold, 0.0), MAX_HOLD))

    def _decrease(self, factor: float, now: float) -> None:
        self._streak = 0
        round_trip = self._ewma if self._ewma is not None else 0.0
        if now - self._last_decrease < round_trip:
            return  # one decrease per round: the other answers of the same burst carry no new news
        self._last_decrease = now
        self.limit = max(float(self.floor), self.limit * factor)
        self.decreases += 1


def overload_delay(error: BaseException) -> tuple[bool, float | None]:
    """Whether ``error`` is the platform shedding load, and its ``Retry-After`` in seconds (None if absent).
    An OEM's own limit (``UPSTREAM:RATE_LIMIT``, which can last hours) is not: waiting would stall the fleet."""
    status = getattr(error, "status_code", None)
    if getattr(error, "type", None) == "UPSTREAM":
        return False, None
    retry_after = _seconds(getattr(error, "retry_after", None))
    if status in OVERLOAD_STATUSES or (status == 503 and retry_after is not None):
        return True, retry_after
    return False, None


def _seconds(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None  # an HTTP date: the SDK's retry policy reads those; here the default hold applies
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
