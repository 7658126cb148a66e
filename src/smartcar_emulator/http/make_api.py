"""Make-specific v2 writes and the charge-record reads (``/v2.0/vehicles/{id}/{make}/...``).

Each route checks the token, the permission and the make (another make: ``COMPATIBILITY:VEHICLE_NOT_CAPABLE``),
then makes one platform change (:mod:`..platform.make_specific`); reads of the changed state are in
:mod:`.make_views`. Registered before the generic vehicle routes so the record paths are not taken for reads.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..platform import make_specific as rules
from ..platform.core import VehicleAccess
from ..platform.errors import ApiError
from .auth import bearer_token
from .common import int_param, json_object, number, platform_of
from .errors import json_response
from .make_views import on_off, tesla_schedule
from .readspec import parse_units

router = APIRouter(tags=["vehicle API v2.0: make-specific"])

ACTION_OK = {"message": "Successfully sent request to vehicle", "status": "success"}
RECORDS_PAGE_SIZE = 10


def _grant(request: Request, vehicle_id: str, permission: str, *makes: str) -> VehicleAccess:
    grant = platform_of(request).access(bearer_token(request), vehicle_id, permission, data=True)
    if grant.vehicle.make not in makes:
        raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    return grant


# Tesla charging ---------------------------------------------------------------------------------------
@router.post("/vehicles/{vehicle_id}/tesla/charge/ammeter", summary="Set the charging current (control_charge)")
async def post_ammeter(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_charge", "TESLA")
    amps = rules.set_amperage(platform_of(request), grant.vehicle, (await json_object(request)).get("amperage"))
    shown = int(amps) if amps == int(amps) else amps
    return json_response({"message": f"Successfully sent the following amperage: {shown}", "status": "success"})


@router.post("/vehicles/{vehicle_id}/tesla/charge/charge_port_door", summary="Open or close the charge port door")
async def post_charge_port(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_charge", "TESLA")
    action = rules.action(await json_object(request), ("OPEN", "CLOSE"))
    rules.charge_port_door(platform_of(request), grant.vehicle, action == "OPEN")
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/tesla/charge/schedule", summary="Set the start or departure time")
async def post_tesla_schedule(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_charge", "TESLA")
    state = rules.tesla_charge_schedule(platform_of(request), grant.vehicle, await json_object(request))
    return json_response(tesla_schedule(grant.vehicle, state, parse_units(None)))


# Tesla climate ----------------------------------------------------------------------------------------
@router.post("/vehicles/{vehicle_id}/tesla/climate/cabin", summary="Start, stop or set the cabin climate")
async def post_cabin(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_climate", "TESLA")
    units = parse_units(request.headers.get("sc-unit-system"))
    body = await json_object(request)
    action = rules.action(body, ("START", "STOP", "SET"))
    raw = body.get("temperature")
    celsius = None if raw is None else units.celsius(number(raw, "temperature", -100, 200))
    state = rules.cabin_climate(platform_of(request), grant.vehicle, action, celsius)
    return json_response({"status": on_off(state.hvac_on), "temperature": units.temperature(state.cabin_target_c)},
                         headers={"sc-unit-system": units.name})


@router.post("/vehicles/{vehicle_id}/tesla/climate/defroster", summary="Start or stop the defroster")
async def post_defroster(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_climate", "TESLA")
    action = rules.action(await json_object(request), ("START", "STOP"))
    rules.defroster(platform_of(request), grant.vehicle, action == "START")
    return json_response({"status": action})


@router.post("/vehicles/{vehicle_id}/tesla/climate/steering_wheel", summary="Start or stop the steering heater")
async def post_steering_wheel(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_climate", "TESLA")
    action = rules.action(await json_object(request), ("START", "STOP"))
    rules.steering_heater(platform_of(request), grant.vehicle, action == "START")
    return json_response({"status": action})


# Tesla PIN to Drive and trunks ------------------------------------------------------------------------
@router.post("/vehicles/{vehicle_id}/tesla/pin", summary="Set the PIN to Drive (control_pin)")
async def post_pin(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_pin", "TESLA")
    rules.set_pin(platform_of(request), grant.vehicle, (await json_object(request)).get("pin"))
    return json_response(ACTION_OK)


@router.delete("/vehicles/{vehicle_id}/tesla/pin", summary="Disable the PIN to Drive (control_pin)")
async def delete_pin(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_pin", "TESLA")
    rules.set_pin(platform_of(request), grant.vehicle, None)
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/tesla/security/frunk", summary="Open or close the front trunk (control_trunk)")
async def post_frunk(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_trunk", "TESLA")
    action = rules.action(await json_object(request), ("OPEN", "CLOSE"))
    rules.trunk(platform_of(request), grant.vehicle, "front", action == "OPEN")
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/tesla/security/trunk", summary="Open or close the trunk (control_trunk)")
async def post_trunk(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_trunk", "TESLA")
    action = rules.action(await json_object(request), ("OPEN", "CLOSE"))
    rules.trunk(platform_of(request), grant.vehicle, "rear", action == "OPEN")
    return json_response(ACTION_OK)


# Ford / Lincoln and Nissan charge schedules -----------------------------------------------------------
def _register_location_schedule(make: str) -> None:
    async def put_schedule_by_location(request: Request, vehicle_id: str) -> Response:
        grant = _grant(request, vehicle_id, "control_charge", make.upper())
        query = request.query_params
        latitude = number(query.get("latitude"), "latitude", -90, 90)
        longitude = number(query.get("longitude"), "longitude", -180, 180)
        rules.charge_location(platform_of(request), grant.vehicle, latitude, longitude, await json_object(request))
        return json_response(ACTION_OK)

    put_schedule_by_location.__name__ = f"put_{make}_schedule_by_location"
    router.add_api_route(f"/vehicles/{{vehicle_id}}/{make}/charge/schedule_by_location", put_schedule_by_location,
                         methods=["PUT"], summary=f"Set a charging location's limit and windows ({make})")


for _make in ("ford", "lincoln"):
    _register_location_schedule(_make)


@router.put("/vehicles/{vehicle_id}/nissan/charge/schedule", summary="Set up to three charge schedules (Nissan)")
async def put_nissan_schedule(request: Request, vehicle_id: str) -> Response:
    grant = _grant(request, vehicle_id, "control_charge", "NISSAN")
    rules.nissan_schedule(platform_of(request), grant.vehicle, await json_object(request))
    return json_response(ACTION_OK)


# Charge records (date range) --------------------------------------------------------------------------
def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError("VALIDATION", "PARAMETER",
                       detail=[{"field": name, "message": "Must be a date such as 2024-01-31."}]) from None


def _records(request: Request, vehicle_id: str, *makes: str) -> tuple[list[dict[str, Any]], VehicleAccess]:
    """The vehicle's finished charging sessions between ``startDate`` and ``endDate`` (default: the last 30 days),
    newest first."""
    grant = _grant(request, vehicle_id, "read_charge_records", *makes)
    platform = platform_of(request)
    today = platform.clock.now().date()
    start = _day(request.query_params.get("startDate"), "startDate") or today - timedelta(days=30)
    end = _day(request.query_params.get("endDate"), "endDate") or today
    if start > end:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "startDate",
                                                            "message": "startDate must be before endDate."}])
    found = []
    for record in reversed(platform.state(vehicle_id).charge_records):
        ended = datetime.fromisoformat(record["endTime"].replace("Z", "+00:00")).astimezone(timezone.utc).date()
        if start <= ended <= end:
            found.append(record)
    return found, grant


@router.get("/vehicles/{vehicle_id}/tesla/charge/records/billing",
            summary="Supercharger billing records (read_charge_records; startDate, endDate, page)")
async def get_billing_records(request: Request, vehicle_id: str) -> Response:
    found, _ = _records(request, vehicle_id, "TESLA")
    page = int_param(request, "page", 1, 1, 10_000)
    chunk = found[(page - 1) * RECORDS_PAGE_SIZE:page * RECORDS_PAGE_SIZE]
    records = [{"chargeStart": r["startTime"], "chargeEnd": r["endTime"], "energyConsumed": r["energyAdded"],
                "cost": {"currency": r["cost"]["currency"], "energy": r["cost"]["energyAmount"],
                         "other": r["cost"]["otherAmount"]},
                "location": r["location"].get("name"), "recordId": r["id"]} for r in chunk]
    return json_response({"records": records, "hasMoreData": page * RECORDS_PAGE_SIZE < len(found)})


def _register_records(make: str) -> None:
    async def get_charge_records(request: Request, vehicle_id: str) -> Response:
        found, _ = _records(request, vehicle_id, make.upper())
        return json_response({"records": [{
            "chargeStart": r["startTime"], "chargeEnd": r["endTime"], "location": r["location"].get("name"),
            "energy": r["energyAdded"], "isPublic": r["isPublicCharger"],
            "startPercentRemaining": round(r["startStateOfCharge"] / 100, 2),
            "endPercentRemaining": round(r["endStateOfCharge"] / 100, 2),
            "chargingType": "DC" if r.get("connectorType") in ("CCS", "CHADEMO", "NACS_DC") else "AC"}
            for r in found]})

    get_charge_records.__name__ = f"get_{make}_charge_records"
    router.add_api_route(f"/vehicles/{{vehicle_id}}/{make}/charge/records", get_charge_records, methods=["GET"],
                         summary=f"Charging records ({make}; read_charge_records; startDate, endDate)")


for _make in ("bmw", "mini"):
    _register_records(_make)
