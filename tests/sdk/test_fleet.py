"""``smartcar.fleet``: bounded fan-out, results as they complete, one vehicle's error never stops the others.

Fault injection runs on this module's own emulator so the shared session emulator is not disturbed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar import config, fleet
from smartcar.exception import SmartcarException
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

REDIRECT = "http://localhost:8000/exchange"
SCOPES = ["read_vehicle_info", "read_odometer", "read_battery", "read_location", "read_charge"]


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, Any]]:
    """An emulator of our own with six connected test vehicles (faults are added per test, then cleared)."""
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT], client_id="fleet-client", client_secret="fleet-secret")
        tokens = connect(emulator.url, "fleet-client", "fleet-secret", REDIRECT, SCOPES,
                         email="6-vehicles@smartcar.com")
        yield {"emulator": emulator, **tokens}


@pytest.fixture
def on_faulty(faulty: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Point the SDK at the module's own emulator; clear its fault rules afterwards."""
    url = faulty["emulator"].url
    for name in ("API_ORIGIN", "VEHICLE_API_ORIGIN", "IAM_ORIGIN"):
        monkeypatch.setattr(config, name, url)
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", "fleet-client")
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", "fleet-secret")
    yield faulty
    httpx2.delete(f"{url}/_emulator/faults").raise_for_status()


def add_fault(url: str, **rule: Any) -> None:
    httpx2.post(f"{url}/_emulator/faults", json=rule).raise_for_status()


async def collect(results: Any) -> list[fleet.FleetResult[Any]]:
    return [result async for result in results]


# -- Against the shared emulator -------------------------------------------------------------------------------
def test_v3_snapshot_reads_attributes_and_chosen_signals(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="4-vehicles@smartcar.com", scopes=SCOPES)

    async def run() -> list[fleet.FleetResult[Any]]:
        async with fleet.Fleet(concurrency=3) as reader:
            connections = await reader.connections(user_id=tokens["user_id"])
            # other tests may connect this login with other makes: keep the vehicles connected here
            connections = [c for c in connections if c.vehicle_id in tokens["vehicle_ids"]]
            assert len(connections) == 4
            return await collect(reader.snapshot(connections, signals=["odometer-traveleddistance"]))

    results = asyncio.run(run())
    assert sorted(r.vehicle_id for r in results) == sorted(tokens["vehicle_ids"])
    for result in results:
        assert result.ok and result.user_id == tokens["user_id"]
        assert result.value["attributes"].make == "TESLA"
        assert list(result.value["signals"]) == ["odometer-traveleddistance"]
        assert result.value["signals"]["odometer-traveleddistance"].value > 0


def test_v2_snapshot_with_a_user_token_batches_paths(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="9-vehicles@smartcar.com", scopes=SCOPES)

    async def run() -> tuple[list[str], list[fleet.FleetResult[Any]]]:
        async with fleet.Fleet() as reader:
            ids = await reader.vehicle_ids(tokens["access_token"])
            mine = [vid for vid in ids if vid in tokens["vehicle_ids"]]  # the login may hold other makes too
            return ids, await collect(reader.snapshot_v2(mine, tokens["access_token"], paths=["/odometer", "/battery"]))

    ids, results = asyncio.run(run())
    assert set(tokens["vehicle_ids"]) <= set(ids) and len(tokens["vehicle_ids"]) == 9
    assert {r.vehicle_id for r in results} == set(tokens["vehicle_ids"])
    for result in results:
        assert result.value.odometer().distance > 0
        assert 0 <= result.value.battery().percent_remaining <= 1


def test_iter_sync_serves_plain_scripts(tesla: dict[str, Any]) -> None:
    ids = tesla["vehicle_ids"] + ["00000000-0000-4000-8000-000000000000"]
    results = list(fleet.iter_sync(lambda f: f.snapshot_v2(ids, tesla["access_token"], paths=["/odometer"])))
    by_id = {r.vehicle_id: r for r in results}
    assert by_id[tesla["vehicle_ids"][0]].unwrap().distance > 0
    stranger = by_id["00000000-0000-4000-8000-000000000000"]
    assert isinstance(stranger.error, SmartcarException) and fleet.error_kind(stranger.error) == "PERMISSION"
    with pytest.raises(SmartcarException):
        stranger.unwrap()


# -- Error isolation with injected faults (own emulator) -------------------------------------------------------
def test_faults_on_some_vehicles_do_not_abort_the_others_v2(on_faulty: dict[str, Any]) -> None:
    url, ids, token = on_faulty["emulator"].url, on_faulty["vehicle_ids"], on_faulty["access_token"]
    add_fault(url, kind="asleep", vehicle_id=ids[0])
    add_fault(url, kind="rate_limit", vehicle_id=ids[1], retry_after=7)
    add_fault(url, kind="server", vehicle_id=ids[2])

    async def run() -> list[fleet.FleetResult[Any]]:
        # No retry of the 500, and the endless 429 (a rule without a count) is given up at once.
        async with fleet.Fleet(concurrency=2, max_retries=0, retry_rate_limited_for=0) as reader:
            return await collect(reader.snapshot_v2(ids, token, paths=["/odometer"]))

    results = asyncio.run(run())
    assert sorted(r.vehicle_id for r in results) == sorted(ids)  # every vehicle exactly once
    kinds = {r.vehicle_id: (fleet.error_kind(r.error) if r.error else "ok") for r in results}
    assert kinds[ids[0]] == "VEHICLE_STATE:ASLEEP"
    assert kinds[ids[1]] == "RATE_LIMIT:VEHICLE"
    assert kinds[ids[2]] == "SERVER:INTERNAL"
    assert [kinds[v] for v in ids[3:]] == ["ok", "ok", "ok"]
    rate_limited = next(r for r in results if r.vehicle_id == ids[1])
    assert str(getattr(rate_limited.error, "retry_after")) == "7"


