"""The emulator's control API (``/_emulator/...``, JSON): vehicles, their state, trips, charging, the clock,
fault rules, users, tokens and connections. Not a Smartcar API: a developer's remote control.

Open to loopback clients only (the emulator binds 127.0.0.1 by default); ``serve --allow-remote-control``
lifts that. Errors use the v2.0 error body (``type``, ``code``, ``description``, ``detail``).
"""

from __future__ import annotations

import asyncio
import math
import re
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import from_timestamp, iso_ms
from ..platform.apps import CONNECT_FLOWS, Application
from ..platform.core import Platform
from ..platform.errors import ApiError, validation
from ..platform.faults import KINDS
from ..platform.ratelimit import Limit, limit_from
from ..platform.state import VehicleState
from ..platform.vehicles import MODES, Vehicle
from ..simulator.service import catalogue
from .common import json_object, number, platform_of
from .errors import json_response

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


def loopback_only(request: Request) -> None:
    """Refuse remote clients unless the server was started with ``--allow-remote-control``."""
    host = request.client.host if request.client else ""
    if host not in LOOPBACK and not getattr(platform_of(request), "allow_remote_control", False):
        raise ApiError("PERMISSION", description="The emulator control API only answers loopback clients.")


router = APIRouter(prefix="/_emulator", tags=["emulator control"], dependencies=[Depends(loopback_only)])


# Views ------------------------------------------------------------------------------------------------
def state_json(state: VehicleState) -> dict[str, Any]:
    return {**state.to_dict(), "charge_state": state.charge_state}


def vehicle_json(platform: Platform, vehicle: Vehicle, state: VehicleState | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": vehicle.id, "vin": vehicle.vin, "make": vehicle.make, "model": vehicle.model,
                            "year": vehicle.year, "powertrain": vehicle.powertrain, "mode": vehicle.mode,
                            "owner": vehicle.owner, "level": vehicle.level, "testError": vehicle.test_error}
    if state is not None:
        body["state"] = state_json(state)
        body["faults"] = [f.to_dict() for f in platform.faults.list(vehicle.id)]
    return body


def _vehicle_reply(request: Request, vehicle_id: str, state: VehicleState) -> Response:
    platform = platform_of(request)
    return json_response(vehicle_json(platform, platform.simulator.vehicle(vehicle_id), state))


def _point(value: Any, name: str) -> tuple[float, float]:
    if not isinstance(value, dict):
        raise validation(f"{name} must be an object with latitude and longitude.", name)
    return (number(value.get("latitude"), f"{name}.latitude", -90, 90),
            number(value.get("longitude"), f"{name}.longitude", -180, 180))


