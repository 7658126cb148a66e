"""Module-level API functions (official surface): user, vehicles, compatibility, management, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import warnings
from typing import Any, Optional, Union, cast

from . import _args, _core, config, helpers
from . import v2_response as _types
from .auth_client import MODE_ERROR, MODES, TEST_MODE_DEPRECATION
from .exception import MissingCredentialsError
from .v2_response import (
    CompatibilityMatrix,
    CompatibilityMatrixModel,
    Connection,
    DeleteConnections,
    GetConnections,
    PagingCursor,
    build_meta,
    select_named_tuple,
)
from .v3_response import AttrDict, make_response

API_VERSION = "2.0"

COMPATIBILITY_CREDENTIALS = (
    "'get_compatibility' requires a client_id AND client_secret. Either set these as environment variables, OR "
    "pass them in as part of the 'options'dictionary. The recommended course of action is to set up environment "
    "variableswith your client credentials. i.e.: 'SMARTCAR_CLIENT_ID' and 'SMARTCAR_CLIENT_SECRET'"
)
MATRIX_CREDENTIALS = ("SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET must be set in environment variables or "
                      "passed in options.")


def set_api_version(version: str) -> None:
    """Set the API version used by module functions and new ``Vehicle`` objects (e.g. ``"2.0"``)."""
    global API_VERSION
    _args.text(version, "version")
    if re.match(r"\d+\.\d+", version):
        API_VERSION = version
    else:
        raise ValueError(f"Version '{version}' must match regex '\\d+\\.\\d+' .  e.g. '2.0', '1.0'")


def get_api_version() -> str:
    """The current global API version."""
    return API_VERSION


def _parser(path: str) -> Any:
    return lambda response: select_named_tuple(path, response)


# -- User and vehicles -----------------------------------------------------------------------------------------
def user_call(access_token: str) -> _core.Call[Any]:
    _args.header_text(access_token, "access_token")
    spec = _core.RequestSpec("GET", f"{config.API_ORIGIN}/v{API_VERSION}/user", _core.bearer(access_token))
    return _core.Call(spec, _parser("user"))


def get_user(access_token: str) -> _types.User:
    """The user behind an access token: ``User(id, meta)``."""
    return cast("_types.User", _core.execute(user_call(access_token)))


def vehicles_call(access_token: str, paging: Optional[dict[str, Any]] = None) -> _core.Call[Any]:
    _args.header_text(access_token, "access_token")
    _args.mapping(paging, "paging")
    spec = _core.RequestSpec("GET", f"{config.API_ORIGIN}/v{API_VERSION}/vehicles", _core.bearer(access_token),
                             params=paging)
    return _core.Call(spec, _parser("vehicles"))


def get_vehicles(access_token: str, paging: Optional[dict[str, Any]] = None) -> _types.Vehicles:
    """The vehicle ids an access token may use: ``Vehicles(vehicles, Paging(count, offset), meta)``.
    ``paging`` is sent as the query (``{"limit": 10, "offset": 0}``)."""
    return cast("_types.Vehicles", _core.execute(vehicles_call(access_token, paging)))


def vehicle_v3_call(access_token: str, vehicle_id: str) -> _core.Call[AttrDict]:
    _args.header_text(access_token, "access_token")
    _args.segment(vehicle_id, "vehicle_id")
    spec = _core.RequestSpec("GET", f"{config.VEHICLE_API_ORIGIN}/v3/vehicles/{vehicle_id}",
                             _core.bearer(access_token))
    return _core.Call(spec, lambda r: make_response(r.json(), r.headers))


def get_vehicle(access_token: str, vehicle_id: str) -> AttrDict:
    """API v3 vehicle: ``{"body": <JSON>, "headers": <headers>}`` (also ``.body`` / ``.headers``)."""
    return _core.execute(vehicle_v3_call(access_token, vehicle_id))


# -- Compatibility -------------------------------------------------------------------------------------------
def compatibility_call(vin: str, scope: list[str], country: str = "US",
                       options: Optional[dict[str, Any]] = None) -> _core.Call[Any]:
    _args.text(vin, "vin")
    _args.str_list(scope, "scope")
    _args.text(country, "country")
    _args.mapping(options, "options")
    client_id = os.environ.get("SMARTCAR_CLIENT_ID")
    client_secret = os.environ.get("SMARTCAR_CLIENT_SECRET")
    version = API_VERSION
    params: dict[str, Any] = {"vin": vin, "scope": " ".join(scope), "country": country}
    if options is None:
        helpers.validate_env()
    else:
        client_id = options.get("client_id", client_id)
        client_secret = options.get("client_secret", client_secret)
        version = options.get("version") or version
        if options.get("flags"):
            params["flags"] = _core.format_flag_query(_args.mapping(options["flags"], "options['flags']") or {})
        _args.text(version, "options['version']")
        if version == "1.0":  # official defect #6 fixed: the v1.0 options are sent instead of crashing
            mode = options.get("mode")
            if options.get("test_mode") is not None:
                warnings.warn(TEST_MODE_DEPRECATION, DeprecationWarning, stacklevel=3)
                mode = "test" if options["test_mode"] else "live"
            if options.get("test_mode_compatibility_level"):
                mode = "test"
                params["test_mode_compatibility_level"] = options["test_mode_compatibility_level"]
            if mode is not None:
                mode = str(mode).lower()
                if mode not in MODES:
                    raise ValueError(MODE_ERROR)
                params["mode"] = mode
    if client_id is None or client_secret is None:
        raise MissingCredentialsError(COMPATIBILITY_CREDENTIALS)
    if version not in ("1.0", "2.0"):
        raise ValueError(f"options['version'] {version!r}: Please use a valid API version (e.g. '1.0' or '2.0')")
    headers = {"Authorization": f"Basic {_basic(client_id, client_secret)}"}
    spec = _core.RequestSpec("GET", f"{config.API_ORIGIN}/v{version}/compatibility", headers, params=params)

    def parse(response: Any) -> Any:
        if version == "1.0":
            return select_named_tuple("compatibility_v1", response)
        return select_named_tuple("compatibility_v2", response)

    return _core.Call(spec, parse)


def get_compatibility(vin: str, scope: list[str], country: str = "US",
                      options: Optional[dict[str, Any]] = None) -> Any:
    """Whether a VIN supports the given permissions (``Compatibility`` tuple; v1 or v2 shape by version).

    Options: ``client_id``, ``client_secret``, ``version``, ``flags``; for v1.0 also ``mode``,
    ``test_mode`` (deprecated) and ``test_mode_compatibility_level``.
    """
    return _core.execute(compatibility_call(vin, scope, country, options))


def _parse_matrix(response: Any) -> CompatibilityMatrix:
    data = response.json() or {}
    return {make: [CompatibilityMatrixModel(m["model"], m["startYear"], m["endYear"], m["type"], m["endpoints"],
                                            m["permissions"]) for m in models]
            for make, models in data.items()}


def compatibility_matrix_call(region: str, make: str,
                              options: Optional[dict[str, Any]] = None) -> _core.Call[CompatibilityMatrix]:
    _args.text(region, "region")
    if make:
        _args.text(make, "make")
    options = _args.mapping(options, "options") or {}
    client_id = options.get("client_id") or os.environ.get("SMARTCAR_CLIENT_ID")
    client_secret = options.get("client_secret") or os.environ.get("SMARTCAR_CLIENT_SECRET")
    if client_id is None or client_secret is None:
        raise MissingCredentialsError(MATRIX_CREDENTIALS)
    params: dict[str, Any] = {"region": region}
    if make:
        params["make"] = make
    if "type" in options:
        params["type"] = options["type"]
    if options.get("scope"):
        params["scope"] = " ".join(_args.str_list(options["scope"], "options['scope']") or ())
    headers = {"Authorization": f"Basic {_basic(client_id, client_secret)}"}
    spec = _core.RequestSpec("GET", f"{config.API_ORIGIN}/v{API_VERSION}/compatibility/matrix", headers,
                             params=params)
    return _core.Call(spec, _parse_matrix)


def get_compatibility_matrix(region: str, make: str, options: Optional[dict[str, Any]] = None) -> CompatibilityMatrix:
    """Supported models by make: ``{make: [CompatibilityMatrixModel, ...]}``.
    Options: ``client_id``, ``client_secret``, ``type``, ``scope`` (list)."""
    return _core.execute(compatibility_matrix_call(region, make, options))


# -- Webhooks ------------------------------------------------------------------------------------------------
def hash_challenge(amt: str, challenge: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``challenge`` keyed with the application management token.
    Arguments that are not ``str`` raise ``TypeError`` naming them."""
    _args.text(amt, "amt")
    _args.text(challenge, "challenge")
    return hmac.new(amt.encode("utf-8"), challenge.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_payload(amt: str, signature: str, body: Union[str, bytes]) -> bool:
    """Whether ``signature`` (the ``SC-Signature`` header) signs ``body``; constant-time, never raises:
    anything that is not a ``str`` AMT and signature and a ``str``/``bytes`` body gives False."""
    if not isinstance(signature, str) or not isinstance(amt, str) or not isinstance(body, (str, bytes, bytearray)):
        return False
    try:
        raw = bytes(body) if isinstance(body, (bytes, bytearray)) else body.encode("utf-8")
        key = amt.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: no signature can match
        return False
    expected = hmac.new(key, raw, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))


