"""The emulator's one source of time, so tests and the simulator can move it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock time plus an offset that :meth:`advance` moves forward.

    ``time_scale`` multiplies real elapsed time since the clock was made (2.0: a simulated minute every
    30 real seconds); 1.0 is real time.
    """

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("the time scale must be positive")
        self._offset = 0.0
        self._lock = threading.Lock()
        self.time_scale = time_scale
        self._origin = datetime.now(timezone.utc)

    def now(self) -> datetime:
        """The current (possibly advanced) time, timezone-aware UTC."""
        real = datetime.now(timezone.utc)
        if self.time_scale != 1.0:
            real = self._origin + (real - self._origin) * self.time_scale
        return real + timedelta(seconds=self._offset)

    def timestamp(self) -> float:
        """The current time as seconds since the epoch."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Move time forward (never backward: use :meth:`set` for that)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def set(self, moment: datetime) -> None:
        """Make :meth:`now` read ``moment`` (timezone-aware) from here on, earlier or later than now."""
        if moment.tzinfo is None:
            raise ValueError("the moment must be timezone-aware")
        with self._lock:
            self._offset += (moment - self.now()).total_seconds()

    def reset(self) -> None:
        """Back to real (scaled) time: undo every :meth:`advance` and :meth:`set`."""
        with self._lock:
            self._offset = 0.0


def iso_ms(moment: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.mmmZ``, the platform's timestamp format."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)
