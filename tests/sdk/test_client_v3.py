"""``smartcar.Client`` (API v3) against the emulator: the second backend tutorial's flow, paging, commands,
errors, and the application token (cached, renewed once under concurrency, retried once on 401)."""

from __future__ import annotations

import threading
from typing import Any

import httpx2
import pytest

import smartcar
from smartcar import SignalCode
from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

SCOPES = ["read_vehicle_info", "read_odometer", "read_battery", "read_security", "control_security",
          "read_charge", "control_charge", "control_navigation", "read_location", "read_fuel"]


def connect_user(url: str, client_id: str, email: str = "v3-sdk@example.com", make: str = "TESLA") -> str:
    """Connect through the pages; the app (connect flow "both") gets ``user_id`` on the redirect."""
    params = walk(authorize_url(url, client_id, REDIRECT_URI, SCOPES, state="s", make=make), email=email).params
    assert params["state"] == "s"
    return params["user_id"]


def application_tokens_issued(emulator: EmulatorServer, client_id: str) -> int:
    return sum(1 for t in emulator.platform.tokens.issued(client_id) if t["kind"] == "application")


@pytest.fixture()
def fresh_app(emulator: EmulatorServer) -> Any:
    """An application of its own, so token counts are not shared with other tests."""
    return emulator.register_app(redirect_uris=[REDIRECT_URI])


def test_second_tutorial_flow_in_a_few_lines(emulator, application):
    user_id = connect_user(emulator.url, application.client_id)
    client = smartcar.Client()  # credentials from SMARTCAR_CLIENT_ID / SMARTCAR_CLIENT_SECRET
    connections = list(client.connections.list(user_id=user_id))
    assert len(connections) == 1 and connections[0].user_id == user_id
    vehicle = client.vehicle(connections[0].vehicle_id, user_id=user_id)
    attributes = vehicle.attributes()
    assert attributes.make == "TESLA" and attributes.model and attributes.year > 2000
    assert attributes.id == connections[0].vehicle_id and attributes.mode == "test"
    odometer = vehicle.signal(SignalCode.ODOMETER)
    assert odometer.ok and odometer.body["unit"] == "km" and odometer.value > 0  # production says km
    assert odometer.retrieved_at is not None and odometer.raw["id"] == "odometer-traveleddistance"


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "wrapped"])
def test_vehicle_attributes_read_either_shape(emulator, application, wrapped):
    """The platform answers the bare resource; the docs show it in a "data" envelope. Both read the same."""
    user_id = connect_user(emulator.url, application.client_id, email=f"v3-shape-{wrapped}@example.com")
    client = smartcar.Client(application.client_id, application.client_secret)
    vehicle_id = next(client.connections.list(user_id=user_id)).vehicle_id
    emulator.platform.v3_vehicle_wrapped = wrapped
    try:
        attributes = client.vehicle(vehicle_id, user_id).attributes()
    finally:
        emulator.platform.v3_vehicle_wrapped = False
    assert (attributes.id, attributes.make, attributes.mode) == (vehicle_id, "TESLA", "test")


def test_signals_list_and_commands_change_state(emulator, application):
    user_id = connect_user(emulator.url, application.client_id, email="v3-cmd@example.com")
    client = smartcar.Client(application.client_id, application.client_secret)
    vehicle_id = next(client.connections.list(user_id=user_id)).vehicle_id
    vehicle = client.vehicle(vehicle_id, user_id)
    signals = {s.code: s for s in vehicle.signals()}
    assert {"odometer-traveleddistance", "closure-islocked", "tractionbattery-stateofcharge"} <= signals.keys()
    assert len(signals) > 10  # more than one default page of 10

    execution = vehicle.unlock()
    assert execution.status == "SUCCESS" and execution.command_type == "security-unlock"
    assert vehicle.signal("closure-islocked").value is False
    assert vehicle.lock().status == "SUCCESS" and vehicle.signal("closure-islocked").value is True
    assert vehicle.set_charge_limit(85).parameters == {"percent": 85}
    limits = vehicle.signal(SignalCode.CHARGE_LIMITS).body
    assert limits["values"] == [{"type": "GLOBAL", "limit": 85}]
    plugged = vehicle.signal(SignalCode.CHARGE_IS_CABLE_CONNECTED).value
    assert limits["activeLimit"] == (85 if plugged else None)  # a number only while plugged in (the docs)