def test_faults_on_some_vehicles_do_not_abort_the_others_v3(on_faulty: dict[str, Any]) -> None:
    url, ids = on_faulty["emulator"].url, on_faulty["vehicle_ids"]
    add_fault(url, kind="unreachable", vehicle_id=ids[4])
    add_fault(url, kind="billing", vehicle_id=ids[5])

    async def run() -> list[fleet.FleetResult[Any]]:
        async with fleet.Fleet(max_retries=0) as reader:
            connections = await reader.connections(user_id=on_faulty["user_id"])
            return await collect(reader.snapshot(connections, signals=["tractionbattery-stateofcharge"]))

    results = asyncio.run(run())
    failed = {r.vehicle_id: fleet.error_kind(r.error) for r in results if r.error is not None}
    assert failed == {ids[4]: "VEHICLE_STATE:UNREACHABLE", ids[5]: "BILLING:VEHICLE_REQUEST_LIMIT"}
    assert sum(r.ok for r in results) == 4


@pytest.mark.parametrize("stack", ["threads", "async"])
def test_both_stacks_give_the_same_results_and_errors(on_faulty: dict[str, Any], stack: str) -> None:
    """Default: sync httpx2.Client in a thread pool; with an httpx2.AsyncClient: the event loop. Same outcome."""
    url, ids, token = on_faulty["emulator"].url, on_faulty["vehicle_ids"], on_faulty["access_token"]
    add_fault(url, kind="asleep", vehicle_id=ids[0])

    async def run() -> tuple[list[fleet.FleetResult[Any]], list[fleet.FleetResult[Any]]]:
        http: Any = httpx2.AsyncClient() if stack == "async" else httpx2.Client()
        try:
            async with fleet.Fleet(concurrency=2, max_retries=0, http_client=http) as reader:
                v2 = await collect(reader.snapshot_v2(ids, token, paths=["/odometer"], concurrency=4))
                connections = await reader.connections(user_id=on_faulty["user_id"])
                v3 = await collect(reader.snapshot(connections, signals=["odometer-traveleddistance"]))
        finally:
            await http.aclose() if stack == "async" else http.close()
        return v2, v3

    v2, v3 = asyncio.run(run())
    for results in (v2, v3):
        assert sorted(r.vehicle_id for r in results) == sorted(ids)
        failed = {r.vehicle_id: fleet.error_kind(r.error) for r in results if r.error is not None}
        assert failed == {ids[0]: "VEHICLE_STATE:ASLEEP"}
    assert all(r.value.distance > 0 for r in v2 if r.ok)
    assert all(r.value["signals"]["odometer-traveleddistance"].value > 0 for r in v3 if r.ok)


# -- The generic fan-out ---------------------------------------------------------------------------------------
def test_fan_out_bounds_concurrency_and_yields_in_completion_order() -> None:
    async def run() -> tuple[int, list[str]]:
        gate = asyncio.Event()
        active = peak = 0

        async def fetch(vid: str) -> str:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            if vid != "v2":
                await gate.wait()  # everything but v2 waits until the first result has been received
            active -= 1
            return vid.upper()

        order = []
        async for result in fleet.fan_out([f"v{i}" for i in range(10)], fetch, key=fleet.as_target, concurrency=3):
            order.append(result.value)
            gate.set()
        return peak, order

    peak, order = asyncio.run(run())
    assert peak == 3
    assert order[0] == "V2"  # v2 completes first, whatever the input order
    assert sorted(order) == sorted(f"V{i}" for i in range(10))


def test_fan_out_turns_exceptions_into_results_and_cancels_on_early_exit() -> None:
    cancelled: list[str] = []

    async def run() -> list[fleet.FleetResult[int]]:
        never = asyncio.Event()

        async def fetch(vid: str) -> int:
            if vid == "boom":
                raise KeyError("malformed")
            if vid == "slow":
                try:
                    await never.wait()
                except asyncio.CancelledError:
                    cancelled.append(vid)
                    raise
            return len(vid)

        seen = []
        async for result in fleet.fan_out(["boom", "slow", "ok"], fetch, key=fleet.as_target, concurrency=3):
            seen.append(result)
            if len(seen) == 2:
                break
        return seen

    seen = asyncio.run(run())
    by_id = {r.vehicle_id: r for r in seen}
    assert isinstance(by_id["boom"].error, KeyError) and fleet.error_kind(by_id["boom"].error) == "KeyError"
    assert by_id["ok"].value == 2
    assert cancelled == ["slow"]


def test_fan_out_rejects_zero_concurrency() -> None:
    async def run() -> None:
        async for _ in fleet.fan_out(["a"], lambda v: asyncio.sleep(0), key=fleet.as_target, concurrency=0):
            pass

    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(run())


def test_targets_from_connections_pairs_and_ids() -> None:
    from smartcar.v3.models import Connection

    connection = Connection("c1", "user-a", "veh-1", (), None, None, {})
    assert fleet.as_target(connection, "other") == fleet.Target("veh-1", "user-a")
    assert fleet.as_target(("veh-2", None), "user-b") == fleet.Target("veh-2", "user-b")
    assert fleet.as_target("veh-3", "user-c") == fleet.Target("veh-3", "user-c")
