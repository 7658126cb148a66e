"""Typed helpers for the common make-specific v2 endpoints (``/vehicles/{id}/{make}/...``).

Wrap a ``smartcar.Vehicle`` (or ``AsyncVehicle`` with the ``Async`` classes); every call goes through the
vehicle's own request path, token and unit system, so errors are the usual ``SmartcarException``. For any other
make-specific path, ``vehicle.request("GET", "tesla/alerts")`` reaches it directly.

>>> tesla = Tesla(vehicle)
>>> tesla.set_cabin_climate("START", temperature=21)
CabinClimate(status='ON', temperature=21.0)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union

from . import _args, _core
from .vehicle import AsyncVehicle, Vehicle

T = TypeVar("T")
AnyVehicle = Union[Vehicle, AsyncVehicle]


@dataclass(frozen=True)
class ActionResult:
    """The platform's acknowledgement of a command: ``status`` ``success`` and its ``message``."""

    status: str
    message: str


@dataclass(frozen=True)
class CabinClimate:
    status: str  # ON, OFF
    temperature: float | None  # in the vehicle's unit system (Celsius by default)


@dataclass(frozen=True)
class Defroster:
    front_status: str
    rear_status: str


@dataclass(frozen=True)
class TeslaChargeSchedule:
    """Tesla's scheduled charging start and departure time (``HH:mm``, None when disabled)."""

    start_time_enabled: bool
    start_time: str | None
    departure_time_enabled: bool
    departure_time: str | None


@dataclass(frozen=True)
class ChargeWindow:
    start: str
    end: str


@dataclass(frozen=True)
class ChargingLocation:
    """A Ford/Lincoln charging location: its charge limit (0.5–1) and its weekday and weekend windows."""

    latitude: float
    longitude: float
    charge_limit: float
    weekday: tuple[ChargeWindow, ...]
    weekend: tuple[ChargeWindow, ...]


@dataclass(frozen=True)
class NissanChargeSchedule:
    start: str
    end: str
    days: tuple[str, ...] = field(default_factory=tuple)


def _call(vehicle: AnyVehicle, method: str, path: str, parse: Callable[[Any], T], body: Any = None,
          params: dict[str, Any] | None = None) -> _core.Call[T]:
    json = body if body is not None else ({} if method in ("POST", "PUT") else None)
    spec = _core.RequestSpec(method, vehicle._format_url(path), vehicle._get_headers(), params=params, json=json)
    return _core.Call(spec, lambda response: parse(response.json()))


def _action(body: Any) -> ActionResult:
    return ActionResult(str(body.get("status", "")), str(body.get("message", "")))


def _choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


def _cabin(body: Any) -> CabinClimate:
    return CabinClimate(str(body.get("status", "")), body.get("temperature"))


def _tesla_schedule(body: Any) -> TeslaChargeSchedule:
    start, departure = body.get("startTime") or {}, body.get("departureTime") or {}
    return TeslaChargeSchedule(bool(start.get("enabled")), start.get("time"), bool(departure.get("enabled")),
                               departure.get("time"))


def _windows(values: Any) -> tuple[ChargeWindow, ...]:
    return tuple(ChargeWindow(str(w.get("start")), str(w.get("end"))) for w in values or ())


def _locations(body: Any) -> list[ChargingLocation]:
    found = []
    for item in body.get("chargingLocations") or ():
        location, schedules = item.get("location") or {}, item.get("chargingSchedules") or {}
        found.append(ChargingLocation(float(location["latitude"]), float(location["longitude"]),
                                      float(item["chargeLimit"]),
                                      _windows(schedules.get("weekday")), _windows(schedules.get("weekend"))))
    return found


def _nissan(body: Any) -> list[NissanChargeSchedule]:
    return [NissanChargeSchedule(str(s.get("start")), str(s.get("end")), tuple(s.get("days") or ()))
            for s in body.get("chargeSchedules") or ()]


def _window_json(windows: Any, name: str) -> list[dict[str, str]]:
    result = []
    for window in windows or ():
        start, end = (window.start, window.end) if isinstance(window, ChargeWindow) else window
        result.append({"start": _args.text(start, f"{name}.start"), "end": _args.text(end, f"{name}.end")})
    return result


class _TeslaCalls:
    """The requests of the Tesla helpers (shared by the sync and async classes)."""

    def __init__(self, vehicle: AnyVehicle) -> None:
        self.vehicle = vehicle

    def get(self, path: str, parse: Callable[[Any], T]) -> _core.Call[T]:
        return _call(self.vehicle, "GET", f"tesla/{path}", parse)

    def post(self, path: str, body: dict[str, Any], parse: Callable[[Any], T]) -> _core.Call[T]:
        return _call(self.vehicle, "POST", f"tesla/{path}", parse, body)

    def cabin(self, action: str, temperature: float | None) -> _core.Call[CabinClimate]:
        body: dict[str, Any] = {"action": _choice(action, "action", ("START", "STOP", "SET"))}
        if temperature is not None:
            body["temperature"] = _args.number(temperature, "temperature")
        return self.post("climate/cabin", body, _cabin)

    def toggle(self, path: str, on: bool) -> _core.Call[str]:
        if not isinstance(on, bool):
            raise TypeError("on must be a bool")
        return self.post(path, {"action": "START" if on else "STOP"}, lambda b: str(b.get("status", "")))

    def open_close(self, path: str, open_: bool) -> _core.Call[ActionResult]:
        if not isinstance(open_, bool):
            raise TypeError("open must be a bool")
        return self.post(path, {"action": "OPEN" if open_ else "CLOSE"}, _action)

    def schedule(self, kind: str, enable: bool, time: str | None) -> _core.Call[TeslaChargeSchedule]:
        body: dict[str, Any] = {"type": _choice(kind, "kind", ("START_TIME", "DEPARTURE_TIME")), "enable": enable}
        if time is not None:
            body["time"] = _args.text(time, "time")
        return self.post("charge/schedule", body, _tesla_schedule)


