"""API v3 commands, charge schedules and executions over loopback HTTP, each with its effect read back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.emulator.conftest import unique_email

ALL = ["read_vehicle_info", "read_battery", "read_charge", "control_charge", "read_security", "control_security",
       "control_navigation", "read_location", "read_climate"]


class V3:
    """One user's vehicle through API v3 with the application token."""

    def __init__(self, url: str, token: str, session: dict[str, Any]) -> None:
        self.url, self.token = url, token
        self.user_id: str = session["user_id"]
        self.id: str = session["vehicle_ids"][0]

    def call(self, method: str, path: str, body: Any = None) -> httpx2.Response:
        return httpx2.request(method, f"{self.url}/v3/vehicles/{self.id}{path}", json=body,
                              headers={"Authorization": f"Bearer {self.token}", "sc-user-id": self.user_id})

    def signal(self, code: str) -> dict[str, Any]:
        response = self.call("GET", f"/signals/{code}")
        assert response.status_code == 200, response.text
        return dict(response.json()["attributes"])


@pytest.fixture(scope="module")
def app_token(emulator, application) -> str:
    response = httpx2.post(f"{emulator.url}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": application.client_id,
        "client_secret": application.client_secret})
    return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def car(emulator, app_token, connect_vehicle):
    def make(make: str = "TESLA", mode: str = "test") -> V3:
        return V3(emulator.url, app_token, connect_vehicle(scopes=ALL, make=make, mode=mode,
                                                           email=unique_email(make.lower())))
    return make


@pytest.fixture()
def pending(emulator) -> Iterator[None]:
    """Commands answer 202 PENDING and complete 60 s later on the emulator clock."""
    emulator.platform.commands.async_seconds = 60.0
    yield
    emulator.platform.commands.async_seconds = 0.0


def attributes(response: httpx2.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["data"]["attributes"])


@pytest.mark.parametrize("path, body, command_type, signal, expect", [
    ("commands/security/unlock", None, "security-unlock", "closure-islocked", {"value": False}),
    ("commands/security/lock", None, "security-lock", "closure-islocked", {"value": True}),
    ("commands/charge/start", None, "charge-start", "charge-ischarging", {"value": True}),
    ("commands/charge/stop", None, "charge-stop", "charge-ischarging", {"value": False}),
    ("commands/charge/set-limit", {"data": {"attributes": {"percent": 65}}}, "charge-set-limit",
     "charge-chargelimits", {"activeLimit": 65.0}),
    ("commands/navigation/set-destination", {"data": {"attributes": {"latitude": 40.1, "longitude": -105.2}}},
     "navigation-set-destination", None, None),
])
def test_each_command_and_its_effect(car, emulator, path, body, command_type, signal, expect):
    vehicle = car("TESLA")
    if command_type.startswith("charge-"):  # below its limit (a full battery does not charge), then charging
        vehicle.call("POST", "/commands/charge/set-limit", {"data": {"attributes": {"percent": 100}}})
    if command_type in ("charge-stop", "charge-set-limit"):
        vehicle.call("POST", "/commands/charge/start")
    response = vehicle.call("POST", f"/{path}", body)
    found = attributes(response)
    assert found["commandType"] == command_type and found["status"] == {"value": "SUCCESS"}
    assert found["executionMode"] == "sync"
    execution_id = response.json()["data"]["id"]
    looked_up = vehicle.call("GET", f"/command-executions/{execution_id}")
    assert attributes(looked_up)["commandType"] == command_type
    assert looked_up.json()["data"]["meta"]["completedAt"] is not None
    if signal:
        got = vehicle.signal(signal)["body"]
        assert {k: got[k] for k in expect} == expect
    else:
        state = emulator.platform.current_state(vehicle.id)
        assert state.destination == {"latitude": 40.1, "longitude": -105.2}