# -- Management ----------------------------------------------------------------------------------------------
def get_management_token(amt: str, username: str = "default") -> str:
    """``base64("<username>:<amt>")``, the Basic credential of the management API (no ``Basic`` prefix)."""
    _args.header_text(amt, "amt")
    _args.header_text(username, "username")
    return _core.basic(username, amt)


def _basic(client_id: Any, client_secret: Any) -> str:
    return _core.basic(_args.header_text(client_id, "client_id"), _args.header_text(client_secret, "client_secret"))


def _connections(data: Any) -> list[Connection]:
    return [Connection(c.get("vehicleId"), c.get("userId"), c.get("connectedAt")) for c in data["connections"]]


def _management_spec(method: str, amt: str, params: dict[str, Any]) -> _core.RequestSpec:
    headers = {"Authorization": f"Basic {get_management_token(amt)}"}
    url = f"{config.MANAGEMENT_API_ORIGIN}/v{get_api_version()}/management/connections/"
    return _core.RequestSpec(method, url, headers, params=params)


def connections_call(amt: str, filter: Optional[dict[str, Any]] = None,
                     paging: Optional[dict[str, Any]] = None) -> _core.Call[GetConnections]:
    _args.mapping(filter, "filter")
    _args.mapping(paging, "paging")
    params: dict[str, Any] = {}
    for source, keys in ((filter, ("user_id", "vehicle_id")), (paging, ("cursor", "limit"))):
        for key in keys:
            if source and key in source:
                params[key] = source[key]

    def parse(response: Any) -> GetConnections:
        data = response.json()
        cursor = PagingCursor((data.get("paging") or {}).get("cursor"))
        return GetConnections(_connections(data), cursor, build_meta(response.headers))

    return _core.Call(_management_spec("GET", amt, params), parse)


