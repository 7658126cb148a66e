"""Vehicle API v1.0 and v2.0: ``/v{1.0,2.0}/user``, ``/vehicles`` and everything under a vehicle."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from ..clock import from_timestamp, iso_ms
from ..platform.core import VehicleAccess
from ..platform.errors import ApiError
from . import make_api
from .auth import bearer_token
from .common import int_param, json_object, number, platform_of
from .errors import api_version_of, app_name_of, error_body, json_response, request_id
from .views import READS, Read, Units, parse_units, service_history

router = APIRouter(tags=["vehicle API v1.0 / v2.0"])

ACTION_OK = {"status": "success", "message": "Successfully sent request to vehicle"}


def _data_headers(request: Request, read: Read, units: Units, data_age: float) -> dict[str, str]:
    headers: dict[str, str] = {}
    if read.dynamic:
        now = platform_of(request).clock.timestamp()
        headers["sc-data-age"] = iso_ms(from_timestamp(min(data_age, now)))
        headers["sc-fetched-at"] = iso_ms(from_timestamp(now))
    if read.unit_bearing:
        headers["sc-unit-system"] = units.name
    return headers


def _check_make(read: Read, grant: VehicleAccess) -> None:
    if read.make and grant.vehicle.make != read.make:
        raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


def _make_case_only(path: str) -> bool:
    """Whether ``path`` (``TESLA/compass``) differs from its lower-case spelling in the make segment alone: the
    platform answers an upper-case make with PERMISSION; another segment out of case is an unknown path."""
    _, _, rest = path.partition("/")
    return rest == rest.lower()


def perform_read(request: Request, vehicle_id: str, path: str, units: Units | None) -> tuple[Any, dict[str, str]]:
    """Run one GET data path (shared by the single endpoints and batch).

    ``units=None`` reads the ``sc-unit-system`` header once access is checked (authentication errors first).
    """
    read = READS.get(path.lower())
    if read is None or (read.make and not _make_case_only(path)):
        raise ApiError("RESOURCE_NOT_FOUND", "PATH")
    if read.make and api_version_of(request.url.path) != "2.0":
        raise ApiError("RESOURCE_NOT_FOUND", "PATH")  # make-specific endpoints are v2 only (reference §5.9)
    platform = platform_of(request)
    grant = platform.access(bearer_token(request), vehicle_id, read.permission, data=read.dynamic)
    if read.make and path != path.lower():
        raise ApiError("PERMISSION")  # an upper-case make (reference §5.9)
    _check_make(read, grant)
    units = units or parse_units(request.headers.get("sc-unit-system"))
    state = platform.state(vehicle_id)
    return read.body(grant.vehicle, state, units), _data_headers(request, read, units, state.data_age)


def _register_read(path: str, read: Read) -> None:
    async def endpoint(request: Request, vehicle_id: str) -> Response:
        body, headers = perform_read(request, vehicle_id, path, None)
        return json_response(body, headers=headers)

    endpoint.__name__ = f"get_{path.replace('/', '_') or 'attributes'}"
    route = "/vehicles/{vehicle_id}" + (f"/{path}" if path else "")
    # make-specific reads on make_api's router, which only /v2.0 includes: they are v2 only (reference §5.9)
    (make_api.router if read.make else router).add_api_route(
        route, endpoint, methods=["GET"], summary=f"GET {path or 'attributes'} ({read.permission})")


for _path, _read in READS.items():
    _register_read(_path, _read)


@router.get("/user", summary="The user behind the access token")
async def get_user(request: Request) -> Response:
    info = platform_of(request).user_token(bearer_token(request))
    return json_response({"id": info.user_id})


@router.get("/vehicles", summary="The vehicles the access token may use (paged)")
async def get_vehicles(request: Request) -> Response:
    platform = platform_of(request)
    info = platform.user_token(bearer_token(request))
    limit = int_param(request, "limit", 10, 1, 50)
    offset = int_param(request, "offset", 0, 0)
    ids = platform.vehicle_ids(info)
    return json_response({"vehicles": ids[offset:offset + limit], "paging": {"count": len(ids), "offset": offset}})


@router.get("/vehicles/{vehicle_id}/service/history", summary="Dealer service records (read_service_history)")
async def get_service_history(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.access(bearer_token(request), vehicle_id, "read_service_history", data=True)
    query = request.query_params
    items = service_history(platform.state(vehicle_id), query.get("startDate") or query.get("start_date"),
                            query.get("endDate") or query.get("end_date"), platform.clock.now())
    now = iso_ms(platform.clock.now())
    return json_response(items, headers={"sc-data-age": now, "sc-fetched-at": now})


@router.get("/vehicles/{vehicle_id}/permissions", summary="Permissions granted for the vehicle (paged)")
async def get_permissions(request: Request, vehicle_id: str) -> Response:
    grant = platform_of(request).access(bearer_token(request), vehicle_id)
    limit = int_param(request, "limit", 25, 1, 100)
    offset = int_param(request, "offset", 0, 0)
    scopes = list(grant.connection.scopes)
    return json_response({"permissions": scopes[offset:offset + limit],
                          "paging": {"count": len(scopes), "offset": offset}})


def _action(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    action = body.get("action")
    if action not in allowed:
        raise ApiError("VALIDATION", detail=[{"field": ["action"],
                                              "message": f"\"action\" must be one of [{', '.join(allowed)}]"}])
    return str(action)


@router.post("/vehicles/{vehicle_id}/security", summary="Lock or unlock (control_security)")
async def post_security(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.access(bearer_token(request), vehicle_id, "control_security", data=True)
    action = _action(await json_object(request), ("LOCK", "UNLOCK"))
    platform.set_lock(vehicle_id, action == "LOCK")
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/charge", summary="Start or stop charging (control_charge)")
async def post_charge(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    grant = platform.access(bearer_token(request), vehicle_id, "control_charge", data=True)
    action = _action(await json_object(request), ("START", "STOP"))
    platform.commands.check_make_rules(grant.vehicle, f"charge-{action.lower()}")  # Nissan, GM limits
    platform.set_charging(vehicle_id, action == "START")
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/charge/limit", summary="Set the charge limit, 0.5 to 1 (control_charge)")
async def post_charge_limit(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.access(bearer_token(request), vehicle_id, "control_charge", data=True)
    limit = number((await json_object(request)).get("limit"), "limit", 0.5, 1.0)
    platform.set_charge_limit(vehicle_id, limit)
    return json_response(ACTION_OK)


@router.post("/vehicles/{vehicle_id}/navigation/destination", summary="Send a destination (control_navigation)")
async def post_destination(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.access(bearer_token(request), vehicle_id, "control_navigation", data=True)
    body = await json_object(request)
    latitude = number(body.get("latitude"), "latitude", -90, 90)
    longitude = number(body.get("longitude"), "longitude", -180, 180)
    platform.send_destination(vehicle_id, latitude, longitude)
    return json_response(ACTION_OK)


@router.delete("/vehicles/{vehicle_id}/application", summary="Disconnect the vehicle from the application")
async def delete_application(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.disconnect(platform.access(bearer_token(request), vehicle_id))
    return json_response({"status": "success"})


@router.post("/vehicles/{vehicle_id}/webhooks/{webhook_id}", summary="Subscribe the vehicle to a webhook")
async def subscribe(request: Request, vehicle_id: str, webhook_id: str) -> Response:
    platform = platform_of(request)
    platform.subscribe(platform.access(bearer_token(request), vehicle_id), webhook_id)
    return json_response({"webhookId": webhook_id, "vehicleId": vehicle_id})


@router.delete("/vehicles/{vehicle_id}/webhooks/{webhook_id}",
               summary="Unsubscribe (Authorization: Bearer <application management token>)")
async def unsubscribe(request: Request, vehicle_id: str, webhook_id: str) -> Response:
    platform_of(request).unsubscribe(bearer_token(request), vehicle_id, webhook_id)
    return json_response({"status": "success"})


@router.post("/vehicles/{vehicle_id}/batch", summary="Several GET data paths in one request")
async def batch(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    platform.access(bearer_token(request), vehicle_id, count=False)  # the items count, each
    units = parse_units(request.headers.get("sc-unit-system"))
    body = await json_object(request)
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise ApiError("VALIDATION", detail=[{"field": ["requests"], "message": "\"requests\" is required"}])
    paths: list[str] = []
    for index, entry in enumerate(requests):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or path.strip("/").lower() not in READS:
            raise ApiError("VALIDATION", detail=[{"field": ["requests", index, "path"],
                                                  "message": f"Unknown or unbatchable path: {path!r}."}])
        paths.append(path.strip("/"))
    version = api_version_of(request.url.path)
    app_name = app_name_of(request)
    responses = []
    for path in paths:
        # Each item as the single endpoint answers it, under the path as the API spells it ("/tires/pressure",
        # "/" for the attributes) whatever spelling was sent.
        item: dict[str, Any] = {"path": "/" + path.lower()}
        try:
            item_body, headers = perform_read(request, vehicle_id, path, units)
            item.update(code=200, headers=headers, body=item_body)
        except ApiError as error:
            # Retry-After as the reference types it: an integer number of seconds.
            item_headers: dict[str, Any] = {"Retry-After": error.retry_after} if error.retry_after is not None else {}
            item.update(code=error.http_status, headers=item_headers,
                        body=error_body(error, version, request_id(request), app_name))
        responses.append(item)
    return json_response({"responses": responses})


# Make-specific paths served by make_api (v2.0 only): writes and the charge records, as (METHOD, path).
_MAKE_ROUTES: frozenset[tuple[str, str]] = frozenset(
    (method, route.path.removeprefix("/vehicles/{vehicle_id}/"))
    for route in make_api.router.routes if isinstance(route, APIRoute) for method in route.methods or ())


# The platform answers a make-specific path whose make segment is not lower-case with PERMISSION (reference §5.9:
# "{make} must be lower-case; upper-case gives a PERMISSION error"), after authenticating the token and the
# vehicle. The reference states it once for the whole family, so it holds for every make-specific path and method
# (reads, charge records, writes), not only the reads; any other segment out of case is an unknown path.
@router.get("/vehicles/{vehicle_id}/{path:path}", include_in_schema=False)
async def get_make_specific_other_case(request: Request, vehicle_id: str, path: str) -> Response:
    """A make-specific read with a non-lower-case make (``/TESLA/compass``): PERMISSION, as on the platform.

    Registered last, so it only sees GET paths no other route matched; anything else stays a 404.
    """
    read = READS.get(path.lower())
    if read is None or read.make is None:
        return await _make_specific_other_case(request, vehicle_id, path)
    body, headers = perform_read(request, vehicle_id, path, None)
    return json_response(body, headers=headers)


@router.api_route("/vehicles/{vehicle_id}/{path:path}", methods=["POST", "PUT", "DELETE", "PATCH"],
                  include_in_schema=False)
async def make_specific_other_case(request: Request, vehicle_id: str, path: str) -> Response:
    """The same for the make-specific writes and charge records (``POST /TESLA/charge/ammeter``); any other path
    that no route matched (a wrong method included) stays a 404, as before this route existed."""
    return await _make_specific_other_case(request, vehicle_id, path)


async def _make_specific_other_case(request: Request, vehicle_id: str, path: str) -> Response:
    served = api_version_of(request.url.path) == "2.0" and (request.method, path.lower()) in _MAKE_ROUTES
    if not served or path == path.lower() or not _make_case_only(path):
        raise ApiError("RESOURCE_NOT_FOUND", "PATH")
    platform_of(request).access(bearer_token(request), vehicle_id, data=True)
    raise ApiError("PERMISSION")
