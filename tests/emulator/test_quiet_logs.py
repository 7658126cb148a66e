"""Quiet, safe logs: a full Connect (live login) + token exchange + refresh + v2 and v3 commands + the SDK
leaves no token, code, secret or password in any log record, at any level; a client that disconnects
mid-request is not logged as an error."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import httpx2
import pytest

import smartcar
from smartcar import config
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer
from tests.conftest import REDIRECT_URI

SCOPES = ["read_vehicle_info", "read_odometer", "control_security", "read_security"]
LOGGERS = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "smartcar_emulator", "smartcar"]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        """Every record of the emulator, uvicorn and the SDK. The HTTP client library's own DEBUG records
        (httpx2/httpcore2, which dump the test client's raw response headers when an application turns them
        on) are the caller's, not ours, and are left out."""
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        return "\n".join(formatter.format(r) for r in self.records if not r.name.startswith(("httpx", "httpcore")))


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Every record of every relevant logger at DEBUG (uvicorn's loggers do not propagate to the root)."""
    handler = Capture()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(saved[name])


def test_no_token_or_secret_in_any_log_record(logs: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer() as emulator:
        app = emulator.register_app(redirect_uris=[REDIRECT_URI], client_secret="secret-" + "s" * 20,
                                    amt="amt-" + "a" * 20)
        password = "pa55word-quiet-logs"
        assert httpx2.post(f"{emulator.url}/_emulator/users", json={
            "email": "owner@quiet.example", "password": password, "make": "FORD"}).status_code == 201
        granted = connect(emulator.url, app.client_id, app.client_secret, REDIRECT_URI, SCOPES, mode="live",
                          email="owner@quiet.example", password=password, make="FORD")
        for name, value in emulator.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(config, "API_ORIGIN", emulator.url)
        monkeypatch.setattr(config, "AUTH_ORIGIN", f"{emulator.url}/oauth/token")
        monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", emulator.url)
        monkeypatch.setattr(config, "IAM_ORIGIN", emulator.url)
        auth = smartcar.AuthClient(app.client_id, app.client_secret, REDIRECT_URI, mode="live")
        refreshed = auth.exchange_refresh_token(granted["refresh_token"])
        vehicle_id = granted["vehicle_ids"][0]
        vehicle = smartcar.Vehicle(vehicle_id, refreshed.access_token)
        assert vehicle.lock().status == "success" and vehicle.odometer().distance >= 0
        with pytest.raises(smartcar.SmartcarException):  # rotated: refused (and logged, if anything, safely)
            auth.exchange_refresh_token(granted["refresh_token"])
        with smartcar.Client(app.client_id, app.client_secret, max_retries=0) as client:
            application_token = client.application_token()
            assert client.vehicle(vehicle_id, granted["user_id"]).lock().status
        secrets = {"code": granted["code"], "access": granted["access_token"], "refresh": granted["refresh_token"],
                   "refreshed access": refreshed.access_token, "refreshed refresh": refreshed.refresh_token,
                   "application token": application_token, "client secret": app.client_secret,
                   "amt": app.amt, "password": password}
    text = logs.text()
    assert logs.records  # the capture works: uvicorn and httpx2 log at debug/info level
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == []


def test_a_client_disconnect_is_not_an_error(logs: Capture) -> None:
    with EmulatorServer() as emulator:
        for _ in range(3):
            with socket.create_connection((emulator.host, emulator.port)) as sock:
                sock.sendall(b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                             b"\r\nContent-Length: 1000\r\n\r\n{\"kind\": ")
            with socket.create_connection((emulator.host, emulator.port)) as sock:
                sock.sendall(b"GET /v2.0/vehicles HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # gone before the answer
        assert httpx2.get(f"{emulator.url}/health").status_code == 200
        assert httpx2.get(f"{emulator.url}/_emulator/faults").json()["faults"] == []
    errors = [r for r in logs.records if r.levelno >= logging.WARNING and not r.name.startswith("httpx")]
    assert errors == [], [r.getMessage() for r in errors]
    assert not [r for r in logs.records if r.exc_info]
