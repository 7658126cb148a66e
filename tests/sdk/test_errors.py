"""Every SmartcarException family: from the emulator where it can produce it, else from a local stub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

import smartcar
from smartcar import config
from smartcar.exception import SmartcarException, SmartcarResponseError, exception_factory

from .conftest import Reply, StubServer


def _car(tokens: dict[str, Any], **options: Any) -> smartcar.Vehicle:
    return smartcar.Vehicle(tokens["vehicle_ids"][0], tokens["access_token"], options or None)


V2_ATTRS = ["status_code", "request_id", "type", "description", "code", "doc_url", "resolution", "detail",
            "suggested_user_message", "message"]


def test_v2_error_from_the_emulator(connect_vehicle: Any) -> None:
    car = _car(connect_vehicle(email="VEHICLE_STATE.ASLEEP@smartcar.com"))
    with pytest.raises(SmartcarException) as info:
        car.odometer()
    e = info.value
    assert list(vars(e)) == V2_ATTRS
    assert (e.type, e.code, e.status_code) == ("VEHICLE_STATE", "ASLEEP", 409)
    assert str(e) == f"VEHICLE_STATE:ASLEEP - {e.description}" and e.request_id
    assert e.resolution == {"type": None, "url": None}  # the catalogue gives ASLEEP a null resolution
    batch = car.batch(["/odometer", "/location"])
    with pytest.raises(SmartcarException) as item:
        batch.location()
    assert item.value.code == "ASLEEP" and list(vars(item.value)) == V2_ATTRS


def test_v2_error_without_code(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="no-tires@example.com", scopes=["read_odometer"])
    with pytest.raises(SmartcarException) as info:
        _car(tokens).tire_pressure()
    assert info.value.type == "PERMISSION" and info.value.code is None
    assert str(info.value) == f"PERMISSION - {info.value.description}"


def test_rate_limit_has_retry_after(connect_vehicle: Any) -> None:
    car = _car(connect_vehicle(email="RATE_LIMIT.VEHICLE@smartcar.com"))
    with pytest.raises(SmartcarException) as info:
        car.odometer()
    e = info.value
    assert e.status_code == 429 and e.type == "RATE_LIMIT"
    assert list(vars(e)) == [*V2_ATTRS[:8], "retry_after", *V2_ATTRS[8:]]
    assert int(e.retry_after) > 0


def test_v1_error_from_the_emulator(connect_vehicle: Any) -> None:
    car = _car(connect_vehicle(email="smartcar@vs-000.vehicle-state-error.com"), version="1.0")
    with pytest.raises(SmartcarException) as info:
        car.odometer()
    e = info.value
    assert list(vars(e)) == ["status_code", "request_id", "type", "message", "code"]
    assert e.type and e.message == str(e) and "resolution" not in vars(e)
    batch = car.batch(["/odometer"])
    with pytest.raises(SmartcarException) as item:
        batch.odometer()
    assert list(vars(item.value)) == ["status_code", "request_id", "type", "message", "code"]


def test_network_error_is_sdk_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(config, "API_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    error = info.value
    url = f"http://127.0.0.1:{port}/v2.0/user"
    assert error.message == "SDK_ERROR" and error.type == "SDK_ERROR" and error.reason == "refused"
    assert str(error) == f"SDK_ERROR: cannot connect to {url}: connection refused (nothing listens there: is the " \
        "server running?)"
    assert error.url == url and error.description == str(error).removeprefix("SDK_ERROR: ")
    assert isinstance(error.__cause__, httpx2.ConnectError)
    assert error.status_code is None and error.retry_after is None and error.doc_url is None  # None, not missing


def test_dns_failure_names_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "API_URL", "http://no-such-host.invalid")
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    assert info.value.reason == "dns" and "http://no-such-host.invalid/v2.0/user" in str(info.value)
    assert "host name not found" in str(info.value) and info.value.message == "SDK_ERROR"


def test_invalid_url_is_sdk_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "API_ORIGIN", "notascheme://x")
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    assert info.value.message == "SDK_ERROR" and info.value.reason == "invalid_url" and info.value.__cause__ is not None
    assert "notascheme://x/v2.0/user" in str(info.value)


@pytest.fixture
def short_timeout() -> Iterator[None]:
    smartcar.configure_http(timeout=0.3)
    yield
    smartcar.configure_http()


@pytest.mark.usefixtures("short_timeout")
def test_timeout_is_sdk_error(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "API_ORIGIN", stub.url)
    stub.reply = Reply(hang=True)
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    assert info.value.message == "SDK_ERROR" and info.value.reason == "timeout"
    assert f"no answer from {stub.url}/v2.0/user in time" in str(info.value)
    assert isinstance(info.value.__cause__, httpx2.TimeoutException)


@pytest.mark.parametrize(("reply", "attrs", "checks"), [
    (Reply(500, "<html>oops</html>", {"Content-Type": "text/html"}), ["status_code", "message"],
     {"status_code": 500, "message": "<html>oops</html>"}),
    (Reply(502, "not json", {"SC-Request-Id": "rid"}), ["status_code", "request_id", "type", "message"],
     {"type": "SDK_ERROR", "request_id": "rid", "message": "not json"}),
    (Reply(500, {"weird": True}), ["status_code", "request_id", "type", "message"],
     {"type": "SDK_ERROR", "request_id": None, "message": '{"weird": true}'}),
    (Reply(500, [1, 2]), ["message"], {"message": "SDK_ERROR"}),
    (Reply(400, {"error": "invalid_request"}), ["message"], {"message": "SDK_ERROR"}),
    (Reply(500, "{}", {"Content-Type": None}), ["message"], {"message": "SDK_ERROR"}),  # type: ignore[dict-item]
    (Reply(400, {"type": "SERVER"}), V2_ATTRS, {"status_code": None, "message": "SERVER - None"}),
    (Reply(400, {"error": "invalid_grant", "error_description": "Invalid code: X."}),
     ["status_code", "type", "message"], {"status_code": 400, "message": "Invalid code: X."}),
])
def test_error_bodies_the_emulator_cannot_produce(stub: StubServer, monkeypatch: pytest.MonkeyPatch, reply: Reply,
                                                  attrs: list[str], checks: dict[str, Any]) -> None:
    monkeypatch.setattr(config, "API_ORIGIN", stub.url)
    stub.reply = reply
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    assert list(vars(info.value)) == attrs
    for key, value in checks.items():
        assert getattr(info.value, key) == value


def test_success_parsing_errors_are_smartcar_exceptions(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200 the SDK cannot parse raises ``SmartcarResponseError``: a ``SmartcarException`` that is also the
    ``ValueError``/``KeyError`` the official SDK let escape, so both kinds of ``except`` catch it."""
    monkeypatch.setattr(config, "API_ORIGIN", stub.url)
    stub.reply = Reply(200, "plain text", {"Content-Type": "text/plain", "SC-Request-Id": "rid"})
    with pytest.raises(SmartcarResponseError) as text:
        smartcar.get_user("token")
    assert isinstance(text.value, ValueError) and text.value.request_id == "rid" and "plain text" in str(text.value)
    stub.reply = Reply(200, {"not_id": 1})
    with pytest.raises(SmartcarResponseError) as missing:
        smartcar.get_user("token")
    assert isinstance(missing.value, KeyError) and isinstance(missing.value.__cause__, KeyError)
    assert missing.value.status_code == 200 and "not_id" in missing.value.body


