"""v3 signals: codes, groups, names, the permission each needs, and their bodies from the vehicle state.

v3 reports percentages as 0–100 (v2 uses fractions 0–1) and always metric units with unit labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..platform.state import DOORS, VehicleState
from ..platform.vehicles import Vehicle

_GRID = {door: (0 if door.startswith("front") else 1, 0 if door.endswith("Left") else 1) for door in DOORS}


@dataclass(frozen=True)
class Signal:
    group: str
    name: str
    permission: str
    body: Callable[[Vehicle, VehicleState], dict[str, Any] | None]  # None: the vehicle cannot provide it

    @property
    def code(self) -> str:
        return f"{self.group.lower()}-{self.name.lower()}"


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 1)


def _unit(unit: str, value: float | None) -> dict[str, Any] | None:
    return None if value is None else {"unit": unit, "value": value}


def _value(value: Any) -> dict[str, Any]:
    return {"value": value}


def _electric(s: VehicleState) -> bool:
    return s.battery_capacity_kwh is not None


def _grid(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"values": values, "rowCount": 2, "columnCount": 2}


def _direction(heading: float) -> str:
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[int(((heading % 360) + 22.5) // 45) % 8]


SIGNALS: tuple[Signal, ...] = (
    Signal("Charge", "IsCharging", "read_charge", lambda v, s: _value(s.charging) if _electric(s) else None),
    Signal("Charge", "IsChargingCableConnected", "read_charge",
           lambda v, s: _value(s.plugged_in) if _electric(s) else None),
    Signal("Charge", "ChargeLimits", "read_charge", lambda v, s: {
        "values": [{"type": "global", "limit": _pct(s.charge_limit), "condition": None}],
        "activeLimit": _pct(s.charge_limit), "unit": "percent"} if _electric(s) else None),
    Signal("Charge", "Amperage", "read_charge",
           lambda v, s: _unit("amps", 32 if s.charging else 0) if _electric(s) else None),
    Signal("Charge", "Voltage", "read_charge",
           lambda v, s: _unit("volts", 240 if s.plugged_in else 0) if _electric(s) else None),
    Signal("Charge", "Wattage", "read_charge",
           lambda v, s: _unit("kilowatts", s.charge_rate_kw if s.charging else 0) if _electric(s) else None),
    Signal("Charge", "DetailedChargingStatus", "read_charge",
           lambda v, s: _value(s.charge_state) if _electric(s) else None),
    Signal("TractionBattery", "StateOfCharge", "read_battery", lambda v, s: _unit("percent", _pct(s.battery_soc))),
    Signal("TractionBattery", "Range", "read_battery", lambda v, s: _unit("kilometers", s.battery_range_km)),
    Signal("TractionBattery", "NominalCapacity", "read_battery", lambda v, s: {
        "source": "SMARTCAR", "capacity": s.battery_capacity_kwh,
        "availableCapacities": [{"capacity": s.battery_capacity_kwh, "description": None}], "unit": "kWhr"}
        if _electric(s) else None),
    Signal("InternalCombustionEngine", "FuelLevel", "read_fuel",
           lambda v, s: _unit("percent", _pct(s.fuel_fraction))),
    Signal("InternalCombustionEngine", "AmountRemaining", "read_fuel", lambda v, s: _unit(
        "liters", None if s.fuel_fraction is None or s.fuel_capacity_l is None
        else round(s.fuel_fraction * s.fuel_capacity_l, 2))),
    Signal("InternalCombustionEngine", "Range", "read_fuel", lambda v, s: _unit("kilometers", s.fuel_range_km)),
    Signal("InternalCombustionEngine", "OilLife", "read_engine_oil", lambda v, s: _unit("percent", _pct(s.oil_life))),
    Signal("Odometer", "TraveledDistance", "read_odometer", lambda v, s: _unit("kilometers", s.odometer_km)),
    Signal("Location", "PreciseLocation", "read_location", lambda v, s: {
        "latitude": s.latitude, "longitude": s.longitude, "heading": s.heading,
        "direction": _direction(s.heading), "locationType": "CURRENT"}),
    Signal("Closure", "IsLocked", "read_security", lambda v, s: _value(s.locked)),
    Signal("Closure", "Doors", "read_security", lambda v, s: _grid([
        {"row": _GRID[d][0], "column": _GRID[d][1], "isOpen": s.doors.get(d) == "OPEN", "isLocked": s.locked}
        for d in DOORS])),
    Signal("Closure", "Windows", "read_security", lambda v, s: _grid([
        {"row": _GRID[d][0], "column": _GRID[d][1], "isOpen": s.windows.get(d) == "OPEN"} for d in DOORS])),
    Signal("Closure", "Sunroof", "read_security", lambda v, s: {"isOpen": s.sunroof == "OPEN"}),
    Signal("Closure", "FrontTrunk", "read_security",
           lambda v, s: {"isOpen": s.storage.get("front") == "OPEN", "isLocked": s.locked}),
    Signal("Closure", "RearTrunk", "read_security",
           lambda v, s: {"isOpen": s.storage.get("rear") == "OPEN", "isLocked": s.locked}),
    Signal("Wheel", "Tires", "read_tires", lambda v, s: {**_grid([
        {"row": _GRID[d][0], "column": _GRID[d][1], "tirePressure": s.tires_kpa[d]} for d in DOORS]),
        "unit": "kPa"}),
    Signal("VehicleIdentification", "VIN", "read_vin", lambda v, s: _value(v.vin)),
    Signal("Diagnostics", "DTCCount", "read_diagnostics", lambda v, s: _unit("count", len(s.dtcs))),
    Signal("Diagnostics", "DTCList", "read_diagnostics", lambda v, s: {"values": s.dtcs}),
    Signal("Diagnostics", "TirePressure", "read_diagnostics", lambda v, s: _system(s, "SYSTEM_TPMS")),
    Signal("Diagnostics", "ABS", "read_diagnostics", lambda v, s: _system(s, "SYSTEM_ABS")),
    Signal("Diagnostics", "Airbag", "read_diagnostics", lambda v, s: _system(s, "SYSTEM_AIRBAG")),
    Signal("Diagnostics", "BrakeFluid", "read_diagnostics", lambda v, s: _system(s, "SYSTEM_BRAKE_FLUID")),
    Signal("ConnectivityStatus", "IsOnline", "read_vehicle_info", lambda v, s: _value(True)),
    Signal("ConnectivityStatus", "IsAsleep", "read_vehicle_info",
           lambda v, s: _value(s.speed_kph == 0 and not s.charging)),
)

BY_CODE: dict[str, Signal] = {signal.code: signal for signal in SIGNALS}


def _system(s: VehicleState, system_id: str) -> dict[str, Any] | None:
    for system in s.systems:
        if system["systemId"] == system_id:
            return {"status": system["status"], "description": system["description"]}
    return None
