"""The v1.0/v2.0 views of a vehicle's state: body shapes and unit conversion at the edge."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..platform.errors import ApiError
from ..platform.state import DOORS, VehicleState
from ..platform.vehicles import Vehicle
from .make_views import MAKE_READS
from .readspec import KM_TO_MI, Body, Read, Units, parse_units

__all__ = ["KM_TO_MI", "READS", "Body", "Read", "Units", "parse_units", "service_history"]


def _nominal(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    capacity = s.battery_capacity_kwh or 0.0
    return {
        "availableCapacities": [{"capacity": round(capacity * 0.9, 1), "description": None},
                                {"capacity": capacity, "description": "BEV:Extended Range"}],
        "capacity": {"nominal": capacity, "source": "SMARTCAR"},
        "url": None,
    }


def _lock_status(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    return {
        "isLocked": s.locked,
        "doors": [{"type": d, "status": s.doors.get(d, "UNKNOWN")} for d in DOORS],
        "windows": [{"type": d, "status": s.windows.get(d, "UNKNOWN")} for d in DOORS],
        "sunroof": [{"type": "sunroof", "status": s.sunroof}],
        "storage": [{"type": k, "status": st} for k, st in s.storage.items()],
        "chargingPort": ([{"type": "chargingPort", "status": s.charging_port}]
                         if s.battery_capacity_kwh and v.powertrain != "HEV" else []),
    }


READS: dict[str, Read] = {
    "": Read("read_vehicle_info", lambda v, s, u: {"id": v.id, "make": v.make, "model": v.model, "year": v.year},
             dynamic=False),
    "vin": Read("read_vin", lambda v, s, u: {"vin": v.vin}, dynamic=False),
    "odometer": Read("read_odometer", lambda v, s, u: {"distance": u.distance(s.odometer_km)}, unit_bearing=True),
    "location": Read("read_location", lambda v, s, u: {"latitude": s.latitude, "longitude": s.longitude}),
    "fuel": Read("read_fuel", lambda v, s, u: {"range": u.distance(s.fuel_range_km),
                                                "percentRemaining": s.fuel_fraction,
                                                "amountRemaining": u.volume(
                                                    None if s.fuel_fraction is None or s.fuel_capacity_l is None
                                                    else s.fuel_fraction * s.fuel_capacity_l)},
                 unit_bearing=True),
    "battery": Read("read_battery", lambda v, s, u: {"range": u.distance(s.battery_range_km),
                                                      "percentRemaining": s.battery_soc}, unit_bearing=True),
    "battery/capacity": Read("read_battery", lambda v, s, u: {"capacity": s.battery_capacity_kwh}),
    "battery/nominal_capacity": Read("read_battery", _nominal),
    "charge": Read("read_charge", lambda v, s, u: {"isPluggedIn": s.plugged_in, "state": s.charge_state}),
    "charge/limit": Read("read_charge", lambda v, s, u: {"limit": s.charge_limit}),
    "engine/oil": Read("read_engine_oil", lambda v, s, u: {"lifeRemaining": s.oil_life}),
    "tires/pressure": Read("read_tires", lambda v, s, u: {
        "frontLeft": u.pressure(s.tires_kpa["frontLeft"]), "frontRight": u.pressure(s.tires_kpa["frontRight"]),
        "backLeft": u.pressure(s.tires_kpa["backLeft"]), "backRight": u.pressure(s.tires_kpa["backRight"])},
        unit_bearing=True),
    "security": Read("read_security", _lock_status),
    "diagnostics/system_status": Read("read_diagnostics", lambda v, s, u: {"systems": s.systems}),
    "diagnostics/dtcs": Read("read_diagnostics", lambda v, s, u: {"activeCodes": s.dtcs}),
    **MAKE_READS,
}


def service_history(state: VehicleState, start: str | None, end: str | None, now: datetime) -> list[dict[str, Any]]:
    """Service records between two dates (default: the last year)."""
    start_at = _parse_date(start, "startDate") if start else now - timedelta(days=365)  # not replace(): 29 Feb
    end_at = _parse_date(end, "endDate") if end else now
    if start_at > end_at:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "startDate",
                                                            "message": "startDate must be before endDate."}])
    return [r for r in state.service_history
            if start_at <= datetime.fromisoformat(r["serviceDate"].replace("Z", "+00:00")) <= end_at]


def _parse_date(value: str, name: str) -> datetime:
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), timezone.utc)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except ValueError:
        raise ApiError("VALIDATION", "PARAMETER",
                       detail=[{"field": name, "message": "Must be a date such as 2024-01-31."}]) from None
