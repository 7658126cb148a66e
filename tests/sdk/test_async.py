"""Async parity: every scenario is written once and run through the sync objects and their async twins
(``Vehicle``/``AsyncVehicle``, ``smartcar``/``smartcar.aio``, ``AuthClient``/``AsyncAuthClient``,
``Client``/``AsyncClient``); results and exception attributes must be equal. No pytest-asyncio: each run is
an ``asyncio.run``. A simulated vehicle reads its exact state, so two reads give equal values."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx2
import pytest

import smartcar
import smartcar.aio
from smartcar import helpers
from smartcar.v3_response import AttrDict

from .conftest import AMT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

SYNC = SimpleNamespace(Vehicle=smartcar.Vehicle, AuthClient=smartcar.AuthClient, Client=smartcar.Client,
                       get_user=smartcar.get_user, get_vehicles=smartcar.get_vehicles,
                       get_vehicle=smartcar.get_vehicle, get_compatibility=smartcar.get_compatibility,
                       get_compatibility_matrix=smartcar.get_compatibility_matrix,
                       get_connections=smartcar.get_connections)
ASYNC = SimpleNamespace(Vehicle=smartcar.AsyncVehicle, AuthClient=smartcar.AsyncAuthClient,
                        Client=smartcar.AsyncClient, get_user=smartcar.aio.get_user,
                        get_vehicles=smartcar.aio.get_vehicles, get_vehicle=smartcar.aio.get_vehicle,
                        get_compatibility=smartcar.aio.get_compatibility,
                        get_compatibility_matrix=smartcar.aio.get_compatibility_matrix,
                        get_connections=smartcar.aio.get_connections)

Scenario = Callable[[SimpleNamespace, dict[str, Any]], Awaitable[Any]]


async def r(value: Any) -> Any:
    """Await a coroutine (async API) or pass a value through (sync API)."""
    return await value if inspect.isawaitable(value) else value


async def collect(items: Any) -> list[Any]:
    """A list from an iterator or an async iterator."""
    if hasattr(items, "__aiter__"):
        return [item async for item in items]
    return list(items)


VOLATILE = {"request_id", "meta", "raw", "headers", "id", "retrieved_at", "oem_updated_at", "ingested_at", "expiration",
            "refresh_expiration", "access_token", "refresh_token", "created_at"}


def norm(value: Any) -> Any:
    """A comparable form: exception attributes, tuple fields, dataclass fields, without per-request values."""
    if isinstance(value, BaseException):
        return ("raised", type(value).__name__,
                {k: norm(v) for k, v in vars(value).items() if k not in VOLATILE})
    if isinstance(value, AttrDict):
        return norm(value["body"])
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return (type(value).__name__, {k: norm(v) for k, v in value._asdict().items() if k not in VOLATILE})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {f.name: norm(getattr(value, f.name)) for f in dataclasses.fields(value)
                                       if f.name not in VOLATILE})
    if callable(value):  # a batch item
        try:
            return norm(value())
        except Exception as exc:
            return norm(exc)
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items() if k not in VOLATILE}
    return value


def outcome(api: SimpleNamespace, scenario: Scenario, car: dict[str, Any]) -> Any:
    async def go() -> Any:
        try:
            return norm(await scenario(api, car))
        except Exception as exc:
            return norm(exc)

    return asyncio.run(go())


# -- Scenarios: written once, awaited through either API -----------------------------------------------------------
def vehicle(api: SimpleNamespace, car: dict[str, Any], **options: Any) -> Any:
    return api.Vehicle(car["vehicle_id"], car["access_token"], options or None)


async def attributes(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    return await r(vehicle(api, car).attributes())


async def odometer_imperial(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    return await r(vehicle(api, car, unit_system="imperial").odometer())


async def reads(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    v = vehicle(api, car)
    return [await r(v.vin()), await r(v.battery()), await r(v.charge()), await r(v.location()),
            await r(v.lock_status()), await r(v.get_charge_limit()), await r(v.permissions({"limit": 3})),
            await r(v.tire_pressure()), await r(v.info())]


async def batch(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    return await r(vehicle(api, car).batch(["/odometer", "/location", "/fuel", "/tires/pressure"]))


async def commands(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    v = vehicle(api, car)
    return [await r(v.unlock()), await r(v.lock()), await r(v.request("get", "security"))]


async def v3_signals(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    v = vehicle(api, car)
    return [await r(v.get_signal("odometer-traveleddistance")), await r(api.get_vehicle(car["access_token"],
                                                                                      car["vehicle_id"]))]


async def not_capable_error(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    return await r(vehicle(api, car).fuel())  # a Tesla has no fuel tank


async def bad_token_error(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    return await r(api.Vehicle(car["vehicle_id"], "not-a-token").odometer())


async def module_functions(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    user = await r(api.get_user(car["access_token"]))
    vehicles = await r(api.get_vehicles(car["access_token"], {"limit": 5}))
    compatibility = await r(api.get_compatibility("5YJSA1E29LF000000", ["read_odometer"], "US",
                                                  {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
    matrix = await r(api.get_compatibility_matrix("US", "NISSAN"))
    connections = await r(api.get_connections(AMT, {"vehicle_id": car["vehicle_id"]}))
    return [user.id == car["user_id"], vehicles, compatibility, matrix, connections]


async def auth_errors(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    client = api.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, mode="simulated")
    try:
        await r(client.exchange_code("no-such-code"))
    except smartcar.SmartcarException as exc:
        return [client.get_auth_url(["read_odometer"], {"state": "s"}), exc]
    raise AssertionError("an unknown code was exchanged")


async def v3_client(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    client = api.Client(CLIENT_ID, CLIENT_SECRET)
    try:
        connections = await collect(client.connections.list(vehicle_id=car["vehicle_id"]))
        v = client.vehicle(car["vehicle_id"], car["user_id"])
        signals = await r(v.signals())
        return [connections, await r(v.attributes()), await r(v.signal(smartcar.SignalCode.ODOMETER)),
                sorted(s.code for s in signals), await r(v.unlock()), await r(v.lock()),
                await r(v.set_charge_limit(80))]
    finally:
        await r(client.aclose() if hasattr(client, "aclose") else client.close())


async def v3_errors(api: SimpleNamespace, car: dict[str, Any]) -> Any:
    client = api.Client(CLIENT_ID, CLIENT_SECRET)
    return await r(client.vehicle(car["vehicle_id"], None).signals())  # no sc-user-id: VALIDATION


SCENARIOS: dict[str, Scenario] = {f.__name__: f for f in (
    attributes, odometer_imperial, reads, batch, commands, v3_signals, not_capable_error, bad_token_error,
    module_functions, auth_errors, v3_client, v3_errors)}
ERRORS = {"not_capable_error", "bad_token_error", "v3_errors"}


@pytest.fixture(scope="module")
def car(connect_vehicle: Any, emulator: Any) -> dict[str, Any]:
    """A simulated Tesla of this module's own (exact readings), with its user id."""
    tokens = connect_vehicle(make="TESLA", mode="simulated", email="sdk-async-parity@example.com")
    user = httpx2.get(f"{emulator.url}/v2.0/user", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    return {"vehicle_id": tokens["vehicle_ids"][0], "access_token": tokens["access_token"],
            "user_id": user.json()["id"]}


@pytest.mark.parametrize("name", SCENARIOS)
def test_sync_and_async_give_equal_results(name: str, car: dict[str, Any]) -> None:
    sync = outcome(SYNC, SCENARIOS[name], car)
    async_ = outcome(ASYNC, SCENARIOS[name], car)
    assert sync == async_
    raised = isinstance(sync, tuple) and sync[0] == "raised"
    assert raised == (name in ERRORS), sync


def test_outcomes_have_the_expected_content(car: dict[str, Any]) -> None:
    """Spot checks, so that equal results are also the right ones."""
    error = outcome(ASYNC, not_capable_error, car)
    assert error[1] == "SmartcarException" and error[2]["status_code"] == 501
    assert error[2]["type"] == "COMPATIBILITY"
    assert outcome(ASYNC, bad_token_error, car)[2]["status_code"] == 401
    items = outcome(ASYNC, batch, car)[1]
    assert items["odometer"][0] == "Odometer" and items["fuel"][0] == "raised"
    unlock, lock, security = outcome(ASYNC, commands, car)
    assert unlock[1]["status"] == "success" and security[0] == "Response"
    assert outcome(ASYNC, odometer_imperial, car)[1]["distance"] > 0
    everything = outcome(ASYNC, v3_client, car)
    assert everything[0][0][1]["vehicle_id"] == car["vehicle_id"]
    assert everything[4][1]["command_type"] == "security-unlock" and everything[4][1]["status"] == "SUCCESS"
    assert outcome(ASYNC, module_functions, car)[0] is True
    url, exchange = outcome(ASYNC, auth_errors, car)
    assert url.startswith("http") and exchange[0] == "raised" and exchange[2]["status_code"] == 400


def test_async_requester_is_the_patch_point_and_gets_the_same_arguments(car: dict[str, Any]) -> None:
    fake = httpx2.Response(200, json={"distance": 42}, headers={"SC-Request-Id": "rid"})
    with mock.patch("smartcar.helpers.requester", return_value=fake) as sync_spy:
        smartcar.Vehicle("vid", "tok", {"flags": {"a": True}}).odometer()
    with mock.patch("smartcar.helpers.async_requester", return_value=fake) as async_spy:
        odometer = asyncio.run(smartcar.AsyncVehicle("vid", "tok", {"flags": {"a": True}}).odometer())
    assert odometer.distance == 42 and odometer.meta.request_id == "rid"
    assert async_spy.await_count == 1 and async_spy.call_args == sync_spy.call_args


def test_async_module_surface_matches_sync() -> None:
    for name in ("get_user", "get_vehicles", "get_vehicle", "get_compatibility", "get_compatibility_matrix",
                 "get_connections", "delete_connections"):
        sync_fn, async_fn = getattr(smartcar, name), getattr(smartcar.aio, name)
        assert inspect.iscoroutinefunction(async_fn)
        assert list(inspect.signature(async_fn).parameters) == list(inspect.signature(sync_fn).parameters)
    for sync_cls, async_cls in ((smartcar.Vehicle, smartcar.AsyncVehicle),
                                (smartcar.AuthClient, smartcar.AsyncAuthClient),
                                (smartcar.Client, smartcar.AsyncClient),
                                (smartcar.v3.Vehicle, smartcar.v3.AsyncVehicle)):
        public = {n for n in dir(sync_cls) if not n.startswith("_")} - {"close"}
        assert public <= set(dir(async_cls)), public - set(dir(async_cls))
        for method in public:
            if inspect.iscoroutinefunction(getattr(async_cls, method)):
                assert (list(inspect.signature(getattr(async_cls, method)).parameters)
                        == list(inspect.signature(getattr(sync_cls, method)).parameters)), method
    assert smartcar.aio.hash_challenge is smartcar.hash_challenge


def test_clients_close_their_connections() -> None:
    with smartcar.Client(CLIENT_ID, CLIENT_SECRET) as client:
        token = client.application_token()
        http = client._transport.client
        assert token and not http.is_closed
    assert http.is_closed

    async def go() -> tuple[bool, bool]:
        async with smartcar.AsyncClient(CLIENT_ID, CLIENT_SECRET) as client:
            assert await client.application_token()
            http = client._transport.client
            open_inside = not http.is_closed
        return open_inside, http.is_closed

    assert asyncio.run(go()) == (True, True)
    own = httpx2.Client()
    with smartcar.Client(CLIENT_ID, CLIENT_SECRET, http_client=own) as client:
        client.application_token()
    assert not own.is_closed  # yours stays yours
    own.close()


def test_process_wide_async_pool_survives_several_event_loops(car: dict[str, Any]) -> None:
    for _ in range(2):
        async def go() -> Any:
            user = await smartcar.aio.get_user(car["access_token"])
            await smartcar.aio.aclose()
            return user

        assert asyncio.run(go()).id == car["user_id"]


def test_async_token_is_fetched_once_for_concurrent_tasks(emulator: Any) -> None:
    app = emulator.register_app(redirect_uris=[REDIRECT_URI])

    async def go() -> set[str]:
        async with smartcar.AsyncClient(app.client_id, app.client_secret) as client:
            return set(await asyncio.gather(*(client.application_token() for _ in range(20))))

    assert len(asyncio.run(go())) == 1
    issued = [t for t in emulator.platform.tokens.issued(app.client_id) if t["kind"] == "application"]
    assert len(issued) == 1


def test_async_v3_401_renews_the_token_once(emulator: Any) -> None:
    app = emulator.register_app(redirect_uris=[REDIRECT_URI])

    async def go() -> tuple[str, str, int]:
        async with smartcar.AsyncClient(app.client_id, app.client_secret) as client:
            first = await client.application_token()
            client._tokens._current = ("revoked-token", client._tokens._current[1])  # the server says 401
            page = await client.connections.page()
            return first, await client.application_token(), len(page)

    first, second, count = asyncio.run(go())
    assert first != second and second != "revoked-token" and count == 0


def test_helpers_async_requester_maps_errors_like_requester(car: dict[str, Any]) -> None:
    url = f"{smartcar.config.API_ORIGIN}/v2.0/vehicles/{car['vehicle_id']}/odometer"
    with pytest.raises(smartcar.SmartcarException) as sync_error:
        helpers.requester("GET", url, headers={"Authorization": "Bearer nope"})
    with pytest.raises(smartcar.SmartcarException) as async_error:
        asyncio.run(helpers.async_requester("GET", url, headers={"Authorization": "Bearer nope"}))
    assert norm(sync_error.value) == norm(async_error.value) and sync_error.value.status_code == 401
    with pytest.raises(smartcar.SmartcarException) as transport_error:
        asyncio.run(helpers.async_requester("GET", "http://127.0.0.1:1/nothing"))
    assert transport_error.value.message == "SDK_ERROR" and isinstance(transport_error.value.__cause__,
                                                                       httpx2.ConnectError)
