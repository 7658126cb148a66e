"""The make-specific v2 writes (Tesla climate, charging, PIN, trunks; Ford/Lincoln and Nissan charge schedules) as
changes of the one vehicle state, with their rules. Reads of the same state are views in the HTTP layer.

Every function takes the platform's actuators (``update_state``), validates its input (``VALIDATION`` naming the
field) and returns the changed state. Charge windows land in ``charge_timers`` so ``charge-chargetimers`` shows them.
"""

from __future__ import annotations

import re
from typing import Any

from .commands import DAYS, WORKWEEK, Actuators, invalid, number
from .errors import ApiError
from .signals.makes import make_data
from .state import VehicleState
from .vehicles import Vehicle

AC_VOLTS = 240.0
CABIN_LIMITS_C = (15.0, 28.0)  # Tesla's climate range
WEEKEND = DAYS[5:]
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PIN = re.compile(r"^\d{4}$")


def action(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    value = body.get("action")
    if value not in allowed:
        raise ApiError("VALIDATION", detail=[{"field": ["action"],
                                              "message": f"\"action\" must be one of [{', '.join(allowed)}]"}])
    return str(value)


def hhmm(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _TIME.match(value):
        raise invalid(field, f"\"{field}\" must be a time HH:mm (24 h)")
    return value


def global_timer(state: VehicleState) -> dict[str, Any]:
    """The vehicle's GLOBAL charge timer (created empty when it has none)."""
    for timer in state.charge_timers:
        if timer.get("type") == "GLOBAL":
            return timer
    timer = {"type": "GLOBAL", "condition": None, "schedules": [], "departureTimers": [],
             "isOEMOptimizationEnabled": False}
    state.charge_timers.append(timer)
    return timer


# Tesla ------------------------------------------------------------------------------------------------
def set_amperage(actuators: Actuators, vehicle: Vehicle, amperage: object) -> float:
    """The requested charging current (the request's value as sent, validated here); above the charger's maximum it is set to the maximum. Returns the amperage."""
    limit = float(make_data(vehicle.make, "amperage_max"))
    amps = min(number(amperage, "amperage", 1, 1000), limit)

    def change(state: VehicleState) -> None:
        state.charge_amps = amps
        state.charge_rate_kw = round(amps * AC_VOLTS / 1000, 2)

    actuators.update_state(vehicle.id, change)
    return amps


def charge_port_door(actuators: Actuators, vehicle: Vehicle, open_: bool) -> VehicleState:
    """Open or close the charge port door; closing it with a cable in is ``CHARGING_PLUG_CONNECTED``, except in
    test mode, whose commands always succeed (the cable comes out first)."""
    def change(state: VehicleState) -> None:
        if not open_ and state.plugged_in:
            if vehicle.mode != "test":
                raise ApiError("VEHICLE_STATE", "CHARGING_PLUG_CONNECTED")
            state.plugged_in = state.charging = False
        state.charging_port = "OPEN" if open_ else "CLOSED"

    return actuators.update_state(vehicle.id, change)


def tesla_charge_schedule(actuators: Actuators, vehicle: Vehicle, body: dict[str, Any]) -> VehicleState:
    """``{"type": "START_TIME"|"DEPARTURE_TIME", "enable": bool, "time": "HH:mm"}`` (``enabled`` accepted too)."""
    kind = body.get("type")
    if kind not in ("START_TIME", "DEPARTURE_TIME"):
        raise invalid("type", "\"type\" must be one of [START_TIME, DEPARTURE_TIME]")
    enable = body.get("enable", body.get("enabled"))
    if not isinstance(enable, bool):
        raise invalid("enable", "\"enable\" must be true or false")
    time = hhmm(body.get("time"), "time") if enable else None

    def change(state: VehicleState) -> None:
        timer = global_timer(state)
        if kind == "START_TIME":
            end = timer["schedules"][0]["end"] if timer.get("schedules") else "06:00:00"
            timer["schedules"] = [{"start": f"{time}:00", "end": end, "days": list(DAYS)}] if time else []
        else:
            timer["departureTimers"] = [{"days": list(DAYS), "time": f"{time}:00"}] if time else []

    return actuators.update_state(vehicle.id, change)


def cabin_climate(actuators: Actuators, vehicle: Vehicle, action_: str, celsius: float | None) -> VehicleState:
    """START or STOP the cabin climate (optionally at a temperature), or SET the temperature."""
    low, high = CABIN_LIMITS_C
    if celsius is not None and not low <= celsius <= high:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{
            "field": "temperature", "message": f"The temperature must be between {low:g} and {high:g} degrees Celsius."}])
    if action_ == "SET" and celsius is None:
        raise invalid("temperature", "\"temperature\" is required with SET")

    def change(state: VehicleState) -> None:
        if celsius is not None:
            state.cabin_target_c = round(celsius, 1)
        if action_ != "SET":
            state.hvac_on = action_ == "START"

    return actuators.update_state(vehicle.id, change)


def defroster(actuators: Actuators, vehicle: Vehicle, on: bool) -> VehicleState:
    """Tesla's max defrost: front and rear together (and the cabin climate with them)."""
    def change(state: VehicleState) -> None:
        state.front_defroster = state.rear_defroster = on
        if on:
            state.hvac_on = True

    return actuators.update_state(vehicle.id, change)


