"""Make-specific v2 reads (``/vehicles/{id}/{make}/...``, lower-case make) as views over the one vehicle state.

Every documented read of the reference (surface §5) except the charge records, which take a date range and live in
:mod:`.make_api`. Values come from the same state and per-make data the v3 signals read, so a v2 read and a signal
always agree; a write (``make_api``) changes that state.
"""

from __future__ import annotations

from typing import Any

from ..clock import from_timestamp, iso_ms
from ..platform.errors import ApiError
from ..platform.signals.makes import make_data
from ..platform.signals.values import Context, resolve
from ..platform.state import VehicleState, rng_for
from ..platform.vehicles import Vehicle
from .readspec import Read, Units


def _ctx(v: Vehicle, s: VehicleState) -> Context:
    return Context(v, s)


def _now(s: VehicleState) -> float:
    return max(s.sim_at, s.data_age)


def _iso(seconds: float) -> str:
    return iso_ms(from_timestamp(seconds))


def _completion(s: VehicleState) -> str | None:
    if not s.charging or s.battery_soc is None or not s.battery_capacity_kwh:
        return None
    room = max(0.0, s.charge_limit - s.battery_soc) * s.battery_capacity_kwh
    return _iso(_now(s) + room / max(s.charge_rate_kw, 0.1) * 3600)


def _require_charging(s: VehicleState) -> None:
    if not s.charging:
        raise ApiError("VEHICLE_STATE", "NOT_CHARGING")


def _require_plugged(s: VehicleState) -> None:
    if not s.plugged_in:
        raise ApiError("VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")