def test_batch_never_crashes_on_odd_items(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "API_ORIGIN", stub.url)
    stub.reply = Reply(200, {"responses": [
        {"path": "/odometer", "code": 200, "body": {"distance": 1}},  # no headers
        {"path": "/location", "code": 500, "body": None},
        {"path": "/fuel", "code": 500, "body": {"odd": 1}},
        {"path": "/vin", "code": 204, "body": {"vin": "V"}, "headers": {}},
        {"path": "/battery", "code": 429, "headers": {"retry-after": "7"},
         "body": {"type": "RATE_LIMIT", "code": "VEHICLE", "description": "d"}},
        {"path": "/charge", "code": 400, "body": {"error": "x"}},
    ]}, {"SC-Request-Id": "top"})
    b = smartcar.Vehicle("vid", "tok").batch(["/odometer", "/location", "/fuel", "/vin", "/battery", "/charge"])
    assert b.odometer() == (1, ("top",)) and b.meta.request_id == "top"
    for name, attrs in (("location", 1), ("fuel", 4), ("vin", 4), ("charge", 1)):
        with pytest.raises(SmartcarException) as info:
            getattr(b, name)()
        assert len(vars(info.value)) == attrs, name
    with pytest.raises(SmartcarException) as limited:
        b.battery()
    assert limited.value.retry_after == "7" and limited.value.code == "VEHICLE"


