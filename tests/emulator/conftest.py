"""Helpers for the emulator tests: an HTTP client on the shared emulator, connected vehicles, and assertions
on the platform's response formats."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pytest

from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.server import EmulatorServer
from tests.conftest import REDIRECT_URI

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_MS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def unique_email(label: str = "driver") -> str:
    """A fresh OEM login, so each test gets its own user and vehicles on the shared emulator."""
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def assert_v2_error(response: httpx2.Response, status: int, type_: str, code: str | None = None) -> dict[str, Any]:
    """The response is a v2.0 error of this status, type and code, with the platform's headers."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert (body["type"], body["code"], body["statusCode"]) == (type_, code, status), body
    assert body["requestId"] == response.headers["sc-request-id"]
    assert {"description", "docURL", "resolution"} <= body.keys()
    return dict(body)


def assert_v1_error(response: httpx2.Response, status: int, error: str, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error and isinstance(body["message"], str) and body["message"]
    assert body.get("code") == code
    assert not {"type", "resolution", "docURL", "description"} & body.keys()
    return dict(body)


@pytest.fixture(scope="session")
def http(emulator: EmulatorServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emulator.url, timeout=30) as client:
        yield client


class Car:
    """A connected vehicle and the token that may use it."""

    def __init__(self, http: httpx2.Client, session: dict[str, Any], version: str = "2.0") -> None:
        self.http = http
        self.session = session
        self.token: str = session["access_token"]
        self.id: str = session["vehicle_ids"][0]
        self.version = version

    def url(self, path: str = "") -> str:
        return f"/v{self.version}/vehicles/{self.id}" + (f"/{path}" if path else "")

    def get(self, path: str = "", **kwargs: Any) -> httpx2.Response:
        return self.http.get(self.url(path), headers={**bearer(self.token), **kwargs.pop("headers", {})}, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx2.Response:
        return self.http.post(self.url(path), json=json,
                              headers={**bearer(self.token), **kwargs.pop("headers", {})}, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx2.Response:
        return self.http.delete(self.url(path), headers={**bearer(self.token), **kwargs.pop("headers", {})},
                                **kwargs)

    def v1(self) -> Car:
        return Car(self.http, self.session, "1.0")


@pytest.fixture()
def new_car(http, connect_vehicle):
    """``new_car(make="TESLA", scopes=None, email=None)`` → a freshly connected :class:`Car`."""

    def make(make: str = "TESLA", scopes: list[str] | None = None, email: str | None = None) -> Car:
        return Car(http, connect_vehicle(scopes=scopes, make=make, email=email or unique_email(make.lower())))

    return make


@pytest.fixture(scope="module")
def tesla(http, connect_vehicle) -> Car:
    """A BEV with every permission, shared by the read-only tests of a module."""
    return Car(http, connect_vehicle(make="TESLA", email=unique_email("tesla")))


@pytest.fixture(scope="module")
def volt(http, connect_vehicle) -> Car:
    """A PHEV (Chevrolet Volt): fuel, oil and battery."""
    return Car(http, connect_vehicle(make="CHEVROLET", email=unique_email("volt")))


@pytest.fixture(scope="module")
def sim_tesla(http, connect_vehicle) -> Car:
    """A simulated-mode BEV: its sensor readings do not wobble per request as test-mode ones may."""
    return Car(http, connect_vehicle(make="TESLA", mode="simulated", email=unique_email("sim-tesla")))


@pytest.fixture(scope="module")
def sim_volt(http, connect_vehicle) -> Car:
    return Car(http, connect_vehicle(make="CHEVROLET", mode="simulated", email=unique_email("sim-volt")))


def fresh_app(emulator: EmulatorServer, **kwargs: Any) -> Any:
    """An application of its own (a clean slate of users and connections)."""
    return emulator.register_app(redirect_uris=[REDIRECT_URI], client_id=f"app-{uuid.uuid4().hex[:8]}", **kwargs)


def auth_url(emulator: EmulatorServer, application: Any, scopes: list[str] | None = None, **params: str) -> str:
    """An authorize URL for the shared application (test mode, ``approval_prompt=force`` unless given)."""
    params.setdefault("mode", "test")
    return authorize_url(emulator.url, application.client_id, REDIRECT_URI, scopes or ["read_odometer"], **params)


def exchange(http: httpx2.Client, application: Any, code: str, redirect_uri: str = REDIRECT_URI) -> httpx2.Response:
    return http.post("/oauth/token", auth=(application.client_id, application.client_secret),
                     data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