def _completion_body(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    _require_charging(s)
    return {"time": _completion(s)}


def _voltmeter(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    _require_plugged(s)
    return {"voltage": resolve("voltage", _ctx(v, s))}


def _wattmeter(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    _require_charging(s)
    return {"wattage": round(s.charge_rate_kw, 2)}


def amperage_setting(v: Vehicle, s: VehicleState) -> float:
    """The charging current the vehicle is set to draw (A)."""
    return float(s.charge_amps if s.charge_amps is not None else make_data(v.make, "amperage_max"))


def _ammeter(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    return {"amperage": resolve("amperage", _ctx(v, s)) if s.charging else amperage_setting(v, s)}


def _compass(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    points = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
    return {"direction": points[int(((s.heading % 360) + 22.5) // 45) % 8], "heading": s.heading}


def _alerts(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    alerts = [{"name": system["systemId"], "dateTime": _iso(s.data_age), "audience": ["customer"],
               "userText": system.get("description") or system["systemId"]}
              for system in s.systems if system.get("status") == "ALERT"]
    return {"alerts": alerts}


def _attributes(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    ctx, rng = _ctx(v, s), rng_for("tesla-attributes", v.vin)
    return {"id": v.id, "make": v.make, "model": v.model, "year": v.year,
            "firmwareVersion": resolve("pick:firmware", ctx), "trimBadging": rng.choice(("50", "74", "74D", "P100D")),
            "efficiencyPackage": rng.choice(("Default", "M3_2021")), "performancePackage": rng.choice(("Base", "Plaid")),
            "nickname": resolve("pick:nicknames", ctx), "driverAssistVersion": rng.choice(("HW3", "HW4")),
            "atHome": resolve("at_home", ctx), "sentryMode": {"available": True, "enabled": s.surveillance},
            "style": {"exteriorColor": resolve("pick:colors", ctx), "exteriorTrim": "Chrome",
                      "interiorTrim": rng.choice(("Black", "White"))},
            "wheel": {"style": resolve("pick:wheel_styles", ctx), "diameter": rng.choice((457, 483, 533))},
            "driveUnit": {"front": "PermanentMagnet" if "D" in v.model or v.model != "Model 3" else None,
                          "rear": "PermanentMagnet"}}


def _battery(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    soc, km = s.battery_soc, s.battery_range_km
    return {"percentRemaining": soc, "range": u.distance(km), "heaterOn": s.battery_heater,
            "rangeEstimated": u.distance(None if km is None else km * 0.92),
            "rangeIdeal": u.distance(None if km is None else km * 1.05),
            "percentRemainingUsable": None if soc is None else round(max(0.0, soc - 0.01), 2),
            "maxRangeChargeCounter": s.max_range_charges,
            "notEnoughPowerToHeat": None if soc is None else soc < 0.1}


def _tesla_charge(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    ctx = _ctx(v, s)
    added_km = s.energy_added_kwh * 6.2
    fast = bool(resolve("fast_charging", ctx))
    return {"amperage": resolve("amperage", ctx), "completionTime": _completion(s),
            "wattage": round(s.charge_rate_kw, 2) if s.charging else 0.0, "voltage": resolve("voltage", ctx),
            "isPluggedIn": s.plugged_in, "state": s.charge_state, "socLimit": s.charge_limit,
            "amperageMaxVehicle": float(make_data(v.make, "amperage_max")), "socLimitMax": 1.0, "socLimitMin": 0.5,
            "socLimitDefault": 0.9, "amperageRequested": amperage_setting(v, s),
            "energyAdded": round(s.energy_added_kwh, 2), "rangeAddedRated": u.distance(added_km),
            "rangeAddedIdeal": u.distance(added_km * 1.05),
            "chargeRate": u.distance(resolve("charge_rate", ctx)) if s.charging else 0.0,
            "connector": make_data(v.make, "connector"), "fastChargerPresent": fast,
            "fastChargerType": make_data(v.make, "fast_charger") if fast else None,
            "fastChargerBrand": "Tesla" if fast else None,
            "amperageMaxCharger": float(make_data(v.make, "amperage_max")) if s.plugged_in else None,
            "chargePortColor": resolve("port_color", ctx), "chargePortOpen": resolve("port_open", ctx),
            "chargePortLatch": "Engaged" if s.plugged_in else "Disengaged",
            "chargerPhases": resolve("charger_phases", ctx)}


def global_timer(s: VehicleState) -> dict[str, Any]:
    return next((t for t in s.charge_timers if t.get("type") == "GLOBAL"), {})


def tesla_schedule(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    timer = global_timer(s)
    starts, departures = timer.get("schedules") or [], timer.get("departureTimers") or []
    return {"departureTime": {"enabled": bool(departures), "time": departures[0]["time"][:5] if departures else None},
            "startTime": {"enabled": bool(starts), "time": starts[0]["start"][:5] if starts else None}}


def on_off(flag: bool) -> str:
    return "ON" if flag else "OFF"


def _status(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    ctx = _ctx(v, s)
    return {"status": "ASLEEP" if resolve("asleep", ctx) else "AWAKE", "inService": s.in_service,
            "gear": "DRIVE" if s.speed_kph > 0 else "PARK"}


def _owner_email(v: Vehicle) -> str | None:
    _mode, _, email = v.owner.partition(":")
    return email or None


def _audi_charge(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    ctx = _ctx(v, s)
    fast = bool(resolve("fast_charging", ctx))
    return {"chargingStatus": s.charge_state, "isPluggedIn": s.plugged_in,
            "wattage": round(s.charge_rate_kw, 2) if s.charging else 0.0,
            "chargeRate": u.distance(resolve("charge_rate", ctx)) if s.charging else 0.0,
            "chargeType": ("dc" if fast else "ac") if s.plugged_in else None,
            "chargePortColor": resolve("port_color", ctx), "chargePortLatch": "locked" if s.plugged_in else "unlocked",
            "completionTime": _completion(s),
            "chargeMode": "timer" if global_timer(s).get("schedules") else "manual", "socLimit": s.charge_limit,
            "externalPowerStatus": "active" if s.plugged_in else "unavailable"}


def _nissan_schedule(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    return {"chargeSchedules": [{"start": w["start"][:5], "end": w["end"][:5], "days": list(w["days"])}
                                for w in global_timer(s).get("schedules") or []]}


def _charge_locations(v: Vehicle, s: VehicleState, u: Units) -> dict[str, Any]:
    return {"chargingLocations": [{"chargeLimit": c["chargeLimit"], "location": dict(c["location"]),
                                   "chargingSchedules": {k: [dict(w) for w in c["chargingSchedules"][k]]
                                                         for k in ("weekday", "weekend")}}
                                  for c in s.charge_locations]}


def _tesla(permission: str, body: Any, **options: Any) -> Read:
    return Read(permission, body, make="TESLA", **options)


MAKE_READS: dict[str, Read] = {
    "tesla/alerts": _tesla("read_alerts", _alerts),
    "tesla/attributes": _tesla("read_extended_vehicle_info", _attributes, dynamic=False),
    "tesla/battery": _tesla("read_battery", _battery, unit_bearing=True),
    "tesla/charge": _tesla("read_charge", _tesla_charge, unit_bearing=True),
    "tesla/charge/ammeter": _tesla("read_charge", _ammeter),
    "tesla/charge/completion": _tesla("read_charge", _completion_body),
    "tesla/charge/schedule": _tesla("read_charge", tesla_schedule),
    "tesla/charge/voltmeter": _tesla("read_charge", _voltmeter),
    "tesla/charge/wattmeter": _tesla("read_charge", _wattmeter),
    "tesla/climate/cabin": _tesla("read_climate", lambda v, s, u: {
        "status": on_off(s.hvac_on), "temperature": u.temperature(s.cabin_target_c)}, unit_bearing=True),
    "tesla/climate/defroster": _tesla("read_climate", lambda v, s, u: {
        "frontStatus": on_off(s.front_defroster), "rearStatus": on_off(s.rear_defroster)}),
    "tesla/climate/steering_wheel": _tesla("read_climate", lambda v, s, u: {"status": on_off(s.steering_heater)}),
    "tesla/compass": _tesla("read_compass", _compass),
    "tesla/migration": _tesla("read_vehicle_info", lambda v, s, u: {"requiresMigration": False}, dynamic=False),
    "tesla/speedometer": _tesla("read_speedometer", lambda v, s, u: {"speed": u.distance(s.speed_kph)},
                                unit_bearing=True),
    "tesla/status": _tesla("read_extended_vehicle_info", _status),
    "tesla/thermometer/exterior": _tesla("read_thermometer", lambda v, s, u: {
        "temperature": u.temperature(s.outside_temp_c)}, unit_bearing=True),
    "tesla/thermometer/interior": _tesla("read_thermometer", lambda v, s, u: {
        "temperature": u.temperature(s.cabin_temp_c)}, unit_bearing=True),
    "tesla/user/access": _tesla("read_vehicle_info", lambda v, s, u: {
        "accessType": resolve("pick:roles", _ctx(v, s)),
        "permissions": list(make_data(v.make, "account_permissions"))}, dynamic=False),
    "tesla/user/info": _tesla("read_user_profile", lambda v, s, u: {"email": _owner_email(v)}, dynamic=False),
    "tesla/virtual_key": _tesla("read_vehicle_info", lambda v, s, u: {"isPaired": resolve("digital_key", _ctx(v, s))},
                                dynamic=False),
    "audi/charge": Read("read_charge", _audi_charge, unit_bearing=True, make="AUDI"),
    "nissan/charge/schedule": Read("read_charge", _nissan_schedule, make="NISSAN"),
    **{f"{make.lower()}/charge/completion": Read("read_charge", _completion_body, make=make)
       for make in ("CADILLAC", "CHEVROLET")},
    **{f"{make.lower()}/charge/voltmeter": Read("read_charge", _voltmeter, make=make)
       for make in ("CADILLAC", "CHEVROLET")},
    **{f"{make.lower()}/charge/schedule_by_location": Read("read_charge_locations", _charge_locations, make=make)
       for make in ("FORD", "LINCOLN")},
}