def steering_heater(actuators: Actuators, vehicle: Vehicle, on: bool) -> VehicleState:
    def change(state: VehicleState) -> None:
        state.steering_heater = on

    return actuators.update_state(vehicle.id, change)


def set_pin(actuators: Actuators, vehicle: Vehicle, pin: Any) -> VehicleState:
    """Set (a 4-digit string, replacing any) or with None clear the PIN to Drive."""
    if pin is not None and (not isinstance(pin, str) or not _PIN.match(pin)):
        raise invalid("pin", "\"pin\" must be a string of 4 digits")

    def change(state: VehicleState) -> None:
        state.pin_to_drive = pin

    return actuators.update_state(vehicle.id, change)


def trunk(actuators: Actuators, vehicle: Vehicle, which: str, open_: bool) -> VehicleState:
    """Open or close the front (``front``) or rear (``rear``) trunk."""
    def change(state: VehicleState) -> None:
        if open_ and state.speed_kph > 0:
            raise ApiError("VEHICLE_STATE", "IN_MOTION")
        state.storage = {**state.storage, which: "OPEN" if open_ else "CLOSED"}

    return actuators.update_state(vehicle.id, change)


# Ford and Lincoln ---------------------------------------------------------------------------------------
def _windows(value: Any, field: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 10:
        raise invalid(field, f"\"{field}\" must be a list of {{start, end}} windows")
    windows = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise invalid(f"{field}[{index}]", "a window is {start, end}")
        windows.append({"start": hhmm(item.get("start"), f"{field}[{index}].start"),
                        "end": hhmm(item.get("end"), f"{field}[{index}].end")})
    return windows


def charge_location(actuators: Actuators, vehicle: Vehicle, latitude: float, longitude: float,
                    body: dict[str, Any]) -> VehicleState:
    """Set a charging location's limit and weekday/weekend windows; both window lists empty clears them."""
    location = body.get("chargingLocation")
    if not isinstance(location, dict):
        raise invalid("chargingLocation", "\"chargingLocation\" is required")
    limit = number(location.get("chargeLimit"), "chargeLimit", 0.5, 1.0)
    windows = location.get("chargingWindows")
    if not isinstance(windows, dict):
        raise invalid("chargingWindows", "\"chargingWindows\" with weekday and weekend is required")
    weekday = _windows(windows.get("weekday", []), "weekday")
    weekend = _windows(windows.get("weekend", []), "weekend")
    point = {"latitude": round(latitude, 6), "longitude": round(longitude, 6)}

    def change(state: VehicleState) -> None:
        others = [c for c in state.charge_locations if c.get("location") != point]
        state.charge_locations = [*others, {"chargeLimit": limit, "location": point,
                                            "chargingSchedules": {"weekday": weekday, "weekend": weekend}}]
        timers = [t for t in state.charge_timers if not (t.get("type") == "LOCATION" and t.get("condition")
                                                          and _point(t["condition"]) == point
                                                          and "scheduleId" not in t)]
        schedules = ([{"start": f"{w['start']}:00", "end": f"{w['end']}:00", "days": list(WORKWEEK)} for w in weekday]
                     + [{"start": f"{w['start']}:00", "end": f"{w['end']}:00", "days": list(WEEKEND)} for w in weekend])
        if schedules:
            timers.append({"type": "LOCATION", "condition": {"name": None, "address": None, **point},
                           "schedules": schedules, "departureTimers": [], "isOEMOptimizationEnabled": False})
        state.charge_timers = timers

    return actuators.update_state(vehicle.id, change)


def _point(condition: dict[str, Any]) -> dict[str, float]:
    return {"latitude": round(float(condition.get("latitude", 0)), 6),
            "longitude": round(float(condition.get("longitude", 0)), 6)}


# Nissan -------------------------------------------------------------------------------------------------
def nissan_schedule(actuators: Actuators, vehicle: Vehicle, body: dict[str, Any]) -> VehicleState:
    """Up to three ``{start, end, days}`` windows (HH:mm UTC), replacing the vehicle's GLOBAL schedules."""
    schedules = body.get("chargeSchedules")
    if not isinstance(schedules, list) or len(schedules) > 3:
        raise invalid("chargeSchedules", "\"chargeSchedules\" must be a list of at most 3 schedules")
    parsed = []
    for index, item in enumerate(schedules):
        if not isinstance(item, dict):
            raise invalid(f"chargeSchedules[{index}]", "a schedule is {start, end, days}")
        days = item.get("days")
        if not isinstance(days, list) or not days or any(d not in DAYS for d in days):
            raise invalid(f"chargeSchedules[{index}].days", f"\"days\" must be a non-empty list of {', '.join(DAYS)}")
        parsed.append({"start": hhmm(item.get("start"), f"chargeSchedules[{index}].start") + ":00",
                       "end": hhmm(item.get("end"), f"chargeSchedules[{index}].end") + ":00",
                       "days": [d for d in DAYS if d in days]})

    def change(state: VehicleState) -> None:
        global_timer(state)["schedules"] = parsed

    return actuators.update_state(vehicle.id, change)