def get_connections(amt: str, filter: Optional[dict[str, Any]] = None,
                    paging: Optional[dict[str, Any]] = None) -> GetConnections:
    """The application's connections. ``filter``: ``user_id``/``vehicle_id``; ``paging``: ``cursor``/``limit``."""
    return _core.execute(connections_call(amt, filter, paging))


def delete_connections_call(amt: str, filter: Optional[dict[str, Any]] = None) -> _core.Call[DeleteConnections]:
    filter = _args.mapping(filter, "filter") or {}
    if filter.get("user_id") and filter.get("vehicle_id"):
        raise Exception("Filter can contain EITHER user_id OR vehicle_id, not both")
    params: dict[str, Any] = {}
    if filter.get("user_id"):
        params["user_id"] = filter["user_id"]
    elif filter.get("vehicle_id"):
        params["vehicle_id"] = filter["vehicle_id"]

    def parse(response: Any) -> DeleteConnections:
        return DeleteConnections(_connections(response.json()), build_meta(response.headers))

    return _core.Call(_management_spec("DELETE", amt, params), parse)


def delete_connections(amt: str, filter: Optional[dict[str, Any]] = None) -> DeleteConnections:
    """Delete connections by ``user_id`` or ``vehicle_id`` (not both)."""
    return _core.execute(delete_connections_call(amt, filter))