def _action(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    action = str(body.get("action", "")).upper()
    if action not in allowed:
        raise validation(f"action must be one of {', '.join(allowed)}.", "action")
    return action


# Catalogue and vehicles --------------------------------------------------------------------------------
@router.get("", summary="What the control API offers")
async def index(request: Request) -> Response:
    return json_response({"panel": "/_emulator/panel", "vehicles": "/_emulator/vehicles",
                          "faults": "/_emulator/faults", "faultKinds": list(KINDS), "clock": "/_emulator/clock",
                          "catalog": "/_emulator/catalog", "users": "/_emulator/users", "tokens": "/_emulator/tokens",
                          "connections": "/_emulator/connections",
                          "reset": "/_emulator/reset", "apps": "/_emulator/apps",
                          "rateLimits": "/_emulator/rate-limits"})


@router.get("/catalog", summary="Makes, models, years and powertrains a vehicle can be created from")
async def get_catalog() -> Response:
    return json_response({"models": catalogue()})


@router.get("/vehicles", summary="Every vehicle (filter: ?mode=test|simulated|live)")
async def list_vehicles(request: Request) -> Response:
    platform = platform_of(request)
    mode = request.query_params.get("mode")
    if mode and mode not in MODES:
        raise validation("mode must be one of test, live, simulated.", "mode")
    return json_response({"vehicles": [vehicle_json(platform, v) for v in platform.vehicles.list(mode)]})


@router.post("/vehicles", status_code=201,
             summary="Create a vehicle: {make, model?, year?, mode=simulated, email?, vin?}")
async def create_vehicle(request: Request) -> Response:
    platform = platform_of(request)
    body = await json_object(request)
    year = body.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise validation("year must be an integer.", "year")
    vehicle = platform.simulator.create_vehicle(str(body.get("make") or ""), body.get("model"), year,
                                                str(body.get("mode") or "simulated"), body.get("email"),
                                                body.get("vin"))
    return json_response(vehicle_json(platform, vehicle, platform.simulator.sync(vehicle.id)), status=201)


@router.get("/vehicles/{vehicle_id}", summary="A vehicle and its authoritative state, advanced to now")
async def get_vehicle(request: Request, vehicle_id: str) -> Response:
    return _vehicle_reply(request, vehicle_id, platform_of(request).simulator.sync(vehicle_id))


@router.patch("/vehicles/{vehicle_id}/state", summary="Set state fields, e.g. {\"battery_soc\": 0.5}")
async def patch_state(request: Request, vehicle_id: str) -> Response:
    body = await json_object(request)
    if not body:
        raise validation("Give at least one field to set.", "body")
    return _vehicle_reply(request, vehicle_id, platform_of(request).simulator.set_fields(vehicle_id, body))


@router.post("/vehicles/{vehicle_id}/trip",
             summary="Start a trip: {destination?: {latitude, longitude}, distance_km?, heading?, speed_kph?, waypoints?}")
async def start_trip(request: Request, vehicle_id: str) -> Response:
    body = await json_object(request)
    destination = _point(body["destination"], "destination") if body.get("destination") is not None else None
    distance = number(body["distance_km"], "distance_km", 0.1, 2000) if body.get("distance_km") is not None else None
    heading = number(body["heading"], "heading", 0, 360) if body.get("heading") is not None else None
    speed = number(body.get("speed_kph", 60), "speed_kph", 1, 250)
    waypoints = body.get("waypoints")
    if waypoints is not None:
        if not isinstance(waypoints, list) or not waypoints:
            raise validation("waypoints must be a non-empty list of {latitude, longitude}.", "waypoints")
        waypoints = [list(_point(p, f"waypoints[{i}]")) for i, p in enumerate(waypoints)]
    state = platform_of(request).simulator.start_trip(vehicle_id, destination, distance, heading, speed, waypoints)
    return _vehicle_reply(request, vehicle_id, state)


@router.delete("/vehicles/{vehicle_id}/trip", summary="End the trip: park where the vehicle is")
async def stop_trip(request: Request, vehicle_id: str) -> Response:
    return _vehicle_reply(request, vehicle_id, platform_of(request).simulator.stop_trip(vehicle_id))


@router.post("/vehicles/{vehicle_id}/plug", summary="Plug the charging cable in")
async def plug(request: Request, vehicle_id: str) -> Response:
    return _vehicle_reply(request, vehicle_id, platform_of(request).simulator.plug(vehicle_id, True))


@router.delete("/vehicles/{vehicle_id}/plug", summary="Unplug (stops charging)")
async def unplug(request: Request, vehicle_id: str) -> Response:
    return _vehicle_reply(request, vehicle_id, platform_of(request).simulator.plug(vehicle_id, False))


@router.post("/vehicles/{vehicle_id}/charge", summary="{\"action\": \"START\"|\"STOP\"} with the API's preconditions")
async def charge(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.simulator.vehicle(vehicle_id)
    action = _action(await json_object(request), ("START", "STOP"))
    return _vehicle_reply(request, vehicle_id, platform.set_charging(vehicle_id, action == "START"))


@router.post("/vehicles/{vehicle_id}/security", summary="{\"action\": \"LOCK\"|\"UNLOCK\"} with the API's preconditions")
async def security(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.simulator.vehicle(vehicle_id)
    action = _action(await json_object(request), ("LOCK", "UNLOCK"))
    return _vehicle_reply(request, vehicle_id, platform.set_lock(vehicle_id, action == "LOCK"))


# Clock ------------------------------------------------------------------------------------------------
def _clock_json(platform: Platform) -> dict[str, Any]:
    return {"now": iso_ms(platform.clock.now()), "timestamp": platform.clock.timestamp(),
            "timeScale": platform.clock.time_scale, "seed": platform.seed}


@router.get("/clock", summary="The platform clock")
async def get_clock(request: Request) -> Response:
    return json_response(_clock_json(platform_of(request)))


def _moment(body: dict[str, Any]) -> datetime:
    """``{"now": ISO-8601 with a zone}`` or ``{"timestamp": epoch seconds}``, between 2000 and 2100."""
    now, timestamp = body.get("now"), body.get("timestamp")
    if (now is None) == (timestamp is None):
        raise validation("Give either now (ISO-8601, e.g. 2030-01-01T08:00:00Z) or timestamp (epoch seconds).",
                         "now")
    if now is not None:
        if not isinstance(now, str):
            raise validation("now must be an ISO-8601 string such as 2030-01-01T08:00:00Z.", "now")
        try:
            moment = datetime.fromisoformat(now.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise validation("now must be an ISO-8601 string such as 2030-01-01T08:00:00Z.", "now") from None
        if moment.tzinfo is None:
            raise validation("now needs a time zone (Z or +hh:mm).", "now")
    else:
        moment = from_timestamp(number(timestamp, "timestamp", _EARLIEST, _LATEST))
    if not _EARLIEST <= moment.timestamp() <= _LATEST:
        raise validation("The clock can be set between 2000 and 2100.", "now" if now is not None else "timestamp")
    return moment


_EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp()
_LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp()


@router.put("/clock", summary="Set the clock, backwards included: {\"now\": \"2030-01-01T08:00:00Z\"} or "
                              "{\"timestamp\": 1893484800}")
async def set_clock(request: Request) -> Response:
    platform_of(request).check_per_process_change("The clock")
    platform = platform_of(request)
    platform.simulator.set_clock(_moment(await json_object(request)))
    return json_response(_clock_json(platform))


@router.post("/clock/advance", summary="Move simulated time forward: {\"seconds\": 600}")
async def advance_clock(request: Request) -> Response:
    platform_of(request).check_per_process_change("The clock")
    platform = platform_of(request)
    body = await json_object(request)
    platform.simulator.advance_clock(number(body.get("seconds"), "seconds", 0, 366 * 86400))
    return json_response(_clock_json(platform))


# Reset and applications -------------------------------------------------------------------------------
@router.post("/reset", summary="Forget everything (or everything but the applications: {\"keep_apps\": true}); "
                               "the clock goes back to real time and fault rules go")
async def reset(request: Request) -> Response:
    body = await json_object(request) if await request.body() else {}
    keep_apps = body.get("keep_apps", False)
    if not isinstance(keep_apps, bool):
        raise validation("keep_apps must be true or false.", "keep_apps")
    removed = platform_of(request).simulator.reset(keep_apps)
    return json_response({"reset": True, "keptApps": keep_apps, "removed": removed})


def app_json(app: Application) -> dict[str, Any]:
    return {"clientId": app.client_id, "clientSecret": app.client_secret, "name": app.name,
            "redirectUris": list(app.redirect_uris), "amt": app.amt, "connectFlow": app.connect_flow}


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise validation(f"{name} must be a non-empty string of at most 200 characters.", name)
    return value


@router.get("/apps", summary="Registered applications, with their credentials (a local emulator's own test apps)")
async def list_apps(request: Request) -> Response:
    return json_response({"apps": [app_json(a) for a in platform_of(request).apps.list()]})


@router.post("/apps", status_code=201,
             summary="Register (or update) an application: {client_id?, client_secret?, redirect_uris, amt?, name?, "
                     "connect_flow?}")
async def register_app(request: Request) -> Response:
    body = await json_object(request)
    uris = body.get("redirect_uris", [])
    if not isinstance(uris, list) or not all(isinstance(u, str) and u.strip() for u in uris) or len(uris) > 20:
        raise validation("redirect_uris must be a list of at most 20 URIs.", "redirect_uris")
    flow = body.get("connect_flow")
    if flow is not None and flow not in CONNECT_FLOWS:
        raise validation(f"connect_flow must be one of {', '.join(CONNECT_FLOWS)}.", "connect_flow")
    fields = {name: _optional_str(body, name) for name in ("client_id", "client_secret", "amt", "name")}
    app = platform_of(request).apps.register(redirect_uris=uris, connect_flow=flow or "both",
                                             **{k: v for k, v in fields.items() if v is not None})
    return json_response(app_json(app), status=201)


# Rate limits ------------------------------------------------------------------------------------------
def _limit(body: dict[str, Any], name: str) -> Limit | None:
    value = body.get(name)
    try:
        if value is None:
            return None
        if isinstance(value, str):
            return limit_from(value, name)
        if isinstance(value, dict):
            rate, burst = value.get("requestsPerSecond"), value.get("burst")
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate):
                raise ValueError("requestsPerSecond must be a number")
            if burst is None:
                burst = max(1, math.ceil(rate))
            if isinstance(burst, bool) or not isinstance(burst, int):
                raise ValueError("burst must be an integer")
            return Limit.of(float(rate), burst)
    except ValueError as error:
        raise validation(f"{name}: {error}.", name) from None
    raise validation(f'{name} must be null, a string such as "50/s" or "2/min,burst=120", or '
                     '{"requestsPerSecond": 50, "burst": 50}.', name)


@router.get("/rate-limits", summary="The platform's rate limits: per application and per vehicle (null: none)")
async def get_rate_limits(request: Request) -> Response:
    return json_response(platform_of(request).rate_limits.to_dict())


@router.put("/rate-limits",
            summary='Set both limits: {"app": "50/s" | "platform" | "off" | {"requestsPerSecond", "burst"} | null, '
                    '"vehicle": ...}; buckets start full')
async def set_rate_limits(request: Request) -> Response:
    platform_of(request).check_per_process_change("A rate limit")
    platform = platform_of(request)
    body = await json_object(request)
    unknown = set(body) - {"app", "vehicle"}
    if unknown:
        raise validation(f"Unknown field {sorted(unknown)[0]}: give app and vehicle.", sorted(unknown)[0])
    platform.rate_limits.configure(_limit(body, "app"), _limit(body, "vehicle"))
    return json_response(platform.rate_limits.to_dict())


# Faults -----------------------------------------------------------------------------------------------
@router.get("/faults", summary="Fault rules (filter: ?vehicle_id=)")
async def list_faults(request: Request) -> Response:
    faults = platform_of(request).faults.list(request.query_params.get("vehicle_id") or None)
    return json_response({"faults": [f.to_dict() for f in faults], "kinds": list(KINDS)})


@router.post("/faults", status_code=201,
             summary="Add a rule: {kind, vehicle_id?, type?, code?, retry_after?, rate?, latency_ms?, count?, duration_s?}")
async def add_fault(request: Request) -> Response:
    platform_of(request).check_per_process_change("A fault rule")
    platform = platform_of(request)
    body = await json_object(request)
    if body.get("vehicle_id"):
        platform.simulator.vehicle(str(body["vehicle_id"]))
    return json_response(platform.faults.add(body).to_dict(), status=201)


@router.delete("/faults", summary="Remove every rule (or a vehicle's: ?vehicle_id=)")
async def clear_faults(request: Request) -> Response:
    platform_of(request).check_per_process_change("A fault rule")
    removed = platform_of(request).faults.clear(request.query_params.get("vehicle_id") or None)
    return json_response({"removed": removed})


@router.delete("/faults/{fault_id}", summary="Remove one rule")
async def delete_fault(request: Request, fault_id: str) -> Response:
    platform_of(request).check_per_process_change("A fault rule")
    if not platform_of(request).faults.remove(fault_id):
        raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "faultId", "message": "No such fault."}])
    return json_response({"removed": 1})


