"""API v3 commands and charge schedules: which exist, who may run them, their parameters and their effects.

Every command changes the one vehicle state through the platform's actuators (the same ones v2 uses), so signals
and v2 reads report its effect. A command runs synchronously (``SUCCESS``, HTTP 200) unless the platform is set to
answer asynchronously (``async_seconds``): then the execution is ``PENDING`` (HTTP 202) and completes on the
platform clock, its effect applied when it comes due (``settle``, run before every state read), ``FAILED`` with
the vehicle's error if a precondition no longer holds.

Charge schedules are ``LOCATION`` timers in the vehicle's ``charge_timers`` (the ``charge-chargetimers`` signal),
each with ``scheduleType`` and ``scheduleId``. Supported: Tesla (daily, weekly, workweek), Volvo (daily).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import ApiError
from .executions import Execution, ExecutionStore
from .ids import new_id
from .state import VehicleState
from .vehicles import Vehicle

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
WORKWEEK = DAYS[:5]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class Actuators(Protocol):
    """What commands change, implemented by the platform (the same operations v2 commands use)."""

    def set_lock(self, vehicle_id: str, locked: bool) -> VehicleState: ...
    def set_charging(self, vehicle_id: str, start: bool) -> VehicleState: ...
    def set_charge_limit(self, vehicle_id: str, limit: float) -> VehicleState: ...
    def send_destination(self, vehicle_id: str, latitude: float, longitude: float) -> VehicleState: ...
    def update_state(self, vehicle_id: str, change: Callable[[VehicleState], None]) -> VehicleState: ...
    def current_state(self, vehicle_id: str) -> VehicleState: ...


def invalid(field: str, message: str) -> ApiError:
    return ApiError("VALIDATION", detail=[{"field": field, "message": message}])


def number(value: Any, field: str, low: float, high: float) -> float:
    """A number (or a numeric string, as the Node SDK sends) within bounds."""
    try:
        result = float(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else math.nan
    except ValueError:
        result = math.nan
    if not math.isfinite(result) or not low <= result <= high:
        raise invalid(field, f"\"{field}\" must be a number between {low:g} and {high:g}")
    return result


def clock_time(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise invalid(field, f"\"{field}\" must be a time HH:mm (24 h)")
    return value


def _location(attributes: dict[str, Any]) -> dict[str, float]:
    location = attributes.get("location")
    if not isinstance(location, dict):
        raise invalid("data.attributes.location", "\"location\" with latitude and longitude is required")
    return {"latitude": number(location.get("latitude"), "location.latitude", -90, 90),
            "longitude": number(location.get("longitude"), "location.longitude", -180, 180)}


def _days(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or any(d not in DAYS for d in value):
        raise invalid("data.attributes.days", f"\"days\" must be a non-empty list of {', '.join(DAYS)}")
    return [d for d in DAYS if d in value]


# Commands ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommandSpec:
    path: str  # under /commands/
    command_type: str
    permission: str
    parse: Callable[[dict[str, Any] | None], dict[str, Any]]  # body attributes -> parameters
    apply: Callable[[Actuators, str, dict[str, Any]], object]  # the effect; its result (the new state) is unused


def _none(attributes: dict[str, Any] | None) -> dict[str, Any]:
    return {}


def _required(attributes: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(attributes, dict):
        raise invalid("data.attributes", "\"data.attributes\" is required")
    return attributes


def _percent(attributes: dict[str, Any] | None) -> dict[str, Any]:
    return {"percent": number(_required(attributes).get("percent"), "percent", 50, 100)}


def _destination(attributes: dict[str, Any] | None) -> dict[str, Any]:
    body = _required(attributes)
    return {"latitude": number(body.get("latitude"), "latitude", -90, 90),
            "longitude": number(body.get("longitude"), "longitude", -180, 180)}


COMMANDS: dict[str, CommandSpec] = {spec.path: spec for spec in (
    CommandSpec("charge/start", "charge-start", "control_charge", _none, lambda a, v, p: a.set_charging(v, True)),
    CommandSpec("charge/stop", "charge-stop", "control_charge", _none, lambda a, v, p: a.set_charging(v, False)),
    CommandSpec("charge/set-limit", "charge-set-limit", "control_charge", _percent,
                lambda a, v, p: a.set_charge_limit(v, p["percent"] / 100)),
    CommandSpec("security/lock", "security-lock", "control_security", _none, lambda a, v, p: a.set_lock(v, True)),
    CommandSpec("security/unlock", "security-unlock", "control_security", _none,
                lambda a, v, p: a.set_lock(v, False)),
    CommandSpec("navigation/set-destination", "navigation-set-destination", "control_navigation", _destination,
                lambda a, v, p: a.send_destination(v, p["latitude"], p["longitude"])),
)}
BY_TYPE = {spec.command_type: spec for spec in COMMANDS.values()}


# Charge schedules --------------------------------------------------------------------------------------
SCHEDULE_TYPES = ("daily", "weekly", "workweek")
SCHEDULE_MAKES: dict[str, frozenset[str]] = {"TESLA": frozenset(SCHEDULE_TYPES), "VOLVO": frozenset({"daily"})}
SCHEDULE_PERMISSION = "control_charge"  # the docs name none; v2 schedule writes use control_charge


def schedule_parameters(schedule_type: str, attributes: dict[str, Any] | None) -> dict[str, Any]:
    """The validated body of a ``POST /charge-schedules/{type}``: location, startTime, stopTime (+ days)."""
    body = _required(attributes)
    parameters: dict[str, Any] = {"location": _location(body), "startTime": clock_time(body.get("startTime"), "startTime"),
                                  "stopTime": clock_time(body.get("stopTime"), "stopTime")}
    if schedule_type == "weekly":
        parameters["days"] = _days(body.get("days"))
    return parameters


def schedule_days(schedule_type: str, parameters: dict[str, Any]) -> list[str]:
    return list(parameters["days"]) if schedule_type == "weekly" else list(
        WORKWEEK if schedule_type == "workweek" else DAYS)


def schedule_timer(schedule_id: str, schedule_type: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``charge-chargetimers`` value a schedule becomes."""
    location = parameters["location"]
    return {"type": "LOCATION",
            "condition": {"name": None, "address": None, "latitude": location["latitude"],
                          "longitude": location["longitude"]},
            "schedules": [{"start": parameters["startTime"] + ":00", "end": parameters["stopTime"] + ":00",
                           "days": schedule_days(schedule_type, parameters)}],
            "departureTimers": [], "isOEMOptimizationEnabled": False,
            "scheduleType": schedule_type, "scheduleId": schedule_id}


