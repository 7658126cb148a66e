"""The control panel (``/_emulator/panel``): server-rendered pages over the simulator and fault rules.

Plain HTML forms post to the panel's routes, which make one simulator or platform call and redirect back
(303) with a message; the vehicle page refreshes itself (``<meta http-equiv=refresh>``) and draws the
vehicle's track as inline SVG (no map tiles).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..clock import iso_ms
from ..platform.catalog import MAKES, MODELS
from ..platform.errors import ApiError
from ..platform.faults import KINDS
from ..platform.state import VehicleState
from .common import parse_int, platform_of
from .control import loopback_only
from .guard import CSRF_COOKIE, CSRF_FIELD, csrf_matches, new_csrf_token

VEHICLE_KINDS = [kind for kind in KINDS if kind != "token"]  # token rules are not per vehicle

router = APIRouter(prefix="/_emulator/panel", tags=["emulator control"], include_in_schema=False,
                   dependencies=[Depends(loopback_only)])

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
                         autoescape=select_autoescape(["html"]))
MAP_SIZE = 360


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    """A panel page; its forms carry the CSRF token of the ``smartcar_emulator_csrf`` cookie (set if absent)."""
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = HTMLResponse(_templates.get_template(name).render(csrf=token, **context),
                            headers={"Cache-Control": "no-store"})
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/_emulator/panel")
    return response


async def _form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the cookie (403 PERMISSION otherwise)."""
    form = await request.form()
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)):
        raise ApiError("PERMISSION", description="The panel form's CSRF token is missing or wrong: reload the "
                                                 "panel page and try again.")
    return form


def _back(path: str, message: str, refresh: str | None = None) -> Response:
    query = {"msg": message, **({"refresh": refresh} if refresh is not None else {})}
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