def test_pending_command_completes_on_the_clock(car, emulator, pending):
    vehicle = car("TESLA")
    vehicle.call("POST", "/commands/security/lock")
    before = vehicle.signal("closure-islocked")["body"]["value"]
    response = vehicle.call("POST", "/commands/security/unlock")
    found = attributes(response, 202)
    assert found["status"] == {"value": "PENDING"} and found["executionMode"] == "async"
    execution_id = response.json()["data"]["id"]
    assert vehicle.signal("closure-islocked")["body"]["value"] == before  # nothing yet
    assert attributes(vehicle.call("GET", f"/command-executions/{execution_id}"))["status"]["value"] == "PENDING"
    emulator.platform.clock.advance(61)
    done = vehicle.call("GET", f"/command-executions/{execution_id}")
    assert attributes(done)["status"] == {"value": "SUCCESS"}
    assert done.json()["data"]["meta"]["durationInSeconds"] == 60
    assert vehicle.signal("closure-islocked")["body"]["value"] is False


def test_pending_command_can_fail_when_it_completes(car, emulator, pending):
    vehicle = car("TESLA", mode="simulated")
    emulator.platform.update_state(vehicle.id, lambda s: setattr(s, "plugged_in", False) or
                                   setattr(s, "charging", False))
    execution_id = vehicle.call("POST", "/commands/charge/start").json()["data"]["id"]
    emulator.platform.clock.advance(61)
    status = attributes(vehicle.call("GET", f"/command-executions/{execution_id}"))["status"]
    assert status["value"] == "FAILED"
    assert (status["error"]["type"], status["error"]["code"]) == ("VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")


SCHEDULE = {"location": {"latitude": 37.77, "longitude": -122.42}, "startTime": "22:00", "stopTime": "06:30"}


@pytest.mark.parametrize("make, schedule_type, extra, days", [
    ("TESLA", "daily", {}, ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]),
    ("TESLA", "weekly", {"days": ["SATURDAY", "MONDAY"]}, ["MONDAY", "SATURDAY"]),
    ("TESLA", "workweek", {}, ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]),
    ("VOLVO", "daily", {}, ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]),
])
def test_charge_schedule_create_read_delete(car, make, schedule_type, extra, days):
    vehicle = car(make)
    created = vehicle.call("POST", f"/charge-schedules/{schedule_type}", {"data": {"attributes": {**SCHEDULE, **extra}}})
    found = attributes(created)
    assert created.json()["data"]["type"] == "charge-schedule-execution"
    assert (found["action"], found["scheduleType"], found["status"]) == ("create", schedule_type, {"value": "SUCCESS"})
    schedule_id = found["scheduleId"]
    assert created.json()["data"]["links"]["schedule"] == f"/vehicles/{vehicle.id}/charge-schedules/{schedule_id}"
    timers = vehicle.signal("charge-chargetimers")["body"]["values"]
    timer = next(t for t in timers if t.get("scheduleId") == schedule_id)
    assert timer["type"] == "LOCATION" and timer["scheduleType"] == schedule_type
    assert timer["schedules"] == [{"start": "22:00:00", "end": "06:30:00", "days": days}]
    assert (timer["condition"]["latitude"], timer["condition"]["longitude"]) == (37.77, -122.42)
    read = vehicle.call("GET", f"/charge-schedules/{schedule_id}")
    assert read.status_code == 200 and read.json()["data"]["attributes"]["days"] == days
    execution = vehicle.call("GET", f"/charge-schedule-executions/{created.json()['data']['id']}")
    assert attributes(execution)["scheduleId"] == schedule_id
    deleted = vehicle.call("DELETE", f"/charge-schedules/{schedule_id}")
    assert attributes(deleted)["action"] == "delete"
    assert all(t.get("scheduleId") != schedule_id for t in vehicle.signal("charge-chargetimers")["body"]["values"])
    gone = vehicle.call("GET", f"/charge-schedules/{schedule_id}")
    assert gone.status_code == 404 and gone.json()["errors"][0]["type"] == "RESOURCE_NOT_FOUND"


