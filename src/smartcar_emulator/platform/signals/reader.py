"""The one generic signal handler: a vehicle's catalogue, each signal with its body or its error.

Checks run in production's order for each signal: the grant (``PERMISSION:UNKNOWN``), the vehicle's
capability (``COMPATIBILITY:VEHICLE_NOT_CAPABLE``), then a state the signal needs (``VEHICLE_STATE:NOT_CHARGING``,
which keeps the last known body).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..permissions import effective_powertrain
from ..state import VehicleState
from ..vehicles import Vehicle
from .catalog import SIGNALS, SignalSpec
from .values import Context, resolve

# A state a signal needs, and the error it answers without it.
NEEDS: dict[str, tuple[str, str]] = {"charging": ("VEHICLE_STATE", "NOT_CHARGING")}


@dataclass(frozen=True)
class SignalReading:
    """One signal as the platform reads it: ``error`` is ``(type, code)`` when it failed; ``body`` may still
    be set then (the last known value)."""

    spec: SignalSpec
    body: dict[str, Any] | None
    error: tuple[str, str] | None
    oem_updated_at: float | None  # epoch seconds; None for a failed signal

    @property
    def ok(self) -> bool:
        return self.error is None


def capable(spec: SignalSpec, vehicle: Vehicle) -> bool:
    """Whether the vehicle (its make, model and powertrain; a test login's level) can serve the signal."""
    powertrain = effective_powertrain(vehicle.powertrain, vehicle.level)
    return powertrain is not None and spec.supported.covers(vehicle.make, vehicle.model, powertrain)


def body_of(spec: SignalSpec, raw: Any) -> dict[str, Any] | None:
    """The signal body from a raw value, in the shape its schema gives (``{unit, value}``, ``{value}``,
    ``{values}``, or the object itself)."""
    if raw is None:
        return None
    fields = set(spec.schema.get("properties", {}))
    if fields == {"unit", "value"}:
        return {"unit": spec.unit, "value": raw}
    if fields == {"value"}:
        return {"value": raw}
    if fields == {"values"} and isinstance(raw, list):
        return {"values": raw}
    body: dict[str, Any] = raw
    return body


def _holds(need: str, state: VehicleState) -> bool:
    return need != "charging" or state.charging


def read(vehicle: Vehicle, state: VehicleState, scopes: Iterable[str],
         specs: Iterable[SignalSpec] = SIGNALS) -> list[SignalReading]:
    """Each signal of ``specs`` for this vehicle and grant."""
    granted = set(scopes)
    context = Context(vehicle, state)
    readings = []
    for spec in specs:
        if spec.permission not in granted:
            readings.append(SignalReading(spec, None, ("PERMISSION", "UNKNOWN"), None))
            continue
        body = body_of(spec, resolve(spec.source, context)) if capable(spec, vehicle) else None
        if body is None:
            readings.append(SignalReading(spec, spec.incapable_body, ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE"), None))
        elif spec.needs and not _holds(spec.needs, state):
            readings.append(SignalReading(spec, body, NEEDS[spec.needs], None))
        else:
            readings.append(SignalReading(spec, body, None, state.data_age))
    return readings
