"""Transport: pooled keep-alive client, User-Agent, wire details, and the ``requester`` patch point."""

from __future__ import annotations

import json
import re
from unittest import mock

import httpx2
import pytest

import smartcar
from smartcar import _transport, config, helpers

from .conftest import AMT, Reply, StubServer


@pytest.fixture
def stubbed(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> StubServer:
    for name in ("API_ORIGIN", "MANAGEMENT_API_ORIGIN", "VEHICLE_API_ORIGIN"):
        monkeypatch.setattr(config, name, stub.url)
    monkeypatch.setattr(config, "AUTH_ORIGIN", f"{stub.url}/oauth/token")
    return stub


def test_user_agent_and_keep_alive(stubbed: StubServer) -> None:
    stubbed.reply = Reply(200, {"id": "u"}, {"sc-request-id": "r"})
    assert smartcar.get_user("t1") == ("u", ("r",))
    smartcar.get_user("t2")
    agent = stubbed.seen[0].headers["User-Agent"]
    assert re.fullmatch(r"Smartcar/6\.19\.1\([^;]+; [^)]*\) Python v\d+\.\d+\.\d+\S*", agent), agent
    assert stubbed.seen[0].port == stubbed.seen[1].port  # one pooled connection reused


def test_default_timeout_and_configure() -> None:
    assert _transport.DEFAULT_TIMEOUT == 310
    assert _transport.get_transport().client.timeout == httpx2.Timeout(310)
    own = httpx2.Client()
    try:
        assert smartcar.configure_http(http_client=own).client is own
    finally:
        smartcar.configure_http()
        own.close()
    assert _transport.get_transport().client is not own


def test_vehicle_headers_and_bodies_on_the_wire(stubbed: StubServer) -> None:
    car = smartcar.Vehicle("vid", "tok", {"unit_system": "imperial", "flags": {"a": True}})
    stubbed.reply = Reply(200, {"distance": 1})
    car.odometer()
    get = stubbed.seen[-1]
    assert get.path == "/v2.0/vehicles/vid/odometer?flags=a:true"
    assert get.headers["Authorization"] == "Bearer tok" and get.headers["sc-unit-system"] == "imperial"
    assert get.body == b""
    stubbed.reply = Reply(200, {"status": "success", "message": "ok"})
    car.lock()
    post = stubbed.seen[-1]
    assert "sc-unit-system" not in post.headers and json.loads(post.body) == {"action": "LOCK"}
    assert post.headers["Content-Type"] == "application/json"
    stubbed.reply = Reply(200, {"status": "success"})
    car.unsubscribe(AMT, "wh")
    delete = stubbed.seen[-1]
    assert delete.method == "DELETE" and delete.headers["Authorization"] == f"Bearer {AMT}"
    assert "sc-unit-system" not in delete.headers
    stubbed.reply = Reply(200, {"webhookId": "wh", "vehicleId": "vid"})
    car.subscribe("wh")
    assert stubbed.seen[-1].body == b"" and "sc-unit-system" not in stubbed.seen[-1].headers
    stubbed.reply = Reply(200, {"x": 1})
    car.request("GET", "custom")
    assert stubbed.seen[-1].body == b"{}"  # the official default body
    car.request("GET", "custom", None)
    assert stubbed.seen[-1].body == b""


def test_token_exchange_is_form_encoded_with_basic_auth(stubbed: StubServer) -> None:
    stubbed.reply = Reply(200, {"access_token": "a", "token_type": "Bearer", "expires_in": 7200,
                                "refresh_token": "r", "extra": 1})
    client = smartcar.AuthClient("cid", "csec", "https://ex.com/cb")
    access = client.exchange_code("the-code", {"flags": {"f": True}})
    assert access.access_token == "a" and access.expires_in == 7200
    seen = stubbed.seen[-1]
    assert seen.path == "/oauth/token?flags=f%3Atrue"
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.headers["Authorization"] == "Basic Y2lkOmNzZWM="
    assert seen.body == b"grant_type=authorization_code&code=the-code&redirect_uri=https%3A%2F%2Fex.com%2Fcb"


def test_management_request(stubbed: StubServer) -> None:
    stubbed.reply = Reply(200, {"connections": [{"vehicleId": "v", "userId": "u", "connectedAt": "t"}],
                                "paging": {"cursor": "c"}})
    result = smartcar.get_connections(AMT, {"user_id": "u", "vehicle_id": None}, {"limit": 1})
    assert result.paging.cursor == "c" and result.connections[0] == ("v", "u", "t") and result.meta is None
    seen = stubbed.seen[-1]
    assert seen.path == "/v2.0/management/connections/?user_id=u&limit=1"
    assert seen.headers["Authorization"] == "Basic ZGVmYXVsdDp0ZXN0LWFtdA=="


def test_requester_returns_a_requests_like_response(stubbed: StubServer) -> None:
    stubbed.reply = Reply(201, {"a": 1}, {"X-Thing": "y"})
    headers = {"X-Mine": "1"}
    response = helpers.requester("GET", stubbed.url + "/anything", headers=headers, params={"p": None, "q": 2})
    assert response.ok and response.status_code == 201 and response.json() == {"a": 1}
    assert response.headers["x-thing"] == "y" and json.loads(response.text) == {"a": 1}
    assert headers == {"X-Mine": "1"}  # not mutated
    assert stubbed.seen[-1].path == "/anything?q=2"


def test_patching_requester_intercepts_everything(tesla: dict[str, str]) -> None:
    fake = httpx2.Response(200, json={"distance": 42}, headers={"SC-Request-Id": "rid"})
    with mock.patch("smartcar.helpers.requester", return_value=fake) as patched:
        odometer = smartcar.Vehicle("vid", "tok").odometer()
    assert odometer.distance == 42 and odometer.meta.request_id == "rid"
    method, url = patched.call_args.args
    assert method == "GET" and url == f"{config.API_ORIGIN}/v2.0/vehicles/vid/odometer"
    assert patched.call_args.kwargs["headers"] == {"Authorization": "Bearer tok", "sc-unit-system": "metric"}
