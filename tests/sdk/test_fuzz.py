"""Property-based hardening of the SDK: whatever comes over the wire, every public call (sync and async,
official surface and v3 client) raises only ``SmartcarException``; garbage arguments raise ``TypeError`` or
``ValueError`` naming the parameter, before anything is sent.

Bodies are served by ``httpx2.MockTransport``: nothing real produces these malformed bodies (a captive
portal's HTML page, truncated or mistyped JSON, invalid UTF-8, nesting deep enough to exhaust the stack).
Example counts are bounded so the whole module runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smartcar
import smartcar.aio
from smartcar import SignalCode, _core, config
from smartcar.exception import MissingCredentialsError, SmartcarException, SmartcarResponseError

PER_CALL = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
ARGS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
ORIGIN = "http://sdk-fuzz.invalid"
MAX_REQUESTS = 12  # per call: paging loops end with a 500 after this many requests

# -- Generated responses ---------------------------------------------------------------------------------------
KEYS = ["id", "vehicles", "paging", "count", "offset", "responses", "path", "code", "body", "headers", "data",
        "attributes", "meta", "links", "next", "status", "value", "access_token", "expires_in", "token_type",
        "refresh_token", "connections", "compatible", "reason", "capabilities", "permission", "endpoint",
        "capable", "type", "errors", "description", "make", "model", "year", "distance", "latitude",
        "longitude", "isPluggedIn", "state", "percentRemaining", "range", "systems", "activeCodes", "user",
        "relationships", "page", "pageSize", "totalCount", "retrievedAt", "commandType", "message",
        "webhookId", "vehicleId", "userId", "cursor", "availableCapacities", "capacity", "url", "isLocked",
        "doors", "windows", "sunroof", "storage", "chargingPort", "limit", "frontLeft", "frontRight",
        "backLeft", "backRight", "lifeRemaining", "amountRemaining", "systemId", "error", "statusCode",
        "requestId", "class", "1x", "a b", "-"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                    st.text(max_size=8), st.sampled_from(["/odometer", "/", "odometer", "SUCCESS", "200"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=25)
documents = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)


def _signal(code: str, group: str, body: Any) -> dict[str, Any]:
    return {"id": code, "type": "signal", "attributes": {"code": code, "name": code, "group": group,
                                                         "status": {"value": "SUCCESS"}, "body": body},
            "meta": {"retrievedAt": 1700000000000, "oemUpdatedAt": "2024-01-01T00:00:00.000Z"}}


# Valid bodies of each shape, for mutation: one leaf or subtree replaced by anything.
SIGNAL = _signal("odometer-traveleddistance", "Odometer", {"value": 1234.5, "unit": "km"})
CONNECTION = {"id": "c1", "type": "connection", "attributes": {"permissions": ["read_odometer"]},
              "relationships": {"user": {"data": {"id": "u"}}, "vehicle": {"data": {"id": "v"}}},
              "meta": {"createdAt": "2024-01-01T00:00:00Z"}}
TEMPLATES: list[Any] = [SIGNAL, {"data": CONNECTION},
    {"data": [_signal("odometer-traveleddistance", "Odometer", {"value": 1234.5, "unit": "km"}),
              _signal("charge-ischarging", "Charge", {"value": True}),
              _signal("tractionbattery-stateofcharge", "TractionBattery", {"value": 80, "unit": "percent"}),
              _signal("location-preciselocation", "Location",
                      {"latitude": 1.5, "longitude": 2.5, "heading": 90, "direction": "E"}),
              _signal("closure-islocked", "Closure", {"value": True})],
     "meta": {"pageNumber": 1, "pageSize": 100, "totalCount": 5}, "links": {}},
    {"data": [{"id": "c1", "type": "connection", "attributes": {"permissions": ["read_odometer"],
                                                                 "vehicle": {"make": "TESLA"}},
               "relationships": {"user": {"data": {"id": "u"}}, "vehicle": {"data": {"id": "v"}}},
               "meta": {"createdAt": "2024-01-01T00:00:00Z"}}], "meta": {"page": 1, "pageSize": 10,
                                                                         "totalCount": 1}, "links": {}},
    {"id": "v", "type": "vehicle", "attributes": {"make": "TESLA", "model": "3", "year": 2020,
                                                  "powertrainType": "BEV", "mode": "test"}},
    {"data": {"id": "x", "attributes": {"commandType": "LOCK", "status": {"value": "SUCCESS"},
                                        "executionMode": "SYNC", "parameters": {}}}},
    {"responses": [{"path": "/odometer", "code": 200, "body": {"distance": 1}, "headers": {"sc-data-age": "x"}},
                   {"path": "/location", "code": 200, "body": {"latitude": 1, "longitude": 2}},
                   {"path": "/", "code": 200, "body": {"id": "v", "make": "M", "model": "m", "year": 1}},
                   {"path": "/security", "code": 409, "body": {"type": "VEHICLE_STATE", "code": "ASLEEP",
                                                               "description": "d"}}]},
    {"access_token": "a", "token_type": "Bearer", "expires_in": 7200, "refresh_token": "r"},
    {"id": "u", "vehicles": ["v1", "v2"], "paging": {"count": 2, "offset": 0}, "distance": 1.5,
     "latitude": 1, "longitude": 2, "compatible": True, "reason": None,
     "capabilities": [{"permission": "p", "endpoint": "/e", "capable": True, "reason": None}],
     "connections": [{"vehicleId": "v", "userId": "u", "connectedAt": "t"}], "status": "success",
     "message": "m", "make": "M", "model": "m", "year": 2020},
]


def templates_for(call: str) -> list[Any]:
    """The valid bodies a call expects (so mutations reach its parser), or all of them."""
    for words, indexes in ((("signal",), [0, 2]), (("connections",), [1, 3]), (("attributes",), [4]),
                           (("lock", "charge", "destination"), [5, 8]), (("batch",), [6]),
                           (("exchange", "token"), [7])):
        if any(word in call for word in words) and call.startswith(("v3.", "aio.v3.", "batch", "aio.batch",
                                                                     "exchange", "aio.exchange")):
            return [TEMPLATES[i] for i in indexes]
    return TEMPLATES


@st.composite
def mutated(draw: st.DrawFn, templates: list[Any] | None = None) -> Any:
    """A valid body with about one node in eight replaced by anything (a wrong type, null, a deep list...)
    or removed: every field of every parser gets its turn."""
    document = json.loads(json.dumps(draw(st.sampled_from(templates or TEMPLATES))))
    rate = draw(st.sampled_from([4, 8, 16]))

    def visit(node: Any) -> Any:
        if draw(st.integers(0, rate - 1)) == 0:
            return draw(json_values)
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if draw(st.integers(0, rate * 2 - 1)) != 0:  # else: the field goes missing
                    out[key] = visit(value)
            return out
        if isinstance(node, list):
            return [visit(item) for item in node]
        return node

    return visit(document)


@st.composite
def bodies(draw: st.DrawFn, templates: list[Any] | None = None) -> bytes:
    kind = draw(st.sampled_from(["json", "document", "mutated", "mutated", "mutated", "html", "binary", "deep",
                                 "truncated", "bad-utf8"]))
    if kind == "mutated":
        return json.dumps(draw(mutated(templates))).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "document":
        return json.dumps(draw(documents)).encode()
    if kind == "html":
        return b"<html><body>Sign in to the Wi-Fi</body></html>"
    if kind == "binary":
        return draw(st.binary(max_size=64))
    if kind == "deep":
        depth = draw(st.sampled_from([1_500, 5_000]))  # past the recursion limit (100,000: see below)
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"data":', "}"), ('{"responses":[', "]}")]))
        return (opener * depth + "1" + closer * depth).encode()
    if kind == "truncated":
        return json.dumps(draw(documents)).encode()[:-1]
    return b'{"id": "\xff\xfe", "vehicles": ["\xc3"]}'


@st.composite
def replies(draw: st.DrawFn, templates: list[Any] | None = None) -> tuple[int, dict[str, str], bytes]:
    status = draw(st.sampled_from([200] * 8 + [201, 202, 204, 400, 401, 404, 409, 429, 500, 502]))
    headers = {"SC-Request-Id": "fuzz-request-id"}
    content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-8", "text/html",
                                         "application/json; charset=no-such-charset", None]))
    if content_type is not None:
        headers["Content-Type"] = content_type
    if draw(st.booleans()):
        headers["Retry-After"] = draw(st.sampled_from(["1", "soon", "-5", "99999999999999999999"]))
    return status, headers, draw(bodies(templates))


class Wire:
    """The mock server: answers every request with the drawn reply (the v3 token endpoint with a valid token
    unless told otherwise), and a 500 once a call has made ``MAX_REQUESTS`` requests."""

    def __init__(self) -> None:
        self.reply: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.token_ok = True
        self.requests = 0

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests += 1
        if self.requests > MAX_REQUESTS:
            return httpx2.Response(500, json={"type": "SERVER", "code": "INTERNAL", "description": "stop"})
        if request.url.path == "/oauth2/token" and self.token_ok:
            return httpx2.Response(200, json={"access_token": "app-token", "expires_in": 3600})
        status, headers, content = self.reply
        return httpx2.Response(status, headers=headers, content=content)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    wire = Wire()
    transport = httpx2.MockTransport(wire.handler)
    sync_client = httpx2.Client(transport=transport)
    async_client = httpx2.AsyncClient(transport=transport)
    smartcar.configure_http(http_client=sync_client, async_http_client=async_client)
    for name in ("API_ORIGIN", "MANAGEMENT_API_ORIGIN", "VEHICLE_API_ORIGIN", "IAM_ORIGIN"):
        monkeypatch.setattr(config, name, ORIGIN)
    monkeypatch.setattr(config, "AUTH_ORIGIN", f"{ORIGIN}/oauth/token")
    wire.sync_client, wire.async_client = sync_client, async_client  # type: ignore[attr-defined]
    yield wire
    smartcar.configure_http()
    sync_client.close()


# -- Every public call, sync and async ---------------------------------------------------------------------------
OPTIONS = {"client_id": "id", "client_secret": "secret"}
VEHICLE_READS = ["vin", "charge", "battery", "battery_capacity", "nominal_capacity", "fuel", "tire_pressure",
                 "engine_oil", "odometer", "location", "attributes", "info", "get_charge_limit", "lock_status",
                 "service_history", "diagnostic_system_status", "diagnostic_trouble_codes", "permissions", "lock",
                 "unlock", "start_charge", "stop_charge", "disconnect", "get_signals"]
BATCH = ["/odometer", "/location", "/", "/security", "/tires/pressure", "/charge/limit", "/diagnostics/dtcs",
         "/battery", "/fuel", "/unknown/path"]


def consume_batch(result: Any) -> None:
    for name in result._fields:
        item = getattr(result, name)
        if callable(item):
            try:
                item()
            except SmartcarException:
                pass


def touch(result: Any, depth: int = 0) -> None:
    """Read every public attribute and property of a result (typed v3 bodies, signal groups, pages) the way an
    application would: a lazily computed property must not raise a foreign exception either."""
    if depth > 3 or result is None or isinstance(result, (str, bytes, int, float, bool, dict)):
        return
    if isinstance(result, (list, tuple)) and not hasattr(result, "_fields"):
        for item in result[:20]:
            touch(item, depth + 1)
        return
    for name in dir(result):
        if name.startswith("_") or name in ("raw", "headers", "count", "index"):
            continue
        value = getattr(result, name)
        if not callable(value):
            touch(value, depth + 1)


def sync_calls(wire: Wire) -> dict[str, Callable[[], Any]]:
    vehicle = smartcar.Vehicle("vid", "token")
    auth = smartcar.AuthClient("id", "secret", "http://localhost/cb", mode="test")
    v3 = smartcar.Client("id", "secret", max_retries=0, http_client=wire.sync_client)  # type: ignore[attr-defined]
    v3_vehicle = v3.vehicle("vid", "uid")
    calls: dict[str, Callable[[], Any]] = {
        "get_user": lambda: smartcar.get_user("token"),
        "get_vehicles": lambda: smartcar.get_vehicles("token", {"limit": 5}),
        "get_vehicle": lambda: smartcar.get_vehicle("token", "vid"),
        "get_compatibility": lambda: smartcar.get_compatibility("VIN", ["read_odometer"], "US", OPTIONS),
        "get_compatibility_v1": lambda: smartcar.get_compatibility("VIN", ["read_odometer"], "US",
                                                                   {**OPTIONS, "version": "1.0"}),
        "get_compatibility_matrix": lambda: smartcar.get_compatibility_matrix("US", "TESLA", OPTIONS),
        "get_connections": lambda: smartcar.get_connections("amt", {"user_id": "u"}, {"limit": 2}),
        "delete_connections": lambda: smartcar.delete_connections("amt", {"vehicle_id": "v"}),
        "exchange_code": lambda: auth.exchange_code("code"),
        "exchange_refresh_token": lambda: auth.exchange_refresh_token("refresh"),
        "set_charge_limit": lambda: vehicle.set_charge_limit(0.8),
        "send_destination": lambda: vehicle.send_destination(1.5, 2.5),
        "subscribe": lambda: vehicle.subscribe("hook"),
        "unsubscribe": lambda: vehicle.unsubscribe("amt", "hook"),
        "batch": lambda: consume_batch(vehicle.batch(BATCH)),
        "request": lambda: vehicle.request("GET", "odometer"),
        "get_signal": lambda: vehicle.get_signal("odometer-traveleddistance"),
        "v3.application_token": v3.application_token,
        "v3.connections.page": lambda: v3.connections.page(1, 10, user_id="uid"),
        "v3.connections.list": lambda: list(v3.connections.list(user_id="uid")),
        "v3.connections.get": lambda: v3.connections.get("cid"),
        "v3.connections.delete": lambda: v3.connections.delete("cid"),
        "v3.users.delete": lambda: v3.users.delete("uid"),
        "v3.attributes": v3_vehicle.attributes,
        "v3.signals_page": lambda: v3_vehicle.signals_page(1, 5),
        "v3.signals": v3_vehicle.signals,
        "v3.signal_groups": v3_vehicle.signal_groups,
        "v3.signal": lambda: v3_vehicle.signal(SignalCode.ODOMETER),
        "v3.lock": v3_vehicle.lock,
        "v3.unlock": v3_vehicle.unlock,
        "v3.start_charge": v3_vehicle.start_charge,
        "v3.stop_charge": v3_vehicle.stop_charge,
        "v3.set_charge_limit": lambda: v3_vehicle.set_charge_limit(80),
        "v3.send_destination": lambda: v3_vehicle.send_destination(1.5, 2.5),
    }
    for name in VEHICLE_READS:
        calls[f"Vehicle.{name}"] = getattr(vehicle, name)
    return calls


def async_calls(wire: Wire) -> dict[str, Callable[[], Any]]:
    vehicle = smartcar.AsyncVehicle("vid", "token")
    auth = smartcar.AsyncAuthClient("id", "secret", "http://localhost/cb", mode="test")
    v3 = smartcar.AsyncClient("id", "secret", max_retries=0,
                              http_client=wire.async_client)  # type: ignore[attr-defined]
    v3_vehicle = v3.vehicle("vid", "uid")

    async def batch() -> None:
        consume_batch(await vehicle.batch(BATCH))

    async def connections() -> list[Any]:
        return [c async for c in v3.connections.list(user_id="uid")]

    calls: dict[str, Callable[[], Any]] = {
        "aio.get_user": lambda: smartcar.aio.get_user("token"),
        "aio.get_vehicles": lambda: smartcar.aio.get_vehicles("token"),
        "aio.get_vehicle": lambda: smartcar.aio.get_vehicle("token", "vid"),
        "aio.get_compatibility": lambda: smartcar.aio.get_compatibility("VIN", ["read_odometer"], "US", OPTIONS),
        "aio.get_compatibility_matrix": lambda: smartcar.aio.get_compatibility_matrix("US", "TESLA", OPTIONS),
        "aio.get_connections": lambda: smartcar.aio.get_connections("amt"),
        "aio.delete_connections": lambda: smartcar.aio.delete_connections("amt", {"user_id": "u"}),
        "aio.exchange_code": lambda: auth.exchange_code("code"),
        "aio.exchange_refresh_token": lambda: auth.exchange_refresh_token("refresh"),
        "aio.batch": batch,
        "aio.request": lambda: vehicle.request("POST", "security", {"action": "LOCK"}),
        "aio.set_charge_limit": lambda: vehicle.set_charge_limit(0.5),
        "aio.get_signal": lambda: vehicle.get_signal("odometer-traveleddistance"),
        "aio.v3.connections.list": connections,
        "aio.v3.connections.get": lambda: v3.connections.get("cid"),
        "aio.v3.users.delete": lambda: v3.users.delete("uid"),
        "aio.v3.attributes": v3_vehicle.attributes,
        "aio.v3.signals": v3_vehicle.signals,
        "aio.v3.signal_groups": v3_vehicle.signal_groups,
        "aio.v3.signal": lambda: v3_vehicle.signal("odometer-traveleddistance"),
        "aio.v3.lock": v3_vehicle.lock,
        "aio.v3.set_charge_limit": lambda: v3_vehicle.set_charge_limit(90),
    }
    for name in VEHICLE_READS:
        calls[f"AsyncVehicle.{name}"] = getattr(vehicle, name)
    return calls


def fuzz_each(calls: dict[str, Callable[[], Any]], invoke: Callable[[Any], Any], wire: Wire) -> list[str]:
    """Every call gets its own bounded run of generated replies; what escapes other than a
    ``SmartcarException`` (from the call, or from reading its result) is reported."""
    foreign: list[str] = []
    for name in sorted(calls):
        @PER_CALL
        @given(data=st.data(), token_ok=st.booleans())
        def run(data: st.DataObject, token_ok: bool) -> None:
            reply = data.draw(replies(templates_for(name)))
            wire.reply, wire.token_ok, wire.requests = reply, token_ok, 0
            try:
                touch(invoke(calls[name]()))
            except SmartcarException:
                pass
            except Exception as error:  # noqa: BLE001 - what the test is looking for
                foreign.append(f"{name}: {type(error).__name__}: {error!s:.120} <- {reply[0]} {reply[2][:80]!r}")

        run()
    return foreign


def test_wire_garbage_raises_only_smartcar_exceptions(wire: Wire) -> None:
    assert fuzz_each(sync_calls(wire), lambda result: result, wire) == []


def test_wire_garbage_raises_only_smartcar_exceptions_async(wire: Wire) -> None:
    loop = asyncio.new_event_loop()
    try:
        foreign = fuzz_each(async_calls(wire), loop.run_until_complete, wire)
    finally:
        loop.run_until_complete(wire.async_client.aclose())  # type: ignore[attr-defined]
        loop.close()
    assert foreign == []


def parsers() -> dict[str, Callable[[Any], Any]]:
    """Every parser of a successful response, called directly (no HTTP): fast enough for many examples."""
    from smartcar import auth_client, vehicle
    from smartcar import smartcar as module
    from smartcar.v2_response import _PARSERS, select_named_tuple
    from smartcar.v3 import _operations as ops
    from smartcar.v3.signal_groups import group_signals

    found: dict[str, Callable[[Any], Any]] = {
        f"v2 {path or '/'}": (lambda path: lambda r: select_named_tuple(path, r))(path) for path in _PARSERS}
    found.update({
        "v2 unknown path": lambda r: select_named_tuple("some/new/path", r),
        "batch": lambda r: consume_batch(vehicle._parse_batch(r)),
        "compatibility matrix": module._parse_matrix,
        "get_connections": module.connections_call("amt").parse,
        "delete_connections": module.delete_connections_call("amt", {"user_id": "u"}).parse,
        "get_vehicle (v3 dict)": module.vehicle_v3_call("t", "v").parse,
        "access token": auth_client._parse_access,
        "v3 application token": ops.parse_token,
        "v3 connections page": ops.list_connections("u").parse,
        "v3 connection": ops.get_connection("c").parse,
        "v3 vehicle": ops.get_vehicle("v", "u").parse,
        "v3 signals page": ops.list_signals("v", "u").parse,
        "v3 signal groups": lambda r: group_signals(ops.list_signals("v", "u").parse(r).items),
        "v3 signal": ops.get_signal("v", "u", "odometer-traveleddistance").parse,
        "v3 command": ops.command("v", "u", "security/lock").parse,
    })
    return found


@pytest.mark.parametrize("name", sorted(parsers()))
def test_every_parser_raises_only_smartcar_exceptions(name: str) -> None:
    """Each parser through the core's guard (as every call runs it), on generated and mutated bodies; its
    result is then read like an application would."""
    parse = parsers()[name]

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(reply=replies(TEMPLATES))
    def run(reply: tuple[int, dict[str, str], bytes]) -> None:
        status, headers, content = reply
        response = httpx2.Response(200 if status >= 400 else status, headers=headers, content=content)
        try:
            touch(_core.parsed(parse, response))
        except SmartcarException:
            pass

    run()


def test_malformed_success_says_what_came_back(wire: Wire) -> None:
    """The exception names the status, the request id and an excerpt of the body, and chains the cause."""
    wire.reply = (200, {"Content-Type": "text/html", "SC-Request-Id": "rid-42"}, b"<html>captive portal</html>")
    with pytest.raises(SmartcarResponseError) as info:
        smartcar.get_user("token")
    error = info.value
    assert isinstance(error, SmartcarException) and error.status_code == 200 and error.request_id == "rid-42"
    assert "HTTP 200" in str(error) and "rid-42" in str(error) and "captive portal" in str(error)
    assert error.type == "SDK_ERROR" and error.body == "<html>captive portal</html>"
    assert error.__cause__ is not None
    assert isinstance(error, KeyError) and isinstance(error, ValueError)  # what the official SDK let escape
    wire.reply = (200, {"Content-Type": "application/json"}, b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(SmartcarResponseError) as deep:
        smartcar.Client("id", "secret", max_retries=0,
                        http_client=wire.sync_client).vehicle("v", "u").attributes()  # type: ignore[attr-defined]
    assert isinstance(deep.value.__cause__, RecursionError) and len(str(deep.value)) < 700


# -- Garbage arguments -----------------------------------------------------------------------------------------
garbage = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.binary(max_size=8), st.text(max_size=8),
    st.sampled_from(["", "\ud800", "a\r\nb: c", "é", "/", "a/b?c#d", " ", "\x00", "ü" * 3]),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.none(), st.integers(), st.text(max_size=3),
                                                   st.lists(st.integers(), max_size=2)), max_size=3),
    st.builds(object))

CURRENT: list[Wire] = []


def v3() -> smartcar.Client:
    return smartcar.Client("id", "s", max_retries=0, http_client=CURRENT[-1].sync_client)  # type: ignore[attr-defined]


# name -> (function, valid arguments by parameter name)
SIGNATURES: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "get_user": (smartcar.get_user, {"access_token": "t"}),
    "get_vehicles": (smartcar.get_vehicles, {"access_token": "t", "paging": {"limit": 1}}),
    "get_vehicle": (smartcar.get_vehicle, {"access_token": "t", "vehicle_id": "v"}),
    "get_compatibility": (smartcar.get_compatibility, {"vin": "V", "scope": ["read_odometer"], "country": "US",
                                                       "options": OPTIONS}),
    "get_compatibility_matrix": (smartcar.get_compatibility_matrix, {"region": "US", "make": "TESLA",
                                                                     "options": OPTIONS}),
    "get_connections": (smartcar.get_connections, {"amt": "a", "filter": {"user_id": "u"}, "paging": None}),
    "delete_connections": (smartcar.delete_connections, {"amt": "a", "filter": {"user_id": "u"}}),
    "get_management_token": (smartcar.get_management_token, {"amt": "a", "username": "default"}),
    "hash_challenge": (smartcar.hash_challenge, {"amt": "a", "challenge": "c"}),
    "set_api_version": (lambda version: None if smartcar.set_api_version(version) else None, {"version": "2.0"}),
    "AuthClient": (lambda **kw: smartcar.AuthClient(**kw).get_auth_url(["read_vin"], {"state": "s"}),
                   {"client_id": "id", "client_secret": "s", "redirect_uri": "http://x/cb", "mode": "test"}),
    "get_auth_url": (lambda **kw: smartcar.AuthClient("id", "s", "http://x/cb").get_auth_url(**kw),
                     {"scope": ["read_vin"], "options": {"state": "s", "single_select": {"vin": "V"},
                                                          "flags": {"a": True}}}),
    "exchange_code": (lambda **kw: smartcar.AuthClient("id", "s", "http://x/cb").exchange_code(**kw),
                      {"code": "c", "options": None}),
    "exchange_refresh_token": (
        lambda **kw: smartcar.AuthClient("id", "s", "http://x/cb").exchange_refresh_token(**kw),
        {"refresh_token": "r", "options": {"flags": {"x": 1}}}),
    "Vehicle": (lambda **kw: smartcar.Vehicle(**kw).odometer(),
                {"vehicle_id": "v", "access_token": "t", "options": {"unit_system": "imperial", "version": "2.0",
                                                                     "flags": {"f": 1}}}),
    "set_unit_system": (lambda **kw: smartcar.Vehicle("v", "t").set_unit_system(**kw), {"unit_system": "metric"}),
    "service_history": (lambda **kw: smartcar.Vehicle("v", "t").service_history(**kw),
                        {"start_date": "2024-01-01", "end_date": "2024-02-01"}),
    "permissions": (lambda **kw: smartcar.Vehicle("v", "t").permissions(**kw), {"paging": {"limit": 1}}),
    "set_charge_limit": (lambda **kw: smartcar.Vehicle("v", "t").set_charge_limit(**kw), {"limit": 0.8}),
    "send_destination": (lambda **kw: smartcar.Vehicle("v", "t").send_destination(**kw),
                         {"latitude": 1.0, "longitude": 2.0}),
    "subscribe": (lambda **kw: smartcar.Vehicle("v", "t").subscribe(**kw), {"webhook_id": "w"}),
    "unsubscribe": (lambda **kw: smartcar.Vehicle("v", "t").unsubscribe(**kw), {"amt": "a", "webhook_id": "w"}),
    "batch": (lambda **kw: smartcar.Vehicle("v", "t").batch(**kw), {"paths": ["/odometer"]}),
    "request": (lambda **kw: smartcar.Vehicle("v", "t").request(**kw),
                {"method": "GET", "path": "odometer", "body": {}, "headers": {"X-A": "b"}}),
    "get_signal": (lambda **kw: smartcar.Vehicle("v", "t").get_signal(**kw), {"signal_code": "odometer"}),
    "Client": (lambda **kw: smartcar.Client(**kw, http_client=CURRENT[-1].sync_client).application_token(),  # type: ignore[attr-defined]
               {"client_id": "id", "client_secret": "s", "max_retries": 0, "retry_budget": 5.0, "timeout": 5.0}),
    "Client.vehicle": (lambda **kw: v3().vehicle(**kw),
                       {"vehicle_id": "v", "user_id": "u"}),
    "connections.page": (lambda **kw: v3().connections.page(**kw),
                         {"page": 1, "page_size": 5, "user_id": "u", "vehicle_id": "v", "mode": "live"}),
    "connections.get": (lambda **kw: v3().connections.get(**kw),
                        {"connection_id": "c"}),
    "users.delete": (lambda **kw: v3().users.delete(**kw), {"user_id": "u"}),
    "v3.signal": (lambda **kw: v3().vehicle("v", "u").signal(**kw),
                  {"code": "odometer-traveleddistance"}),
    "v3.signals_page": (lambda **kw: v3().vehicle("v", "u").signals_page(**kw),
                        {"page": 1, "page_size": 5}),
    "v3.set_charge_limit": (
        lambda **kw: v3().vehicle("v", "u").set_charge_limit(**kw),
        {"percent": 80}),
    "v3.send_destination": (
        lambda **kw: v3().vehicle("v", "u").send_destination(**kw),
        {"latitude": 1.0, "longitude": 2.0}),
    "Client.http_client": (lambda **kw: smartcar.Client("id", "s", **kw).close(), {"http_client": None}),
    "AsyncClient": (lambda **kw: asyncio.run(smartcar.AsyncClient(**kw).aclose()),
                    {"client_id": "id", "client_secret": "s", "max_retries": 0, "http_client": None}),
    "aio.get_user": (lambda **kw: asyncio.run(smartcar.aio.get_user(**kw)), {"access_token": "t"}),
    "aio.get_vehicles": (lambda **kw: asyncio.run(smartcar.aio.get_vehicles(**kw)),
                         {"access_token": "t", "paging": {"limit": 1}}),
    "aio.get_connections": (lambda **kw: asyncio.run(smartcar.aio.get_connections(**kw)),
                            {"amt": "a", "filter": None, "paging": {"limit": 1}}),
    "AsyncVehicle": (lambda **kw: asyncio.run(smartcar.AsyncVehicle(**kw).odometer()),
                     {"vehicle_id": "v", "access_token": "t", "options": None}),
    "AsyncVehicle.request": (lambda **kw: asyncio.run(smartcar.AsyncVehicle("v", "t").request(**kw)),
                             {"method": "POST", "path": "security", "body": {"action": "LOCK"}, "headers": None}),
    "AsyncVehicle.send_destination": (
        lambda **kw: asyncio.run(smartcar.AsyncVehicle("v", "t").send_destination(**kw)),
        {"latitude": 1.0, "longitude": 2.0}),
    "AsyncAuthClient.exchange_code": (
        lambda **kw: asyncio.run(smartcar.AsyncAuthClient("id", "s", "http://x/cb").exchange_code(**kw)),
        {"code": "c", "options": None}),
}
PARAMETERS = sorted((name, parameter) for name, (_, valid) in SIGNATURES.items() for parameter in valid)


def test_garbage_arguments_raise_type_or_value_errors_naming_the_parameter(wire: Wire,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """One parameter at a time gets garbage (the others stay valid); the wire answers ``{}`` (200). The call
    may succeed, or raise ``SmartcarException`` after sending (the body lacks fields); an argument error must
    be a ``TypeError``/``ValueError`` naming the parameter, raised before anything is sent."""
    monkeypatch.setattr(smartcar.smartcar, "API_VERSION", "2.0")
    CURRENT.append(wire)
    for name in ("SMARTCAR_CLIENT_ID", "SMARTCAR_CLIENT_SECRET"):
        monkeypatch.setenv(name, "env-value")
    bad: list[str] = []

    @ARGS
    @given(target=st.sampled_from(PARAMETERS), value=garbage)
    def run(target: tuple[str, str], value: Any) -> None:
        name, parameter = target
        function, valid = SIGNATURES[name]
        wire.reply, wire.token_ok, wire.requests = (200, {"Content-Type": "application/json"}, b"{}"), True, 0
        try:
            function(**{**valid, parameter: value})
        except (TypeError, ValueError) as error:
            if isinstance(error, SmartcarException):
                return
            stem = parameter.split("[")[0]
            if stem.lower() not in str(error).lower() and "Please use a valid API version" not in str(error) \
                    and "unit_system" not in str(error):
                bad.append(f"{name}({parameter}={value!r}): {type(error).__name__} not naming it: {error}")
        except SmartcarException as error:
            if wire.requests == 0 or error.__cause__ is not None and not isinstance(error, SmartcarResponseError):
                bad.append(f"{name}({parameter}={value!r}): SmartcarException for an argument: "
                           f"{error!s:.80} <- {error.__cause__!r:.80}")
        except MissingCredentialsError:
            pass  # documented: falsy credentials fall back to the environment, then raise this
        except Exception as error:  # noqa: BLE001
            bad.append(f"{name}({parameter}={value!r}): {type(error).__name__}: {error!s:.100}")
        finally:
            smartcar.set_api_version("2.0")

    run()
    assert bad == []


def test_verify_payload_never_raises() -> None:
    digest = smartcar.hash_challenge("amt", "body")
    assert smartcar.verify_payload("amt", digest, "body") is True

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(amt=garbage, signature=garbage, body=garbage)
    def run(amt: Any, signature: Any, body: Any) -> None:
        assert smartcar.verify_payload(amt, signature, body) in (True, False)

    run()
    assert smartcar.verify_payload(None, digest, "body") is False  # type: ignore[arg-type]
    assert smartcar.verify_payload("amt", digest, {"a": 1}) is False  # type: ignore[arg-type]
    assert smartcar.verify_payload("amt", digest, None) is False  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="challenge"):
        smartcar.hash_challenge("amt", None)  # type: ignore[arg-type]
