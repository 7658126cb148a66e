"""What a v1.0/v2.0 GET data path is (permission, body, headers, make) and the unit system at the edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..platform.errors import ApiError
from ..platform.state import VehicleState
from ..platform.vehicles import Vehicle

KM_TO_MI = 0.621371
L_TO_GAL = 0.264172
KPA_TO_PSI = 0.145038


@dataclass(frozen=True)
class Units:
    imperial: bool

    @property
    def name(self) -> str:
        return "imperial" if self.imperial else "metric"

    def distance(self, km: float | None) -> float | None:
        return None if km is None else round(km * KM_TO_MI if self.imperial else km, 2)

    def volume(self, liters: float | None) -> float | None:
        return None if liters is None else round(liters * L_TO_GAL if self.imperial else liters, 2)

    def pressure(self, kpa: float) -> float:
        return round(kpa * KPA_TO_PSI if self.imperial else kpa, 2)

    def temperature(self, celsius: float | None) -> float | None:
        return None if celsius is None else round(celsius * 9 / 5 + 32 if self.imperial else celsius, 2)

    def celsius(self, value: float) -> float:
        """A temperature the client sent in its unit system, in Celsius."""
        return (value - 32) * 5 / 9 if self.imperial else value


def parse_units(header: str | None) -> Units:
    value = (header or "metric").strip().lower()
    if value not in ("metric", "imperial"):
        raise ApiError("VALIDATION", detail=[{"field": "sc-unit-system",
                                              "message": "Must be one of: metric, imperial."}])
    return Units(value == "imperial")


Body = Callable[[Vehicle, VehicleState, Units], Any]


@dataclass(frozen=True)
class Read:
    """A GET data path: the permission it needs and how its body is built."""

    permission: str
    body: Body
    dynamic: bool = True  # carries sc-data-age / sc-fetched-at
    unit_bearing: bool = False  # echoes sc-unit-system
    make: str | None = None  # make-specific paths (lower-case make segment)
