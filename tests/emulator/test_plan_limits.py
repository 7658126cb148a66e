"""Plan usage limits: a monthly allowance per vehicle, every batch item counting, reset with the clock's month."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from smartcar_emulator.testing import running
from tests.emulator.conftest import assert_v2_error


@pytest.fixture(scope="module")
def emu() -> Iterator[object]:
    with running() as emulator:
        yield emulator


def read(emu, connected, path: str = "odometer") -> httpx2.Response:
    return emu.control.get(f"/v2.0/vehicles/{connected.vehicle_id}/{path}",
                           headers={"Authorization": f"Bearer {connected.access_token}"})


def test_allowance_per_vehicle_with_batch_items_and_month_reset(emu):
    first, second = emu.connect(), emu.connect()
    assert emu.request("GET", "/plan-limits")["allowances"] == {}  # off by default
    for _ in range(5):
        assert read(emu, first).status_code == 200
    emu.plan_limits.set(3)  # counting starts now
    assert read(emu, first).status_code == 200
    batch = emu.control.post(f"/v2.0/vehicles/{first.vehicle_id}/batch",
                             json={"requests": [{"path": "/odometer"}, {"path": "/location"}, {"path": "/vin"}]},
                             headers={"Authorization": f"Bearer {first.access_token}"})
    assert batch.status_code == 200  # the envelope does not count; its items do, each
    codes = [item["code"] for item in batch.json()["responses"]]
    assert codes == [200, 200, 430] and batch.json()["responses"][2]["body"]["code"] == "VEHICLE_REQUEST_LIMIT"
    assert_v2_error(read(emu, first), 430, "BILLING", "VEHICLE_REQUEST_LIMIT")
    v3 = emu.control.get(f"/v3/vehicles/{first.vehicle_id}/signals/odometer-traveleddistance",
                         headers={"Authorization": f"Bearer {first.access_token}"})
    assert v3.status_code == 430 and v3.json()["errors"][0]["code"] == "VEHICLE_REQUEST_LIMIT"
    assert read(emu, second).status_code == 200  # another vehicle has its own allowance
    usage = emu.request("GET", "/plan-limits")["usage"][emu.app.client_id]
    assert usage == {first.vehicle_id: 3, second.vehicle_id: 1}
    month = emu.clock.now().month
    emu.clock.advance(days=32)  # the next month of the emulator clock: a fresh allowance
    assert emu.clock.now().month != month
    token = emu.control.post("/oauth/token", auth=(emu.app.client_id, emu.app.client_secret),
                             data={"grant_type": "refresh_token", "refresh_token": first.refresh_token}).json()
    first.access_token = token["access_token"]
    assert read(emu, first).status_code == 200
    emu.plan_limits.set(None)
    assert emu.plan_limits.get()["allowances"] == {}


@pytest.mark.parametrize("body", [{"clientId": "nobody", "requestsPerVehicle": 5},
                                  {"clientId": "emulator-client-id", "requestsPerVehicle": 0},
                                  {"clientId": "emulator-client-id", "requestsPerVehicle": "many"}])
def test_bad_plan_limits_are_refused(emu, body):
    response = emu.control.put("/_emulator/plan-limits", json=body)
    assert response.status_code == 400 and response.json()["type"] == "VALIDATION"


def test_async_seconds_setting(emu):
    assert emu.request("GET", "/commands") == {"asyncSeconds": 0.0}
    assert emu.control.put("/_emulator/commands", json={"asyncSeconds": -1}).status_code == 400
    emu.commands.set_async(30)
    assert emu.request("GET", "/commands") == {"asyncSeconds": 30.0}
    emu.request("POST", "/reset", {"keep_apps": True})
    assert emu.request("GET", "/commands") == {"asyncSeconds": 0.0}
