"""Webhook tests: an emulator with an application, a simulated vehicle and a real receiver on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar_emulator.server import EmulatorServer

from .receiver import ReceiverServer, wait_for

AMT = "webhook-test-amt"


class Setup:
    def __init__(self, emulator: EmulatorServer, receiver: ReceiverServer) -> None:
        self.emulator = emulator
        self.receiver = receiver
        self.http = httpx2.Client(base_url=emulator.url, timeout=30)
        self.app = emulator.register_app(client_id="hook-app", client_secret="secret", amt=AMT)

    def control(self, method: str, path: str, json: Any = None, status: int | None = None) -> Any:
        response = self.http.request(method, f"/_emulator{path}", json=json)
        assert response.status_code < 300 if status is None else response.status_code == status, response.text
        return response.json()

    def vehicle(self, make: str = "TESLA", model: str = "Model 3", **state: Any) -> str:
        vehicle = self.control("POST", "/vehicles", {"make": make, "model": model})
        electric = {"battery_soc": 0.5, "plugged_in": False, "charging": False} \
            if vehicle["state"]["battery_soc"] is not None else {}
        state = {**electric, "locked": True, **state}
        self.control("PATCH", f"/vehicles/{vehicle['id']}/state", state)
        return str(vehicle["id"])

    def webhook(self, vehicle_ids: list[str], url: str | None = None, verified: bool = True,
                **options: Any) -> dict[str, Any]:
        hook = self.control("POST", "/webhooks", {"clientId": self.app.client_id, "name": "Test hook",
                                                  "callbackUri": url or self.receiver.url, **options})
        if vehicle_ids:
            self.control("POST", f"/webhooks/{hook['id']}/subscriptions", {"vehicleIds": vehicle_ids})
        if verified:
            wait_for(lambda: self.verification(hook["id"]) == "verified", what="VERIFY answered")
        return hook

    def verification(self, webhook_id: str) -> str:
        return str(self.control("GET", f"/webhooks/{webhook_id}")["verification"]["status"])

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock/advance", {"seconds": seconds})

    def log(self, **query: Any) -> list[dict[str, Any]]:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        return list(self.control("GET", f"/deliveries?{params}")["deliveries"])


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = ReceiverServer(AMT).start()
    yield server
    server.stop()


@pytest.fixture
def setup(receiver: ReceiverServer) -> Iterator[Setup]:
    with EmulatorServer() as emulator:
        s = Setup(emulator, receiver)
        yield s
        s.http.close()