class Tesla:
    """Tesla's make-specific endpoints on a ``smartcar.Vehicle``."""

    def __init__(self, vehicle: Vehicle) -> None:
        self._vehicle = vehicle
        self._calls = _TeslaCalls(vehicle)

    def cabin_climate(self) -> CabinClimate:
        return self._vehicle._run(self._calls.get("climate/cabin", _cabin))

    def set_cabin_climate(self, action: str, temperature: float | None = None) -> CabinClimate:
        """``START``, ``STOP`` or ``SET`` (``temperature`` in the vehicle's unit system)."""
        return self._vehicle._run(self._calls.cabin(action, temperature))

    def defroster(self) -> Defroster:
        return self._vehicle._run(self._calls.get("climate/defroster", lambda b: Defroster(
            str(b.get("frontStatus", "")), str(b.get("rearStatus", "")))))

    def set_defroster(self, on: bool) -> str:
        return self._vehicle._run(self._calls.toggle("climate/defroster", on))

    def steering_heater(self) -> str:
        return self._vehicle._run(self._calls.get("climate/steering_wheel", lambda b: str(b.get("status", ""))))

    def set_steering_heater(self, on: bool) -> str:
        return self._vehicle._run(self._calls.toggle("climate/steering_wheel", on))

    def amperage(self) -> float:
        return self._vehicle._run(self._calls.get("charge/ammeter", lambda b: float(b["amperage"])))

    def set_amperage(self, amperage: float) -> ActionResult:
        return self._vehicle._run(self._calls.post("charge/ammeter",
                                                   {"amperage": _args.number(amperage, "amperage")}, _action))

    def set_charge_port_door(self, open: bool) -> ActionResult:
        return self._vehicle._run(self._calls.open_close("charge/charge_port_door", open))

    def set_frunk(self, open: bool) -> ActionResult:
        return self._vehicle._run(self._calls.open_close("security/frunk", open))

    def set_trunk(self, open: bool) -> ActionResult:
        return self._vehicle._run(self._calls.open_close("security/trunk", open))

    def set_pin(self, pin: str) -> ActionResult:
        """Set the 4-digit PIN to Drive (replaces any)."""
        return self._vehicle._run(self._calls.post("pin", {"pin": _args.text(pin, "pin")}, _action))

    def clear_pin(self) -> ActionResult:
        return self._vehicle._run(_call(self._vehicle, "DELETE", "tesla/pin", _action))

    def charge_schedule(self) -> TeslaChargeSchedule:
        return self._vehicle._run(self._calls.get("charge/schedule", _tesla_schedule))

    def set_charge_schedule(self, kind: str, enable: bool, time: str | None = None) -> TeslaChargeSchedule:
        """``kind`` ``START_TIME`` or ``DEPARTURE_TIME``; ``time`` ``HH:mm`` when enabling."""
        return self._vehicle._run(self._calls.schedule(kind, enable, time))


class AsyncTesla:
    """:class:`Tesla` on a ``smartcar.AsyncVehicle`` (every method awaited)."""

    def __init__(self, vehicle: AsyncVehicle) -> None:
        self._vehicle = vehicle
        self._calls = _TeslaCalls(vehicle)

    async def cabin_climate(self) -> CabinClimate:
        return await self._vehicle._run(self._calls.get("climate/cabin", _cabin))

    async def set_cabin_climate(self, action: str, temperature: float | None = None) -> CabinClimate:
        return await self._vehicle._run(self._calls.cabin(action, temperature))

    async def defroster(self) -> Defroster:
        return await self._vehicle._run(self._calls.get("climate/defroster", lambda b: Defroster(
            str(b.get("frontStatus", "")), str(b.get("rearStatus", "")))))

    async def set_defroster(self, on: bool) -> str:
        return await self._vehicle._run(self._calls.toggle("climate/defroster", on))

    async def steering_heater(self) -> str:
        return await self._vehicle._run(self._calls.get("climate/steering_wheel", lambda b: str(b.get("status", ""))))

    async def set_steering_heater(self, on: bool) -> str:
        return await self._vehicle._run(self._calls.toggle("climate/steering_wheel", on))

    async def amperage(self) -> float:
        return await self._vehicle._run(self._calls.get("charge/ammeter", lambda b: float(b["amperage"])))

    async def set_charge_port_door(self, open: bool) -> ActionResult:
        return await self._vehicle._run(self._calls.open_close("charge/charge_port_door", open))

    async def set_pin(self, pin: str) -> ActionResult:
        return await self._vehicle._run(self._calls.post("pin", {"pin": _args.text(pin, "pin")}, _action))

    async def clear_pin(self) -> ActionResult:
        return await self._vehicle._run(_call(self._vehicle, "DELETE", "tesla/pin", _action))

    async def set_amperage(self, amperage: float) -> ActionResult:
        return await self._vehicle._run(self._calls.post("charge/ammeter",
                                                         {"amperage": _args.number(amperage, "amperage")}, _action))

    async def set_frunk(self, open: bool) -> ActionResult:
        return await self._vehicle._run(self._calls.open_close("security/frunk", open))

    async def set_trunk(self, open: bool) -> ActionResult:
        return await self._vehicle._run(self._calls.open_close("security/trunk", open))

    async def charge_schedule(self) -> TeslaChargeSchedule:
        return await self._vehicle._run(self._calls.get("charge/schedule", _tesla_schedule))

    async def set_charge_schedule(self, kind: str, enable: bool, time: str | None = None) -> TeslaChargeSchedule:
        return await self._vehicle._run(self._calls.schedule(kind, enable, time))


