"""Smartcar Python SDK: a drop-in replacement for the official SDK 6.x on a pooled ``httpx2`` client."""

# Defined first: helpers read it at import time for the User-Agent. Kept at the official release we mirror,
# so servers and logs see the same User-Agent as with the official SDK.
__version__ = "6.19.1"

from smartcar import config, exception, helpers, types, v2_response, v3_response  # noqa: E402
from smartcar import auth_client, smartcar, vehicle  # noqa: E402
from smartcar._transport import configure as configure_http  # noqa: E402
from smartcar.auth_client import AsyncAuthClient, AuthClient  # noqa: E402
from smartcar.exception import MissingCredentialsError, SmartcarException, SmartcarResponseError  # noqa: E402
from smartcar.smartcar import (  # noqa: E402
    delete_connections,
    get_api_version,
    get_compatibility,
    get_compatibility_matrix,
    get_connections,
    get_management_token,
    get_user,
    get_vehicle,
    get_vehicles,
    hash_challenge,
    set_api_version,
    verify_payload,
)
from smartcar.vehicle import AsyncVehicle, Vehicle  # noqa: E402
from smartcar import v3  # noqa: E402
from smartcar.v3 import AsyncClient, Client, SignalCode  # noqa: E402
from smartcar import aio  # noqa: E402
from smartcar._retry import RetryPolicy  # noqa: E402
from smartcar import fleet  # noqa: E402
from smartcar import webhooks  # noqa: E402  (stdlib only; the Flask/Starlette receivers load on use)
from smartcar.fleet import Fleet, FleetResult  # noqa: E402

__all__ = [
    "AsyncAuthClient", "AsyncClient", "AsyncVehicle", "AuthClient", "Client", "Fleet", "FleetResult",
    "MissingCredentialsError", "RetryPolicy", "SignalCode", "SmartcarException", "SmartcarResponseError",
    "Vehicle", "__version__", "aio", "configure_http", "fleet", "v3", "webhooks",
    "delete_connections", "get_api_version", "get_compatibility", "get_compatibility_matrix", "get_connections",
    "get_management_token", "get_user", "get_vehicle", "get_vehicles", "hash_challenge", "set_api_version",
    "verify_payload", "auth_client", "config", "exception", "helpers", "smartcar", "types", "v2_response",
    "v3_response", "vehicle",
]
