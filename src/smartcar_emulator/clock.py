"""The emulator's one source of time, so tests and the simulator can move it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock time plus an offset that :meth:`advance` moves forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current (possibly advanced) time, timezone-aware UTC."""
        return datetime.now(timezone.utc) + timedelta(seconds=self._offset)

    def timestamp(self) -> float:
        """The current time as seconds since the epoch."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Move time forward (never backward)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds


def iso_ms(moment: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.mmmZ``, the platform's timestamp format."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)