def test_pending_schedule_completes_on_the_clock(car, emulator, pending):
    vehicle = car("TESLA")
    created = vehicle.call("POST", "/charge-schedules/daily", {"data": {"attributes": SCHEDULE}})
    schedule_id = attributes(created, 202)["scheduleId"]
    assert vehicle.call("GET", f"/charge-schedules/{schedule_id}").status_code == 404
    emulator.platform.clock.advance(61)
    assert vehicle.call("GET", f"/charge-schedules/{schedule_id}").status_code == 200
    execution = vehicle.call("GET", f"/charge-schedule-executions/{created.json()['data']['id']}")
    assert attributes(execution)["status"] == {"value": "SUCCESS"}


@pytest.mark.parametrize("make, schedule_type", [("VOLVO", "weekly"), ("VOLVO", "workweek"), ("FORD", "daily"),
                                                 ("AUDI", "daily")])
def test_schedules_on_other_makes_are_not_capable(car, make, schedule_type):
    response = car(make).call("POST", f"/charge-schedules/{schedule_type}", {"data": {"attributes": SCHEDULE}})
    assert response.status_code == 501
    assert (response.json()["errors"][0]["type"], response.json()["errors"][0]["code"]) == (
        "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


@pytest.mark.parametrize("path, body", [
    ("/charge-schedules/daily", {"data": {"attributes": {**SCHEDULE, "startTime": "25:00"}}}),
    ("/charge-schedules/daily", {"data": {"attributes": {"startTime": "22:00", "stopTime": "06:00"}}}),
    ("/charge-schedules/weekly", {"data": {"attributes": {**SCHEDULE, "days": ["FUNDAY"]}}}),
    ("/commands/charge/set-limit", {"data": {"attributes": {"percent": 20}}}),
    ("/commands/navigation/set-destination", {}),
])
def test_bad_bodies_are_validation_errors(car, path, body):
    response = car("TESLA").call("POST", path, body)
    assert response.status_code == 400 and response.json()["errors"][0]["type"] == "VALIDATION"


def test_unknown_execution_and_schedule_are_not_found(car):
    vehicle = car("TESLA")
    for path in ("/command-executions/exec_nope", "/charge-schedule-executions/exec_nope",
                 "/charge-schedules/sched_nope"):
        assert vehicle.call("GET", path).status_code == 404
    assert vehicle.call("DELETE", "/charge-schedules/sched_nope").status_code == 404


def test_nissan_cannot_stop_charging_in_v2_or_v3(car, http):
    vehicle = car("NISSAN")
    assert attributes(vehicle.call("POST", "/commands/charge/start"))["status"] == {"value": "SUCCESS"}
    stop = vehicle.call("POST", "/commands/charge/stop")
    assert stop.status_code == 501 and stop.json()["errors"][0]["code"] == "VEHICLE_NOT_CAPABLE"
    assert vehicle.signal("charge-ischarging")["body"]["value"] in (True, False)  # the state still reads


def test_gm_needs_half_a_battery_to_start_or_stop(car, emulator):
    vehicle = car("CADILLAC", mode="simulated")
    emulator.platform.update_state(vehicle.id, lambda s: (setattr(s, "battery_soc", 0.3),
                                                          setattr(s, "plugged_in", True)) and None)
    low = vehicle.call("POST", "/commands/charge/start")
    assert low.status_code == 409 and low.json()["errors"][0]["code"] == "LOW_BATTERY"
    assert vehicle.signal("charge-ischarging")["body"]["value"] is False
    emulator.platform.update_state(vehicle.id, lambda s: setattr(s, "battery_soc", 0.6))
    assert attributes(vehicle.call("POST", "/commands/charge/start"))["status"] == {"value": "SUCCESS"}
    assert vehicle.signal("charge-ischarging")["body"]["value"] is True