def _float(form: FormData, name: str, default: float) -> float:
    raw = str(form.get(name) or "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ApiError("VALIDATION", detail=[{"field": name, "message": f"{name} must be a number."}]) from None


def track_svg(state: VehicleState) -> dict[str, Any]:
    """SVG coordinates for the track, the remaining route and the current position (equirectangular)."""
    track = [tuple(p) for p in state.track] or [(state.latitude, state.longitude)]
    route = [tuple(p) for p in (state.trip or {}).get("waypoints", [])]
    here = (state.latitude, state.longitude)
    points = [*track, *route, here]
    scale_x = math.cos(math.radians(here[0]))
    lats = [p[0] for p in points]
    lons = [p[1] * scale_x for p in points]
    span = max(max(lats) - min(lats), max(lons) - min(lons), 0.005)
    pad = MAP_SIZE * 0.08
    center_lat, center_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2

    def xy(p: tuple[float, ...]) -> tuple[float, float]:
        x = MAP_SIZE / 2 + (p[1] * scale_x - center_lon) / span * (MAP_SIZE - 2 * pad)
        y = MAP_SIZE / 2 - (p[0] - center_lat) / span * (MAP_SIZE - 2 * pad)
        return round(x, 1), round(y, 1)

    def line(ps: list[tuple[float, ...]]) -> str:
        return " ".join(f"{x},{y}" for x, y in map(xy, ps))

    x, y = xy(here)
    return {"size": MAP_SIZE, "track": line(track + [here]), "route": line([here, *route]) if route else "",
            "x": x, "y": y, "heading": state.heading, "span_km": round(span * 111.32, 2)}


@router.get("", response_class=HTMLResponse)
async def panel_index(request: Request) -> Response:
    platform = platform_of(request)
    rows = []
    for vehicle in platform.vehicles.list():
        rows.append({"vehicle": vehicle, "state": platform.simulator.sync(vehicle.id)})
    return _page(request, "panel.html", rows=rows, makes=MAKES, models=MODELS, clock=iso_ms(platform.clock.now()),
                 faults=platform.faults.list(), kinds=list(KINDS), message=request.query_params.get("msg"),
                 time_scale=platform.clock.time_scale)


@router.get("/vehicles/{vehicle_id}", response_class=HTMLResponse)
async def panel_vehicle(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    vehicle = platform.simulator.vehicle(vehicle_id)
    state = platform.simulator.sync(vehicle_id)
    refresh = request.query_params.get("refresh", "2")
    return _page(request, "panel_vehicle.html", vehicle=vehicle, state=state, map=track_svg(state),
                 faults=platform.faults.list(vehicle_id), kinds=VEHICLE_KINDS, clock=iso_ms(platform.clock.now()),
                 message=request.query_params.get("msg"), refresh=refresh if parse_int(refresh) is not None and int(refresh) >= 0 else "2",
                 self_url=f"/_emulator/panel/vehicles/{quote(vehicle_id)}")


@router.post("/vehicles")
async def panel_create(request: Request) -> Response:
    form = await _form(request)
    platform = platform_of(request)
    try:
        vehicle = platform.simulator.create_vehicle(str(form.get("make") or ""), str(form.get("model") or "") or None,
                                                    None, str(form.get("mode") or "simulated"),
                                                    str(form.get("email") or "") or None)
    except ApiError as error:
        return _back("/_emulator/panel", _describe(error))
    return _back(f"/_emulator/panel/vehicles/{vehicle.id}", f"Created {vehicle.year} {vehicle.make} {vehicle.model}.")


@router.post("/vehicles/{vehicle_id}/action")
async def panel_action(request: Request, vehicle_id: str) -> Response:
    """One button: ``do`` names the action; the result or the platform's error comes back as a message."""
    platform = platform_of(request)
    simulator = platform.simulator
    simulator.vehicle(vehicle_id)
    form = await _form(request)
    action = str(form.get("do") or "")
    refresh = str(form.get("refresh") or "") or None
    actions = {
        "trip_start": lambda: simulator.start_trip(vehicle_id, distance_km=_float(form, "distance_km", 20),
                                                   speed_kph=_float(form, "speed_kph", 60)),
        "trip_stop": lambda: simulator.stop_trip(vehicle_id),
        "plug": lambda: simulator.plug(vehicle_id, True),
        "unplug": lambda: simulator.plug(vehicle_id, False),
        "charge_start": lambda: platform.set_charging(vehicle_id, True),
        "charge_stop": lambda: platform.set_charging(vehicle_id, False),
        "lock": lambda: platform.set_lock(vehicle_id, True),
        "unlock": lambda: platform.set_lock(vehicle_id, False),
        "fault_add": lambda: platform.faults.add({"kind": str(form.get("kind") or ""), "vehicle_id": vehicle_id,
                                                  **_fault_numbers(form)}),
        "faults_clear": lambda: platform.faults.clear(vehicle_id),
        "advance": lambda: simulator.advance_clock(_float(form, "seconds", 60)),
    }
    if action not in actions:
        return _back(f"/_emulator/panel/vehicles/{vehicle_id}", f"Unknown action {action!r}.", refresh)
    try:
        if action in _PER_PROCESS:
            platform.check_per_process_change(_PER_PROCESS[action])
        actions[action]()
    except ApiError as error:
        return _back(f"/_emulator/panel/vehicles/{vehicle_id}", _describe(error), refresh)
    return _back(f"/_emulator/panel/vehicles/{vehicle_id}", f"Done: {action.replace('_', ' ')}.", refresh)


@router.post("/global")
async def panel_global(request: Request) -> Response:
    """Global actions: advance the clock, add or clear global fault rules."""
    platform = platform_of(request)
    form = await _form(request)
    action = str(form.get("do") or "")
    try:
        if action in _PER_PROCESS:
            platform.check_per_process_change(_PER_PROCESS[action])
        if action == "advance":
            platform.simulator.advance_clock(_float(form, "seconds", 60))
        elif action == "fault_add":
            platform.faults.add({"kind": str(form.get("kind") or ""), **_fault_numbers(form)})
        elif action == "faults_clear":
            platform.faults.clear()
        else:
            return _back("/_emulator/panel", f"Unknown action {action!r}.")
    except ApiError as error:
        return _back("/_emulator/panel", _describe(error))
    return _back("/_emulator/panel", f"Done: {action.replace('_', ' ')}.")


# Panel actions on state each worker process keeps for itself (refused under serve --workers N).
_PER_PROCESS = {"advance": "The clock", "fault_add": "A fault rule", "faults_clear": "A fault rule"}


def _fault_numbers(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("retry_after", "latency_ms", "count"):
        raw = str(form.get(name) or "").strip()
        if raw:
            parsed = parse_int(raw)
            values[name] = raw if parsed is None else parsed
    raw_rate = str(form.get("rate") or "").strip()
    if raw_rate:
        values["rate"] = _float(form, "rate", 1.0)
    return values


def _describe(error: ApiError) -> str:
    detail = "; ".join(str(d.get("message")) for d in error.detail or [])
    return f"{error.type}:{error.code} - {detail or error.description}"
