"""Usage limits like a pricing plan's: a monthly allowance of requests per vehicle, per application.

Off by default. Once an application has an allowance, every vehicle request counts (each batch item too, never
the envelope: the same place rate limits count), and the request after the allowance answers
``430 BILLING:VEHICLE_REQUEST_LIMIT`` until the month of the platform clock changes (wire reference §11).
Counts live in memory, per process, like the rate-limit buckets.
"""

from __future__ import annotations

import threading

from ..clock import Clock
from .errors import ApiError


class PlanLimits:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._allowances: dict[str, int] = {}
        self._defaults: dict[str, int] = {}
        self._counts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def _month(self) -> str:
        return self.clock.now().strftime("%Y-%m")

    def configure(self, client_id: str, requests_per_vehicle: int | None, default: bool = False) -> None:
        """Set (or with None lift) an application's monthly allowance per vehicle. ``default``: kept by
        :meth:`reset` too."""
        if requests_per_vehicle is not None and not 1 <= requests_per_vehicle <= 10**9:
            raise ValueError("the allowance must be between 1 and 1000000000 requests per vehicle and month")
        with self._lock:
            for table in (self._allowances, *((self._defaults,) if default else ())):
                if requests_per_vehicle is None:
                    table.pop(client_id, None)
                else:
                    table[client_id] = requests_per_vehicle

    def allowance(self, client_id: str) -> int | None:
        return self._allowances.get(client_id)

    def take(self, client_id: str, vehicle_id: str) -> None:
        """Count one request, or raise ``BILLING:VEHICLE_REQUEST_LIMIT`` once this month's allowance is used."""
        limit = self._allowances.get(client_id)
        if limit is None:
            return
        key = (client_id, vehicle_id, self._month())
        with self._lock:
            used = self._counts.get(key, 0)
            if used >= limit:
                raise ApiError("BILLING", "VEHICLE_REQUEST_LIMIT")
            self._counts[key] = used + 1

    def usage(self, client_id: str) -> dict[str, int]:
        """Requests counted this month per vehicle."""
        month = self._month()
        with self._lock:
            return {vehicle: n for (app, vehicle, m), n in self._counts.items() if app == client_id and m == month}

    def to_dict(self) -> dict[str, object]:
        return {"month": self._month(), "allowances": dict(self._allowances),
                "usage": {app: self.usage(app) for app in self._allowances}}

    def reset(self) -> None:
        """Back to the configured defaults, every count forgotten."""
        with self._lock:
            self._allowances = dict(self._defaults)
            self._counts.clear()
