"""SDK test fixtures: point ``smartcar.config`` (both name sets) and the credential env vars at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import smartcar
from smartcar import config
from smartcar_emulator.server import EmulatorServer

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"
AMT = "test-amt"
REDIRECT_URI = "http://localhost:8000/exchange"


@pytest.fixture(autouse=True)
def sdk_env(emulator: EmulatorServer, application: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """Every SDK test talks to the emulator; origins are patched through the 6.19 names (the 6.17 ones follow)."""
    env = emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(config, "API_ORIGIN", env["SMARTCAR_API_ORIGIN"])
    monkeypatch.setattr(config, "AUTH_ORIGIN", env["SMARTCAR_AUTH_ORIGIN"])
    monkeypatch.setattr(config, "CONNECT_ORIGIN", env["SMARTCAR_CONNECT_ORIGIN"])
    monkeypatch.setattr(config, "MANAGEMENT_API_ORIGIN", env["SMARTCAR_MANAGEMENT_API_ORIGIN"])
    monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", env["SMARTCAR_VEHICLE_API_V3_ORIGIN"])
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", REDIRECT_URI)
    monkeypatch.setattr(smartcar.smartcar, "API_VERSION", "2.0")
    yield emulator


@pytest.fixture(scope="session")
def tesla(connect_vehicle: Any) -> dict[str, Any]:
    """A test-mode Tesla connected with every scope (shared: tests must not disconnect it)."""
    return connect_vehicle()


@pytest.fixture
def vehicle(tesla: dict[str, Any]) -> smartcar.Vehicle:
    return smartcar.Vehicle(tesla["vehicle_ids"][0], tesla["access_token"])


@pytest.fixture
def client() -> smartcar.AuthClient:
    return smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, mode="test")
