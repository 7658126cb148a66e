"""Management API v2 (``/v2.0/management/connections``) and the compatibility API (Basic auth)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..clock import from_timestamp, iso_ms
from ..platform.catalog import MODELS
from ..platform.compatible_vehicles import check_country, check_region, regions_of
from ..platform.errors import ApiError
from ..platform.permissions import KNOWN, LEVELS, capable, parse_scope
from .auth import basic_credentials
from .common import int_param, parse_int, platform_of
from .errors import api_version_of, json_response
from .views import READS

router = APIRouter(tags=["management and compatibility"])

_MODE_FILTER = {"live": ("live",), "simulated": ("simulated",), "test": ("test",)}


def _cursor_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = parse_int(value)
        if kind == "offset" and offset is not None and offset >= 0:
            return offset
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "cursor", "message": "Invalid cursor."}])


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _mode_filter(request: Request) -> tuple[str, ...] | None:
    mode = request.query_params.get("mode")
    if not mode:
        return None
    if mode not in _MODE_FILTER:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "mode",
                                                           "message": "Must be one of: live, simulated, test."}])
    return _MODE_FILTER[mode]


@router.get("/v2.0/management/connections", summary="List the application's connections (Basic default:<AMT>)")
async def list_connections(request: Request) -> Response:
    platform = platform_of(request)
    app = platform.management_app(*basic_credentials(request))
    limit = int_param(request, "limit", 10, 1, 100)
    offset = _cursor_offset(request.query_params.get("cursor"))
    found = platform.connections.search(app.client_id, request.query_params.get("user_id"),
                                        request.query_params.get("vehicle_id"), _mode_filter(request))
    page = found[offset:offset + limit]
    vehicles = {c.vehicle_id: platform.vehicles.get(c.vehicle_id) for c in page}
    modes = {vehicle_id: vehicle.mode if vehicle else "live" for vehicle_id, vehicle in vehicles.items()}
    items = [{"vehicleId": c.vehicle_id, "userId": c.user_id,
              "connectedAt": iso_ms(from_timestamp(c.created_at)),
              "mode": modes[c.vehicle_id]} for c in page]
    more = offset + limit < len(found)
    return json_response({"connections": items, "paging": {"cursor": _cursor(offset + limit) if more else None}})


@router.delete("/v2.0/management/connections", summary="Delete connections by user_id and/or vehicle_id")
async def delete_connections(request: Request) -> Response:
    platform = platform_of(request)
    app = platform.management_app(*basic_credentials(request))
    user_id = request.query_params.get("user_id")
    vehicle_id = request.query_params.get("vehicle_id")
    if not user_id and not vehicle_id:
        raise ApiError("VALIDATION", detail=[{"field": "user_id",
                                              "message": "Either user_id or vehicle_id is required."}])
    found = platform.connections.search(app.client_id, user_id, vehicle_id)
    platform.connections.delete([c.id for c in found])
    return json_response({"connections": [{"vehicleId": c.vehicle_id, "userId": c.user_id} for c in found]})


def _compat_client(request: Request) -> None:
    username, password = basic_credentials(request)
    if platform_of(request).apps.authenticate(username, password) is None:
        raise ApiError("AUTHENTICATION")


def _country(raw: str | None) -> str:
    """v2.0's ``country`` (default US, as the SDKs send it): an ISO 3166-1 alpha-2 code, any case. The reference
    gives its one effect, ``MAKE_NOT_COMPATIBLE`` "with this vehicle's make in the country you specified", and no
    format: a code that is not assigned (or not two letters) is ``400 VALIDATION`` naming the field. v1.0 does not
    document it and ignores it."""
    if raw is None:
        return "US"
    try:
        return check_country(raw)
    except ValueError as error:
        raise ApiError("VALIDATION", detail=[{"field": "country", "message": f"\"country\" {error}."}]) from None


@router.get("/v2.0/compatibility", summary="Compatibility of a VIN with permissions (Basic client auth)")
@router.get("/v1.0/compatibility", summary="Compatibility of a VIN (v1.0 answers only `compatible`)")
async def compatibility(request: Request) -> Response:
    _compat_client(request)
    query = request.query_params
    vin = (query.get("vin") or "").strip().upper()
    if len(vin) != 17:
        raise ApiError("VALIDATION", detail=[{"field": "vin", "message": "\"vin\" must be a 17-character VIN."}])
    scopes, _ = parse_scope(query.get("scope") or "")
    unknown = [s for s in scopes if s not in KNOWN]
    if not scopes or unknown:
        raise ApiError("VALIDATION", detail=[{"field": "scope",
                                              "message": f"Unknown permission(s): {', '.join(unknown)}" if unknown
                                              else "\"scope\" is required"}])
    v1 = api_version_of(request.url.path) == "1.0"
    country = "US" if v1 else _country(query.get("country"))
    level = query.get("test_mode_compatibility_level")
    mode = query.get("mode") or ("test" if level else "live")
    platform = platform_of(request)
    if mode == "test":
        if level not in LEVELS:
            raise ApiError("VALIDATION", detail=[{"field": "test_mode_compatibility_level",
                                                  "message": f"Field must be one of: [{','.join(LEVELS)}]"}])
        compatible = level not in ("incompatible", "dinosaur")
        reason = None if compatible else "VEHICLE_NOT_COMPATIBLE"
        capabilities = [(s, compatible and capable(s, "PHEV", level)) for s in scopes]
    else:
        compatible, reason, capabilities = platform.compatibility(vin, scopes, country)
    if v1:
        return json_response({"compatible": compatible})
    endpoints = {read.permission: f"/{path}" for path, read in reversed(list(READS.items())) if not read.make}
    return json_response({
        "compatible": compatible,
        "reason": reason,
        "capabilities": [{"permission": s, "endpoint": endpoints.get(s, "/"), "capable": ok,
                          "reason": None if ok else "VEHICLE_NOT_CAPABLE"} for s, ok in capabilities]
        if compatible else [],
    })


_ENDPOINT_NAMES = {"read_battery": "EV battery", "read_charge": "EV charging status", "read_location": "Location",
                   "control_security": "Lock & unlock", "read_odometer": "Odometer", "read_fuel": "Fuel tank",
                   "read_tires": "Tire pressure", "read_engine_oil": "Engine oil life", "read_vin": "VIN",
                   "read_vehicle_info": "Vehicle info", "control_charge": "EV start & stop charge",
                   "read_security": "Lock status"}


@router.get("/v2.0/compatibility/matrix", summary="Supported models by region and make (Basic client auth)")
async def compatibility_matrix(request: Request) -> Response:
    _compat_client(request)
    query = request.query_params
    try:
        region = check_region(query.get("region") or "")
    except ValueError as error:
        raise ApiError("VALIDATION", detail=[{"field": "region", "message": f"\"region\" is required: {error}."}]) \
            from None
    makes = {m.upper() for m in (query.get("make") or "").split()}
    powertrain = (query.get("type") or "").upper() or None
    scopes, _ = parse_scope(query.get("scope") or "")
    result: dict[str, list[dict[str, Any]]] = {}
    for model in MODELS:
        if (makes and model.make not in makes) or (powertrain and model.powertrain != powertrain) \
                or region not in regions_of(model):
            continue
        permissions = [p for p in _ENDPOINT_NAMES if capable(p, model.powertrain)]
        if scopes and not set(scopes) <= set(permissions):
            continue
        result.setdefault(model.make, []).append({
            "model": model.name, "startYear": model.first_year, "endYear": model.last_year,
            "type": model.powertrain, "endpoints": [_ENDPOINT_NAMES[p] for p in permissions],
            "permissions": permissions})
    return json_response(result)