# Users, tokens, connections ---------------------------------------------------------------------------
@router.get("/users", summary="Live accounts, vehicle owners per mode, and Smartcar users per application")
async def list_users(request: Request) -> Response:
    return json_response(platform_of(request).simulator.users())


@router.post("/users", status_code=201,
             summary="Create a live-mode account: {email, password, make=TESLA, vehicles=1}")
async def create_user(request: Request) -> Response:
    platform = platform_of(request)
    body = await json_object(request)
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or "@" not in email:
        raise validation("email is required.", "email")
    if not isinstance(password, str) or not password:
        raise validation("password is required.", "password")
    count = body.get("vehicles", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
        raise validation("vehicles must be an integer between 1 and 50.", "vehicles")
    try:
        vehicles = await run_in_threadpool(platform.accounts.add, email, password, str(body.get("make") or "TESLA"),
                                           count)  # hashes the password: off the event loop
    except ValueError as error:
        raise validation(str(error), "make") from None
    return json_response({"email": email.strip().lower(),
                          "vehicles": [vehicle_json(platform, v) for v in vehicles]}, status=201)


@router.get("/tokens", summary="Issued tokens: kind, client, user, expiry, fingerprint - never the token")
async def list_tokens(request: Request) -> Response:
    return json_response({"tokens": platform_of(request).tokens.issued(request.query_params.get("client_id"))})


@router.get("/connections", summary="Every user-vehicle connection of every application")
async def list_connections(request: Request) -> Response:
    return json_response({"connections": platform_of(request).simulator.connections()})


# Latency ----------------------------------------------------------------------------------------------
_VEHICLE_PATH = re.compile(r"^/v(?:1\.0|2\.0|3)/vehicles/(?P<id>[^/]+)")
LATENCY_HEADER = b"x-emulator-injected-latency-ms"


class FaultLatencyMiddleware:
    """Awaits the latency fault rules ask for (never blocking the event loop) on vehicle API paths,
    and marks the response with ``X-Emulator-Injected-Latency-Ms``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _VEHICLE_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        platform: Platform | None = getattr(getattr(scope.get("app"), "state", None), "platform", None)
        delay = platform.faults.latency(match["id"]) if match and platform is not None else 0.0
        if delay <= 0:
            await self.app(scope, receive, send)
            return
        await asyncio.sleep(delay)

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (LATENCY_HEADER, str(round(delay * 1000)).encode())]}
            await send(message)

        await self.app(scope, receive, marked)