def _location_call(vehicle: AnyVehicle, make: str, latitude: float, longitude: float, charge_limit: float,
                   weekday: Any, weekend: Any) -> _core.Call[ActionResult]:
    body = {"chargingLocation": {"chargeLimit": _args.number(charge_limit, "charge_limit"), "chargingWindows": {
        "weekday": _window_json(weekday, "weekday"), "weekend": _window_json(weekend, "weekend")}}}
    params = {"latitude": _args.number(latitude, "latitude"), "longitude": _args.number(longitude, "longitude")}
    return _call(vehicle, "PUT", f"{make}/charge/schedule_by_location", _action, body, params)


class Ford:
    """Ford's (``make="lincoln"``: Lincoln's) charging locations on a ``smartcar.Vehicle``."""

    def __init__(self, vehicle: Vehicle, make: str = "ford") -> None:
        self._vehicle = vehicle
        self._make = _choice(make, "make", ("ford", "lincoln"))

    def charging_locations(self) -> list[ChargingLocation]:
        return self._vehicle._run(_call(self._vehicle, "GET", f"{self._make}/charge/schedule_by_location", _locations))

    def set_charging_location(self, latitude: float, longitude: float, charge_limit: float,
                              weekday: Any = (), weekend: Any = ()) -> ActionResult:
        """Windows are ``ChargeWindow`` or ``(start, end)`` pairs (``HH:mm``); no windows at all clears them."""
        return self._vehicle._run(_location_call(self._vehicle, self._make, latitude, longitude, charge_limit,
                                                 weekday, weekend))


class Nissan:
    """Nissan's charge schedules (up to three, ``HH:mm`` UTC) on a ``smartcar.Vehicle``."""

    def __init__(self, vehicle: Vehicle) -> None:
        self._vehicle = vehicle

    def charge_schedules(self) -> list[NissanChargeSchedule]:
        return self._vehicle._run(_call(self._vehicle, "GET", "nissan/charge/schedule", _nissan))

    def set_charge_schedules(self, schedules: list[NissanChargeSchedule]) -> ActionResult:
        body = {"chargeSchedules": [{"start": s.start, "end": s.end, "days": list(s.days)} for s in schedules]}
        return self._vehicle._run(_call(self._vehicle, "PUT", "nissan/charge/schedule", _action, body))


class AsyncFord:
    """:class:`Ford` on a ``smartcar.AsyncVehicle``."""

    def __init__(self, vehicle: AsyncVehicle, make: str = "ford") -> None:
        self._vehicle = vehicle
        self._make = _choice(make, "make", ("ford", "lincoln"))

    async def charging_locations(self) -> list[ChargingLocation]:
        return await self._vehicle._run(_call(self._vehicle, "GET", f"{self._make}/charge/schedule_by_location",
                                              _locations))

    async def set_charging_location(self, latitude: float, longitude: float, charge_limit: float,
                                    weekday: Any = (), weekend: Any = ()) -> ActionResult:
        return await self._vehicle._run(_location_call(self._vehicle, self._make, latitude, longitude, charge_limit,
                                                       weekday, weekend))


class AsyncNissan:
    """:class:`Nissan` on a ``smartcar.AsyncVehicle``."""

    def __init__(self, vehicle: AsyncVehicle) -> None:
        self._vehicle = vehicle

    async def charge_schedules(self) -> list[NissanChargeSchedule]:
        return await self._vehicle._run(_call(self._vehicle, "GET", "nissan/charge/schedule", _nissan))

    async def set_charge_schedules(self, schedules: list[NissanChargeSchedule]) -> ActionResult:
        body = {"chargeSchedules": [{"start": s.start, "end": s.end, "days": list(s.days)} for s in schedules]}
        return await self._vehicle._run(_call(self._vehicle, "PUT", "nissan/charge/schedule", _action, body))