def schedule_of(state: VehicleState, schedule_id: str) -> dict[str, Any] | None:
    return next((t for t in state.charge_timers if t.get("scheduleId") == schedule_id), None)


def not_found(field: str, message: str) -> ApiError:
    return ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": field, "message": message}])


GM_MAKES = frozenset({"CADILLAC", "CHEVROLET", "GMC", "BUICK"})
GM_MIN_SOC = 0.5


def check_make_rules(vehicle: Vehicle, state: VehicleState, command_type: str) -> None:
    """The documented per-make limits of the charging commands (v2 and v3 alike): Nissan supports only START
    (``VEHICLE_NOT_CAPABLE``); GM vehicles start or stop only at 50 % or more (``VEHICLE_STATE:LOW_BATTERY``;
    test-mode vehicles, whose commands always succeed, are spared)."""
    if command_type == "charge-stop" and vehicle.make == "NISSAN":
        raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    if command_type in ("charge-start", "charge-stop") and vehicle.make in GM_MAKES and vehicle.mode != "test" \
            and state.battery_soc is not None and state.battery_soc < GM_MIN_SOC:
        raise ApiError("VEHICLE_STATE", "LOW_BATTERY")


class CommandService:
    """Runs v3 commands and schedule operations, records their executions, completes pending ones."""

    def __init__(self, executions: ExecutionStore, actuators: Actuators) -> None:
        self.executions = executions
        self.actuators = actuators
        self.async_seconds = 0.0  # > 0: every command and schedule operation answers PENDING for this long

    def command(self, vehicle: Vehicle, client_id: str, user_id: str | None, spec: CommandSpec,
                parameters: dict[str, Any]) -> Execution:
        self.check_make_rules(vehicle, spec.command_type)
        if self.async_seconds <= 0:
            spec.apply(self.actuators, vehicle.id, parameters)
        return self.executions.add("command", client_id, user_id, vehicle.id, spec.command_type, parameters,
                                   self.async_seconds)

    def check_make_rules(self, vehicle: Vehicle, command_type: str) -> None:
        """See :func:`check_make_rules` (the vehicle's state read now)."""
        check_make_rules(vehicle, self.actuators.current_state(vehicle.id), command_type)

    @staticmethod
    def require_schedules(vehicle: Vehicle, schedule_type: str | None = None) -> None:
        """COMPATIBILITY:VEHICLE_NOT_CAPABLE unless the make supports (this type of) charge schedules."""
        supported = SCHEDULE_MAKES.get(vehicle.make, frozenset())
        if not supported or (schedule_type is not None and schedule_type not in supported):
            raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")

    def create_schedule(self, vehicle: Vehicle, client_id: str, user_id: str | None, schedule_type: str,
                        parameters: dict[str, Any]) -> Execution:
        self.require_schedules(vehicle, schedule_type)
        schedule_id = "sched_" + new_id().replace("-", "")[:16]
        if self.async_seconds <= 0:
            self._add_timer(vehicle.id, schedule_id, schedule_type, parameters)
        return self.executions.add("schedule", client_id, user_id, vehicle.id, f"create:{schedule_type}", parameters,
                                   self.async_seconds, {"scheduleId": schedule_id, "scheduleType": schedule_type})

    def delete_schedule(self, vehicle: Vehicle, client_id: str, user_id: str | None, schedule_id: str) -> Execution:
        timer = self.schedule(vehicle, schedule_id)
        schedule_type = str(timer.get("scheduleType"))
        if self.async_seconds <= 0:
            self._remove_timer(vehicle.id, schedule_id)
        return self.executions.add("schedule", client_id, user_id, vehicle.id, f"delete:{schedule_type}", {},
                                   self.async_seconds, {"scheduleId": schedule_id, "scheduleType": schedule_type})

    def schedule(self, vehicle: Vehicle, schedule_id: str) -> dict[str, Any]:
        """A schedule (its ``charge-chargetimers`` entry) by id, or RESOURCE_NOT_FOUND."""
        self.require_schedules(vehicle)
        found = schedule_of(self.actuators.current_state(vehicle.id), schedule_id)
        if found is None:
            raise not_found("scheduleId", "No charge schedule with this id.")
        return found

    def execution(self, client_id: str, vehicle_id: str, execution_id: str, kind: str) -> Execution:
        """An execution of this application on this vehicle, settled to now."""
        self.settle(vehicle_id)
        found = self.executions.get(execution_id)
        if found is None or found.client_id != client_id or found.vehicle_id != vehicle_id or found.kind != kind:
            raise not_found("executionId", "No execution with this id.")
        return found

    def settle(self, vehicle_id: str) -> None:
        """Complete the vehicle's pending executions that have come due: apply each effect, in order."""
        for execution in self.executions.due(vehicle_id):
            error: dict[str, Any] | None = None
            try:
                self._apply(execution)
            except ApiError as failure:
                error = {"type": failure.type, "code": failure.code}
            self.executions.finish(execution, error)

    def _apply(self, execution: Execution) -> None:
        if execution.kind == "command":
            BY_TYPE[execution.name].apply(self.actuators, execution.vehicle_id, execution.parameters)
            return
        action, _, schedule_type = execution.name.partition(":")
        schedule_id = str(execution.result["scheduleId"])
        if action == "create":
            self._add_timer(execution.vehicle_id, schedule_id, schedule_type, execution.parameters)
        elif not self._remove_timer(execution.vehicle_id, schedule_id):
            raise ApiError("RESOURCE_NOT_FOUND", None)

    def _add_timer(self, vehicle_id: str, schedule_id: str, schedule_type: str, parameters: dict[str, Any]) -> None:
        def change(state: VehicleState) -> None:
            state.charge_timers = [*state.charge_timers, schedule_timer(schedule_id, schedule_type, parameters)]

        self.actuators.update_state(vehicle_id, change)

    def _remove_timer(self, vehicle_id: str, schedule_id: str) -> bool:
        removed: list[bool] = []

        def change(state: VehicleState) -> None:
            kept = [t for t in state.charge_timers if t.get("scheduleId") != schedule_id]
            removed.append(len(kept) != len(state.charge_timers))
            state.charge_timers = kept

        self.actuators.update_state(vehicle_id, change)
        return removed[0]
