"""Vehicle API v3: ``/v3/connections``, ``/v3/users``, ``/v3/vehicles/{id}`` and signals (commands: ``commands_v3``).

JSON:API-like resources; errors in the v3 ``{"errors": [...]}`` format.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..clock import from_timestamp
from ..platform.connections import Connection
from ..platform.errors import ApiError
from ..platform.vehicles import Vehicle
from .auth import bearer_token
from .common import parse_int, platform_of
from .errors import json_response
from .signals import signal_resource

router = APIRouter(prefix="/v3", tags=["vehicle API v3"])

DEFAULT_PAGE_SIZE = 10  # the reference's examples page by 10; unconfirmed
MAX_PAGE_SIZE = 100


def _query(request: Request, *names: str) -> str | None:
    """The first of several accepted spellings of a query parameter (``filter[userId]`` or ``user_id``)."""
    for name in names:
        value = request.query_params.get(name)
        if value:
            return value
    return None


def _page(request: Request, default_size: int = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    def parse(raw: str | None, default: int, low: int, high: int, name: str) -> int:
        if raw is None:
            return default
        value = parse_int(raw)
        if value is None or not low <= value <= high:
            raise ApiError("VALIDATION", "PARAMETER",
                           detail=[{"field": name, "message": f"Must be an integer between {low} and {high}."}])
        return value

    number_ = parse(_query(request, "page[number]", "page"), 1, 1, 1_000_000, "page[number]")
    size = parse(_query(request, "page[size]", "pageSize", "page_size"), default_size, 1, MAX_PAGE_SIZE,
                 "page[size]")
    return number_, size


def _paged(request: Request, items: list[Any], path: str, default_size: int = DEFAULT_PAGE_SIZE,
           link_keys: tuple[str, str] = ("page", "pageSize")) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """One page of ``items``, its ``meta`` and JSON:API ``links`` (page parameters named ``link_keys``)."""
    page, size = _page(request, default_size)
    last = max(1, math.ceil(len(items) / size))
    extra = {k: v for k, v in request.query_params.items() if not k.startswith("page")}

    def link(number_: int) -> str:
        return f"{path}?{urlencode({**extra, link_keys[0]: number_, link_keys[1]: size})}"

    links = {"self": link(page), "first": link(1), "previous": link(page - 1) if page > 1 else None,
             "next": link(page + 1) if page < last else None, "last": link(last)}
    return items[(page - 1) * size:page * size], {"page": page, "pageSize": size, "totalCount": len(items)}, links


def _iso(seconds: float) -> str:
    return from_timestamp(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def _vehicle_summary(vehicle: Vehicle) -> dict[str, Any]:
    return {"make": vehicle.make, "model": vehicle.model, "year": vehicle.year, "mode": vehicle.mode,
            "powertrainType": vehicle.powertrain}


def _connection_resource(request: Request, connection: Connection) -> dict[str, Any]:
    vehicle = platform_of(request).vehicles.get(connection.vehicle_id)
    return {
        "id": connection.id,
        "type": "connection",
        "attributes": {"permissions": list(connection.scopes),
                       "vehicle": _vehicle_summary(vehicle) if vehicle else None},
        "relationships": {
            "vehicle": {"data": {"id": connection.vehicle_id, "type": "vehicle"},
                        "links": {"related": f"/vehicles/{connection.vehicle_id}"}},
            "user": {"data": {"id": connection.user_id, "type": "user"}},
        },
        "meta": {"createdAt": _iso(connection.created_at), "updatedAt": _iso(connection.updated_at)},
        "links": {"self": f"/connections/{connection.id}"},
    }


# Connections and users (application token) ------------------------------------------------------------
@router.get("/connections", summary="The application's connections (filters, JSON:API paging)")
async def list_connections(request: Request) -> Response:
    platform = platform_of(request)
    client_id = platform.v3.application(bearer_token(request))
    found = platform.v3.connections(client_id, _query(request, "filter[userId]", "user_id", "userId"),
                                    _query(request, "filter[vehicleId]", "vehicle_id", "vehicleId"),
                                    _query(request, "filter[mode]", "filter[vehicle.mode]", "mode"))
    page, meta, links = _paged(request, found, "/connections")
    return json_response({"data": [_connection_resource(request, c) for c in page], "meta": meta, "links": links})


@router.get("/connections/{connection_id}", summary="One connection")
async def get_connection(request: Request, connection_id: str) -> Response:
    platform = platform_of(request)
    connection = platform.v3.connection(platform.v3.application(bearer_token(request)), connection_id)
    return json_response({"data": _connection_resource(request, connection)})


@router.delete("/connections/{connection_id}", status_code=204, summary="Remove one connection")
async def delete_connection(request: Request, connection_id: str) -> Response:
    platform = platform_of(request)
    platform.v3.delete_connection(platform.v3.application(bearer_token(request)), connection_id)
    return Response(status_code=204)


@router.delete("/users/{user_id}", status_code=204, summary="Delete a user: connections and tokens purged")
async def delete_user(request: Request, user_id: str) -> Response:
    platform = platform_of(request)
    platform.v3.delete_user(platform.v3.application(bearer_token(request)), user_id)
    return Response(status_code=204)


# Vehicles and signals ---------------------------------------------------------------------------------
def _caller(request: Request, need_user: bool) -> Any:
    return platform_of(request).v3.caller(bearer_token(request), request.headers.get("sc-user-id"), need_user)


def _vehicle_resource(vehicle: Vehicle) -> dict[str, Any]:
    return {"id": vehicle.id, "type": "vehicle", "attributes": _vehicle_summary(vehicle),
            "links": {"self": f"/vehicles/{vehicle.id}"}}


@router.get("/vehicles/{vehicle_id}", summary="Vehicle attributes (make, model, year, powertrain, mode)")
async def get_vehicle(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    vehicle, _ = platform.v3.vehicle(_caller(request, need_user=False), vehicle_id)
    resource = _vehicle_resource(vehicle)
    return json_response({"data": resource} if platform.v3_vehicle_wrapped else resource)


SIGNALS_PAGE_SIZE = 100  # every signal of the catalogue on one page, as production's list answered


@router.get("/vehicles/{vehicle_id}/signals", summary="Every signal of the vehicle's catalogue, with per-signal errors")
async def list_signals(request: Request, vehicle_id: str) -> Response:
    platform = platform_of(request)
    vehicle, readings = platform.v3.signals(_caller(request, need_user=True), vehicle_id)
    page, size = _page(request, SIGNALS_PAGE_SIZE)
    now = platform.clock.timestamp()
    data = [signal_resource(vehicle.id, r, now) for r in readings[(page - 1) * size:page * size]]
    path = f"/vehicles/{vehicle_id}/signals"
    links: dict[str, Any] = {"self": f"{path}?{urlencode({'page': page, 'pageSize': size})}"}
    if page * size < len(readings):
        links["next"] = f"{path}?{urlencode({'page': page + 1, 'pageSize': size})}"
    return json_response({"data": data, "meta": {"totalCount": len(readings), "pageSize": size, "pageNumber": page},
                          "links": links, "included": {"vehicle": _vehicle_resource(vehicle)}})


@router.get("/vehicles/{vehicle_id}/signals/{signal_code}", summary="One signal by code (errors as in the list)")
async def get_signal(request: Request, vehicle_id: str, signal_code: str) -> Response:
    platform = platform_of(request)
    vehicle, (reading,) = platform.v3.signals(_caller(request, need_user=True), vehicle_id, signal_code)
    return json_response(signal_resource(vehicle.id, reading, platform.clock.timestamp()))