def test_batch_path_response_directly() -> None:
    item = {"code": 409, "path": "/odometer", "headers": {"Retry-After": 999},
            "body": {"type": "VEHICLE_STATE", "code": "ASLEEP", "description": "asleep", "statusCode": 409}}
    call = smartcar.Vehicle._batch_path_response("odometer", item, {"headers": {}})
    with pytest.raises(SmartcarException) as info:
        call()
    assert info.value.retry_after == 999 and len(vars(info.value)) == 11


# -- exception_factory, called directly with plain dicts -------------------------------------------------------
JSON = {"Content-Type": "application/json"}


def test_factory_rows() -> None:
    a = exception_factory(500, {"Content-Type": "weird"}, "body")
    assert a is not None and list(vars(a)) == ["status_code", "message"] and a.message == "body"
    b = exception_factory(500, {**JSON, "SC-Request-Id": "r"}, "{bad")
    assert b is not None and (b.type, b.request_id, len(vars(b))) == ("SDK_ERROR", "r", 4)
    with pytest.raises(AttributeError):
        exception_factory(500, JSON, "[1]")
    with pytest.raises(KeyError):
        exception_factory(500, {}, "{}")
    d = exception_factory(500, JSON, json.dumps({"error": "E", "message": "m", "code": "C", "statusCode": 418,
                                                 "requestId": "rq"}))
    assert d is not None and vars(d) == {"status_code": 418, "request_id": "rq", "type": "E", "message": "m",
                                         "code": "C"}
    assert exception_factory(400, JSON, json.dumps({"error": "E"})) is None
    g = exception_factory(409, {**JSON, "Retry-After": 5000}, json.dumps(
        {"type": "VEHICLE_STATE", "code": "ASLEEP", "description": "Vehicle asleep", "statusCode": 409,
         "requestId": "rq", "resolution": {"type": "RETRY_LATER"}, "docURL": "u", "detail": [{"f": 1}],
         "suggestedUserMessage": "s"}))
    assert g is not None and g.message == "VEHICLE_STATE:ASLEEP - Vehicle asleep" and g.retry_after == 5000
    assert g.resolution == {"type": "RETRY_LATER", "url": None} and g.doc_url == "u" and g.detail == [{"f": 1}]
    h = exception_factory(500, JSON, "{}")
    assert h is not None and vars(h) == {"status_code": 500, "request_id": None, "type": "SDK_ERROR",
                                         "message": "{}"}
    unchecked = exception_factory(404, {}, json.dumps({"type": "T", "code": "", "description": "x"}), False)
    assert unchecked is not None and str(unchecked) == "T - x"


def test_oauth_shapes_official_for_4xx_and_classifiable_for_5xx() -> None:
    """The error mapping behind every request (``_core.error_for``): OAuth 4xx keep the official shapes (rows E
    and F); an OAuth 5xx always carries its status, and the request id / Retry-After headers when sent, so the
    retry policy can classify it. Without those headers the official row E shape is unchanged."""
    from smartcar._core import error_for

    described = json.dumps({"error": "invalid_grant", "error_description": "Invalid code: X."})
    assert list(vars(error_for(400, {**JSON, "SC-Request-Id": "r"}, described))) == ["status_code", "type", "message"]
    assert vars(error_for(400, JSON, json.dumps({"error": "invalid_request"}))) == {"message": "SDK_ERROR"}
    assert vars(error_for(503, JSON, json.dumps({"error": "server_error", "error_description": "down"}))) == {
        "status_code": 503, "type": "server_error", "message": "down"}
    bare = error_for(502, {**JSON, "SC-Request-Id": "rid", "Retry-After": "4"}, json.dumps({"error": "server_error"}))
    assert vars(bare) == {"status_code": 502, "type": "server_error", "message": "server_error", "request_id": "rid",
                          "retry_after": "4"}
    v1 = error_for(500, JSON, json.dumps({"error": "server_error", "message": "m", "statusCode": 500}))
    assert v1.message == "m" and "request_id" in vars(v1)  # v1 bodies (``error`` with ``message``): row D as before
    odd = error_for(503, JSON, json.dumps({"error": {"nested": 1}}))  # not an OAuth error code: as before
    assert vars(odd) == {"message": "SDK_ERROR"}
    # exception_factory itself, the official function, is unchanged
    assert exception_factory(503, JSON, json.dumps({"error": "server_error"})) is None
