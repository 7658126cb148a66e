"""The module-level API for asyncio: ``await smartcar.aio.get_user(token)`` and friends.

Same names, arguments and results as the functions of ``smartcar`` (built by the same ``*_call`` builders,
parsed by the same parsers, errors mapped by the same code); requests go over a pooled ``httpx2.AsyncClient``
through ``smartcar.helpers.async_requester``. The pure helpers (no I/O) are re-exported unchanged.

>>> import smartcar.aio
>>> user = await smartcar.aio.get_user(access_token)
>>> vehicle = smartcar.aio.AsyncVehicle(vehicle_id, access_token)
"""

from __future__ import annotations

from typing import Any, Optional, cast

from . import _async_transport, _core
from . import smartcar as _sync
from . import v2_response as _types
from .auth_client import AsyncAuthClient
from .smartcar import get_api_version, get_management_token, hash_challenge, set_api_version, verify_payload
from .v2_response import CompatibilityMatrix, DeleteConnections, GetConnections
from .v3.client import AsyncClient
from .v3_response import AttrDict
from .vehicle import AsyncVehicle

__all__ = ["AsyncAuthClient", "AsyncClient", "AsyncVehicle", "aclose", "delete_connections", "get_api_version",
           "get_compatibility", "get_compatibility_matrix", "get_connections", "get_management_token",
           "get_user", "get_vehicle", "get_vehicles", "hash_challenge", "set_api_version", "verify_payload"]


async def get_user(access_token: str) -> _types.User:
    """The user behind an access token: ``User(id, meta)``."""
    return cast("_types.User", await _core.aexecute(_sync.user_call(access_token)))


async def get_vehicles(access_token: str, paging: Optional[dict[str, Any]] = None) -> _types.Vehicles:
    """``Vehicles(vehicles, Paging(count, offset), meta)``; ``paging`` is sent as the query."""
    return cast("_types.Vehicles", await _core.aexecute(_sync.vehicles_call(access_token, paging)))


async def get_vehicle(access_token: str, vehicle_id: str) -> AttrDict:
    """API v3 vehicle: ``{"body": <JSON>, "headers": <headers>}`` (also ``.body`` / ``.headers``)."""
    return await _core.aexecute(_sync.vehicle_v3_call(access_token, vehicle_id))


async def get_compatibility(vin: str, scope: list[str], country: str = "US",
                            options: Optional[dict[str, Any]] = None) -> Any:
    """Whether a VIN supports the given permissions (see ``smartcar.get_compatibility``)."""
    return await _core.aexecute(_sync.compatibility_call(vin, scope, country, options))


async def get_compatibility_matrix(region: str, make: str,
                                   options: Optional[dict[str, Any]] = None) -> CompatibilityMatrix:
    """Supported models by make: ``{make: [CompatibilityMatrixModel, ...]}``."""
    return await _core.aexecute(_sync.compatibility_matrix_call(region, make, options))


async def get_connections(amt: str, filter: Optional[dict[str, Any]] = None,
                          paging: Optional[dict[str, Any]] = None) -> GetConnections:
    """The application's connections. ``filter``: ``user_id``/``vehicle_id``; ``paging``: ``cursor``/``limit``."""
    return await _core.aexecute(_sync.connections_call(amt, filter, paging))


async def delete_connections(amt: str, filter: Optional[dict[str, Any]] = None) -> DeleteConnections:
    """Delete connections by ``user_id`` or ``vehicle_id`` (not both)."""
    return await _core.aexecute(_sync.delete_connections_call(amt, filter))


async def aclose() -> None:
    """Close the pooled async connections of the running event loop (optional: they are dropped with it)."""
    await _async_transport.get_transport().aclose()
