"""The platform's rate limits: token buckets per application (``RATE_LIMIT:SMARTCAR_API``) and per vehicle
(``RATE_LIMIT:VEHICLE``), both with ``Retry-After``.

Off by default (wire reference §11: the platform's own default, a bucket of 120 requests refilled 2 per minute,
would fail most test suites at once; see docs/emulator.md, Fidelity). Turned on with ``serve --rate-limit``, the
control API (``PUT /_emulator/rate-limits``) or the pytest plugin. Buckets run on the platform clock, so a test
can refill them by advancing it.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

from ..clock import Clock
from .errors import ApiError

PERIODS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0,
           "hour": 3600.0}
_SPEC = re.compile(r"^\s*(?P<count>\d+(?:\.\d+)?)\s*/\s*(?P<period>[a-z]+)\s*(?:,\s*burst\s*=\s*(?P<burst>\d+)\s*)?$")
MAX_RATE = 1_000_000.0


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``burst`` requests at once, refilled at ``rate`` requests per second."""

    rate: float
    burst: int

    @classmethod
    def parse(cls, spec: str) -> Limit:
        """``"50/s"``, ``"2/min,burst=120"``, ``"100/hour,burst=10"`` (burst defaults to one period's worth)."""
        match = _SPEC.match(spec.lower())
        if match is None or match["period"] not in PERIODS:
            raise ValueError(f"a rate limit looks like 50/s, 600/min or 2/min,burst=120, not {spec!r}")
        count = float(match["count"])
        rate = count / PERIODS[match["period"]]
        burst = int(match["burst"]) if match["burst"] else max(1, math.ceil(count))
        return cls.of(rate, burst)

    @classmethod
    def of(cls, rate: float, burst: int) -> Limit:
        if not 0 < rate <= MAX_RATE:
            raise ValueError(f"the rate must be between 0 and {MAX_RATE:g} requests per second")
        if not 1 <= burst <= 1_000_000:
            raise ValueError("the burst must be between 1 and 1000000 requests")
        return cls(rate, burst)

    def to_dict(self) -> dict[str, float | int]:
        return {"requestsPerSecond": self.rate, "burst": self.burst}


# The platform's documented application limit (wire reference §11): 120 requests, one more every 30 seconds.
# The vehicle throttle's thresholds are undisclosed; "platform" for a vehicle is our choice: 10 at once, then one
# every 6 seconds (noted in docs/emulator.md, Fidelity).
PLATFORM = {"app": Limit(rate=2 / 60, burst=120), "vehicle": Limit(rate=1 / 6, burst=10)}
KINDS = ("app", "vehicle")


def limit_from(spec: str, kind: str) -> Limit | None:
    """A limit from its text: ``"50/s"``, ``"2/min,burst=120"``, ``"platform"`` (the platform's numbers for
    ``kind``) or ``"off"``."""
    if kind not in KINDS:
        raise ValueError(f"a rate limit is for one of {', '.join(KINDS)}, not {kind!r}")
    text = spec.strip().lower()
    if text in ("off", "none"):
        return None
    if text == "platform":
        return PLATFORM[kind]
    return Limit.parse(text)


class _Bucket:
    __slots__ = ("tokens", "at")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at


class RateLimiter:
    """Takes one token per request from the application's bucket and the vehicle's; refuses with the platform's
    429 (and the seconds until a token is back) when either is empty. A refused request takes nothing."""

    def __init__(self, clock: Clock, app: Limit | None = None, vehicle: Limit | None = None) -> None:
        self.clock = clock
        self.app, self.vehicle = app, vehicle
        self._defaults = (app, vehicle)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def configure(self, app: Limit | None, vehicle: Limit | None, default: bool = False) -> None:
        """Replace both limits (``None``: no limit); every bucket starts full again. ``default``: also what
        :meth:`reset` returns to (the server's own configuration, e.g. ``serve --rate-limit``)."""
        with self._lock:
            self.app, self.vehicle = app, vehicle
            if default:
                self._defaults = (app, vehicle)
            self._buckets.clear()

    def reset(self) -> None:
        """Back to the server's configured limits, every bucket full."""
        with self._lock:
            self.app, self.vehicle = self._defaults
            self._buckets.clear()

    def take(self, client_id: str, vehicle_id: str | None) -> None:
        """Count one request of ``client_id`` on ``vehicle_id``, or raise ``RATE_LIMIT``."""
        if self.app is None and self.vehicle is None:
            return
        now = self.clock.timestamp()
        with self._lock:
            checks = []
            if self.app is not None:
                checks.append((self._bucket(("app", client_id), self.app, now), self.app, "SMARTCAR_API"))
            if self.vehicle is not None and vehicle_id is not None:
                checks.append((self._bucket(("vehicle", vehicle_id), self.vehicle, now), self.vehicle, "VEHICLE"))
            for bucket, limit, code in checks:
                if bucket.tokens < 1:
                    wait = math.ceil((1 - bucket.tokens) / limit.rate)
                    raise ApiError("RATE_LIMIT", code, retry_after=max(1, wait))
            for bucket, _, _ in checks:
                bucket.tokens -= 1

    def _bucket(self, key: tuple[str, str], limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(limit.burst), now)
        elif now > bucket.at:
            bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.at) * limit.rate)
            bucket.at = now
        elif now < bucket.at:  # the clock was set back: start counting from the new time
            bucket.at = now
        return bucket

    def to_dict(self) -> dict[str, object]:
        return {"app": self.app.to_dict() if self.app else None,
                "vehicle": self.vehicle.to_dict() if self.vehicle else None}