def test_connections_paging_and_get_and_delete(emulator, fresh_app):
    user_id = connect_user(emulator.url, fresh_app.client_id, email="3-vehicles@smartcar.com", make="KIA")
    client = smartcar.Client(fresh_app.client_id, fresh_app.client_secret)
    first = client.connections.page(1, 2, user_id=user_id)
    assert len(first) == 2 and first.total_count == 3 and first.has_next
    every = list(client.connections.list(user_id=user_id, page_size=2))
    assert len({c.id for c in every}) == 3
    assert client.connections.get(every[0].id).vehicle_id == every[0].vehicle_id
    client.connections.delete(every[0].id)
    assert len(list(client.connections.list(user_id=user_id))) == 2
    client.users.delete(user_id)
    assert list(client.connections.list(user_id=user_id)) == []


def test_v3_errors_are_smartcar_exceptions_with_v2_attributes(emulator, application):
    user_id = connect_user(emulator.url, application.client_id, email="v3-err@example.com")
    client = smartcar.Client(application.client_id, application.client_secret)
    vehicle_id = next(client.connections.list(user_id=user_id)).vehicle_id
    # A signal the vehicle cannot serve is answered (status ERROR), not raised: per-signal errors, as production.
    fuel = client.vehicle(vehicle_id, user_id).signal("internalcombustionengine-fuellevel")  # a BEV
    assert not fuel.ok and fuel.error is not None
    assert (fuel.error.type, fuel.error.code) == ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.vehicle(vehicle_id, user_id).signal("charge-warpdrive")  # no such signal: a request error
    error = caught.value
    assert (error.status_code, error.type) == (404, "RESOURCE_NOT_FOUND")
    assert error.message.startswith("RESOURCE_NOT_FOUND") and len(error.request_id) == 36
    with pytest.raises(smartcar.SmartcarException) as missing:
        client.vehicle(vehicle_id, None).signals()  # no sc-user-id with an application token
    assert missing.value.status_code == 400 and missing.value.type == "VALIDATION"


def test_wrong_credentials_and_missing_credentials(emulator, application, monkeypatch):
    with pytest.raises(smartcar.SmartcarException) as caught:
        smartcar.Client(application.client_id, "wrong").application_token()
    assert caught.value.status_code == 401 and caught.value.type == "invalid_client"
    monkeypatch.delenv("SMARTCAR_CLIENT_SECRET")
    with pytest.raises(smartcar.MissingCredentialsError) as missing:
        smartcar.Client()
    assert not isinstance(missing.value, smartcar.SmartcarException)
    assert "SMARTCAR_CLIENT_SECRET" in str(missing.value)


def test_token_is_cached(emulator, fresh_app):
    client = smartcar.Client(fresh_app.client_id, fresh_app.client_secret)
    for _ in range(5):
        list(client.connections.list())
    assert application_tokens_issued(emulator, fresh_app.client_id) == 1


def test_32_threads_at_once_fetch_exactly_one_token(emulator, fresh_app):
    client = smartcar.Client(fresh_app.client_id, fresh_app.client_secret)
    barrier = threading.Barrier(32)
    tokens: list[str] = []

    def ask() -> None:
        barrier.wait()
        tokens.append(client.application_token())

    threads = [threading.Thread(target=ask) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 32 and len(set(tokens)) == 1
    assert application_tokens_issued(emulator, fresh_app.client_id) == 1


def test_a_401_renews_the_token_once_and_retries(monkeypatch):
    """The emulator's clock jumps past the token's hour: the next call gets 401, renews, and succeeds."""
    with EmulatorServer() as own:
        app = own.register_app()
        monkeypatch.setattr(smartcar.config, "VEHICLE_API_ORIGIN", own.url)
        monkeypatch.setattr(smartcar.config, "IAM_ORIGIN", own.url)
        client = smartcar.Client(app.client_id, app.client_secret)
        first = client.application_token()
        own.platform.clock.advance(3601)
        assert list(client.connections.list()) == []
        assert client.application_token() != first
        assert application_tokens_issued(own, app.client_id) == 2


def test_raw_http_version_of_the_tutorial(emulator, application):
    """The tutorial's own raw-HTTP calls with the origins swapped: token, connections, vehicle."""
    user_id = connect_user(emulator.url, application.client_id, email="raw-http@example.com")
    token = httpx2.post(f"{emulator.url}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": application.client_id,
        "client_secret": application.client_secret}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "sc-user-id": user_id}
    connections = httpx2.get(f"{emulator.url}/v3/connections", headers=headers,
                            params={"filter[userId]": user_id}).json()
    vehicle_id = connections["data"][0]["relationships"]["vehicle"]["data"]["id"]
    vehicle = httpx2.get(f"{emulator.url}/v3/vehicles/{vehicle_id}", headers=headers).json()
    assert vehicle["id"] == vehicle_id and vehicle["attributes"]["make"] == "TESLA"  # the bare resource
