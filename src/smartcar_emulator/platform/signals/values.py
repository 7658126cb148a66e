"""Where signal values come from: the catalogue's ``source`` column resolved against a vehicle and its state.

``state:<field>`` reads a state field as is, ``percent:<field>`` a 0..1 state field as 0..100, ``make:<key>``
the make's catalogue data, ``pick:<key>`` one of the make's values chosen by VIN, ``system:<id>`` a
diagnostic system's status; any other source names a reader below (values derived from several fields).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..state import DOORS, VehicleState, rng_for
from ..vehicles import Vehicle
from .makes import make_data

_GRID = {door: (0 if door.startswith("front") else 1, 0 if door.endswith("Left") else 1) for door in DOORS}
AC_VOLTS = 240.0
DC_VOLTS = 400.0
AC_MAX_KW = 22.0  # above this a charge is DC fast charging
KM_PER_KWH = 6.2  # the simulator's efficiency, for vehicles whose stored range says nothing


@dataclass(frozen=True)
class Context:
    vehicle: Vehicle
    state: VehicleState


def _grid(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"values": values, "rowCount": 2, "columnCount": 2}


def _position(door: str) -> dict[str, int]:
    return {"row": _GRID[door][0], "column": _GRID[door][1]}


def _direction(heading: float) -> str:
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[int(((heading % 360) + 22.5) // 45) % 8]


def _volts(s: VehicleState) -> float:
    return DC_VOLTS if s.charge_rate_kw > AC_MAX_KW else AC_VOLTS


def _amperage(c: Context) -> float:
    s = c.state
    return round(s.charge_rate_kw * 1000 / _volts(s), 1) if s.charging else 0.0


def _km_per_kwh(s: VehicleState) -> float:
    if s.battery_range_km and s.battery_soc and s.battery_capacity_kwh:
        return s.battery_range_km / (s.battery_soc * s.battery_capacity_kwh)
    return KM_PER_KWH


def _time_to_complete(c: Context) -> float:
    s = c.state
    if not s.charging or s.battery_soc is None or not s.battery_capacity_kwh:
        return 0.0
    room = max(0.0, s.charge_limit - s.battery_soc) * s.battery_capacity_kwh
    return float(math.ceil(room / s.charge_rate_kw * 60))


def _charge_limits(c: Context) -> dict[str, Any]:
    limit = round(c.state.charge_limit * 100, 1)
    return {"values": [{"type": "GLOBAL", "limit": limit}], "activeLimit": limit if c.state.plugged_in else None,
            "unit": "percent"}


def _port_color(c: Context) -> str:
    s = c.state
    if s.charging:
        return "GREEN"
    return "BLUE" if s.plugged_in else "ETC"


def _system(c: Context, system_id: str) -> dict[str, Any]:
    for system in c.state.systems:
        if system.get("systemId") == system_id:
            found = {"status": system.get("status", "OK")}
            if system.get("description"):
                found["description"] = system["description"]
            return found
    return {"status": "OK"}


def _service_records(c: Context) -> dict[str, Any]:
    return {"values": [{
        "id": str(record.get("serviceId")),
        "cost": {"amount": float(record.get("serviceCost", {}).get("totalCost") or 0),
                 "currency": record.get("serviceCost", {}).get("currency") or "USD"},
        "time": record.get("serviceDate"),
        "tasks": [{"id": str(t.get("taskId")), "description": str(t.get("taskDescription"))}
                  for t in record.get("serviceTasks", [])],
        "details": [{"id": str(index), "description": d.get("value") or d.get("type")}
                    for index, d in enumerate(record.get("serviceDetails", []))],
        "odometer": float(record.get("odometerDistance") or 0)} for record in c.state.service_history]}


def _location(c: Context) -> dict[str, Any]:
    s = c.state
    return {"latitude": s.latitude, "longitude": s.longitude, "heading": s.heading, "direction": _direction(s.heading),
            "locationType": "CURRENT" if s.speed_kph > 0 else "LAST_PARKED"}


def _at_home(c: Context) -> bool:
    home = c.state.home
    if not home:
        return False
    dlat = (c.state.latitude - home["latitude"]) * 111.32
    dlon = (c.state.longitude - home["longitude"]) * 111.32 * math.cos(math.radians(home["latitude"]))
    return math.hypot(dlat, dlon) < 0.2


def _lv_status(c: Context) -> str:
    soc = c.state.lv_soc
    return "GOOD" if soc >= 0.6 else "WARN" if soc >= 0.4 else "BAD"


def _drive_mode(c: Context) -> dict[str, Any]:
    modes: dict[str, str] = make_data(c.vehicle.make, "drive_modes")
    canonical = c.state.drive_mode if c.state.drive_mode in modes else "NORMAL"
    return {"canonical": canonical, "oemDisplayName": modes.get(canonical, canonical.title())}


def _battery_range(c: Context) -> dict[str, Any] | None:
    km = c.state.battery_range_km
    return None if km is None else {"value": km, "type": "DEFAULT", "additionalValues": [], "unit": "km"}


def _nominal_capacity(c: Context) -> dict[str, Any] | None:
    kwh = c.state.battery_capacity_kwh
    if kwh is None:
        return None
    return {"source": "SMARTCAR", "capacity": kwh,
            "availableCapacities": [{"capacity": kwh, "description": f"{c.vehicle.powertrain}:{c.vehicle.model}"}],
            "unit": "kWhr"}


def _fuel_liters(c: Context) -> float | None:
    s = c.state
    if s.fuel_fraction is None or s.fuel_capacity_l is None:
        return None
    return round(s.fuel_fraction * s.fuel_capacity_l, 2)


READERS: dict[str, Callable[[Context], Any]] = {
    "amperage": _amperage,
    "amperage_requested": lambda c: (float(c.state.charge_amps) if c.state.charge_amps is not None  # set (v2 ammeter)
                                     else min(_amperage(c), float(make_data(c.vehicle.make, "amperage_max")))),
    "charge_limits": _charge_limits,
    "port_color": _port_color,
    "charge_rate": lambda c: round(c.state.charge_rate_kw * _km_per_kwh(c.state), 1),
    "charge_records": lambda c: {"values": list(reversed(c.state.charge_records))},  # newest first
    "charger_phases": lambda c: int(make_data(c.vehicle.make, "phases")) if c.state.plugged_in else 0,
    "charge_state": lambda c: c.state.charge_state,
    "energy_added": lambda c: round(c.state.energy_added_kwh, 2),
    "port_open": lambda c: c.state.plugged_in or c.state.charging_port == "OPEN",
    "fast_charging": lambda c: c.state.charging and c.state.charge_rate_kw > AC_MAX_KW,
    "time_to_complete": _time_to_complete,
    "voltage": lambda c: _volts(c.state) if c.state.plugged_in else 0.0,
    "wattage": lambda c: round(c.state.charge_rate_kw * 1000),  # while not charging: the last session's power
    "doors": lambda c: _grid([{**_position(d), "isOpen": c.state.doors.get(d) == "OPEN", "isLocked": c.state.locked}
                              for d in DOORS]),
    "windows": lambda c: _grid([{**_position(d), "isOpen": c.state.windows.get(d) == "OPEN"} for d in DOORS]),
    "engine_cover": lambda c: {"isOpen": c.state.storage.get("front") == "OPEN"},
    "front_trunk": lambda c: {"isOpen": c.state.storage.get("front") == "OPEN", "isLocked": c.state.locked},
    "rear_trunk": lambda c: {"isOpen": c.state.storage.get("rear") == "OPEN", "isLocked": c.state.locked},
    "sunroof": lambda c: {"isOpen": c.state.sunroof == "OPEN"},
    "asleep": lambda c: c.state.speed_kph == 0 and not c.state.charging and not c.state.hvac_on,
    "digital_key": lambda c: rng_for("digital-key", c.vehicle.vin).random() < 0.7,
    "online": lambda c: True,
    "dtc_count": lambda c: len(c.state.dtcs),
    "dtc_list": lambda c: {"values": [{"code": d["code"], "timestamp": d["timestamp"]} for d in c.state.dtcs]},
    "fuel_liters": _fuel_liters,
    "at_home": _at_home,
    "location": _location,
    "lv_status": _lv_status,
    "service_records": _service_records,
    "battery_heater": lambda c: c.state.battery_heater,
    "nominal_capacity": _nominal_capacity,
    "battery_range": _battery_range,
    "drive_mode": _drive_mode,
    "gear": lambda c: "DRIVE" if c.state.speed_kph > 0 else "PARK",
    "vin": lambda c: c.vehicle.vin,
    "account_permissions": lambda c: {"values": list(make_data(c.vehicle.make, "account_permissions"))},
    "tires": lambda c: _grid([{**_position(d), "tirePressure": c.state.tires_kpa[d]}
                              for d in DOORS if d in c.state.tires_kpa]),
}


def resolve(source: str, context: Context) -> Any:
    """The raw value of a catalogue ``source`` (None: the vehicle has no such value)."""
    kind, _, argument = source.partition(":")
    if not argument:
        return READERS[kind](context)
    if kind == "state":
        return getattr(context.state, argument)
    if kind == "percent":
        fraction = getattr(context.state, argument)
        return None if fraction is None else round(fraction * 100, 1)
    if kind == "make":
        return make_data(context.vehicle.make, argument)
    if kind == "pick":
        choices = make_data(context.vehicle.make, argument)
        return rng_for(argument, context.vehicle.vin).choice(list(choices))
    if kind == "system":
        return _system(context, argument)
    raise KeyError(source)
