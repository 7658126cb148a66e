"""Helpers for the simulator, fault and control-API tests: a private emulator (so advancing its clock never
expires the tokens of other test modules), the control API, and vehicles connected through Connect."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar_emulator.platform.core import Platform
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.store import Database
from tests.conftest import ALL_SCOPES, REDIRECT_URI

SEED = 7


class Sim:
    """A private emulator, its HTTP client, and shortcuts for the control and vehicle APIs."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.platform = server.platform
        self.app = server.register_app(redirect_uris=[REDIRECT_URI], client_id="sim-client",
                                       client_secret="sim-secret", amt="sim-amt", name="Sim App")
        self.http = httpx2.Client(base_url=server.url, timeout=30)

    # control API
    def control(self, method: str, path: str, json: Any = None, **kwargs: Any) -> httpx2.Response:
        return self.http.request(method, f"/_emulator{path}", json=json, **kwargs)

    def ok(self, method: str, path: str, json: Any = None, status: int = 200) -> dict[str, Any]:
        response = self.control(method, path, json)
        assert response.status_code == status, response.text
        return dict(response.json())

    def state(self, vehicle_id: str) -> dict[str, Any]:
        return dict(self.ok("GET", f"/vehicles/{vehicle_id}")["state"])

    def advance(self, seconds: float) -> None:
        self.ok("POST", "/clock/advance", {"seconds": seconds})

    def create(self, make: str = "TESLA", model: str | None = None, mode: str = "simulated",
               email: str | None = None) -> dict[str, Any]:
        body = {"make": make, "model": model, "mode": mode,
                "email": email or f"sim-{uuid.uuid4().hex[:10]}@example.com"}
        created = self.ok("POST", "/vehicles", body, status=201)
        created["email"] = body["email"]
        return created

    def connect(self, email: str, make: str = "TESLA", mode: str = "simulated",
                scopes: list[str] | None = None) -> dict[str, Any]:
        return connect(self.server.url, self.app.client_id, self.app.client_secret, REDIRECT_URI,
                       scopes or ALL_SCOPES, make=make, mode=mode, email=email)

    def car(self, make: str = "TESLA", model: str | None = None, scopes: list[str] | None = None) -> Car:
        """A simulated vehicle made through the control API and connected through Connect."""
        created = self.create(make, model)
        session = self.connect(created["email"], make, scopes=scopes)
        assert session["vehicle_ids"] == [created["id"]]
        return Car(self, created["id"], session["access_token"])


class Car:
    def __init__(self, sim: Sim, vehicle_id: str, token: str) -> None:
        self.sim = sim
        self.id = vehicle_id
        self.token = token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, version: str = "2.0") -> httpx2.Response:
        return self.sim.http.get(f"/v{version}/vehicles/{self.id}/{path}".rstrip("/"), headers=self.auth)

    def post(self, path: str, json: Any, version: str = "2.0") -> httpx2.Response:
        return self.sim.http.post(f"/v{version}/vehicles/{self.id}/{path}", json=json, headers=self.auth)

    def signal(self, code: str) -> httpx2.Response:
        return self.sim.http.get(f"/v3/vehicles/{self.id}/signals/{code}", headers=self.auth)

    def command(self, name: str, json: Any = None) -> httpx2.Response:
        return self.sim.http.post(f"/v3/vehicles/{self.id}/commands/{name}", json=json, headers=self.auth)

    def state(self) -> dict[str, Any]:
        return self.sim.state(self.id)

    def set(self, **fields: Any) -> dict[str, Any]:
        return self.sim.ok("PATCH", f"/vehicles/{self.id}/state", fields)


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    server = EmulatorServer(platform=Platform(Database(":memory:"), seed=SEED))
    with server:
        helper = Sim(server)
        yield helper
        helper.http.close()
