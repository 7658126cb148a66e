"""Reset, absolute clock and application registration over the control API, and `smartcar-emulator reset`.

Each test starts its own emulator: a reset would wipe the shared one under other tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import httpx2
import pytest
from click.testing import CliRunner

from smartcar_emulator.cli import main
from smartcar_emulator.platform.core import Platform
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer, free_port
from smartcar_emulator.store import Database
from tests.emulator.conftest import assert_v2_error, bearer

REDIRECT = "http://localhost:8000/exchange"


@pytest.fixture()
def own() -> Iterator[tuple[EmulatorServer, httpx2.Client]]:
    with EmulatorServer() as server, httpx2.Client(base_url=server.url, timeout=30) as http:
        yield server, http


def _register(http: httpx2.Client, client_id: str = "reset-app") -> None:
    reply = http.post("/_emulator/apps", json={"client_id": client_id, "client_secret": "s3cret",
                                               "redirect_uris": [REDIRECT], "name": "Reset App"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["clientId"] == client_id and reply.json()["redirectUris"] == [REDIRECT]


def _connect(server: EmulatorServer, client_id: str = "reset-app") -> dict:
    return connect(server.url, client_id, "s3cret", REDIRECT, ["read_odometer", "read_vehicle_info"],
                   email="reset@example.com")


def test_reset_forgets_users_vehicles_tokens_faults_and_clock(own):
    server, http = own
    _register(http)
    connected = _connect(server)
    http.post("/_emulator/faults", json={"kind": "rate_limit"})
    http.post("/_emulator/clock/advance", json={"seconds": 86400})

    reply = http.post("/_emulator/reset")

    assert reply.status_code == 200
    body = reply.json()
    assert body["removed"]["faults"] == 1 and body["removed"]["rows"] >= 5 and body["keptApps"] is False
    assert http.get("/_emulator/apps").json()["apps"] == []
    assert http.get("/_emulator/vehicles").json()["vehicles"] == []
    assert http.get("/_emulator/faults").json()["faults"] == []
    assert abs(http.get("/_emulator/clock").json()["timestamp"] - datetime.now(timezone.utc).timestamp()) < 60
    # The old access token is gone with everything else.
    assert_v2_error(http.get("/v2.0/vehicles", headers=bearer(connected["access_token"])), 401, "AUTHENTICATION")


def test_reset_can_keep_applications_and_the_platform_works_after_it(own):
    server, http = own
    _register(http)
    _connect(server)

    assert http.post("/_emulator/reset", json={"keep_apps": True}).json()["keptApps"] is True

    assert [a["clientId"] for a in http.get("/_emulator/apps").json()["apps"]] == ["reset-app"]
    again = _connect(server)  # the same login makes a new user and vehicle
    assert len(again["vehicle_ids"]) == 1
    odometer = http.get(f"/v2.0/vehicles/{again['vehicle_ids'][0]}/odometer", headers=bearer(again["access_token"]))
    assert odometer.status_code == 200 and odometer.json()["distance"] >= 0


@pytest.mark.parametrize("body, field", [({"keep_apps": "yes"}, "keep_apps"), ({"keep_apps": 1}, "keep_apps")])
def test_reset_refuses_a_non_boolean(own, body, field):
    _, http = own
    error = assert_v2_error(http.post("/_emulator/reset", json=body), 400, "VALIDATION")
    assert error["detail"][0]["field"] == field


def test_clock_set_moves_backwards_and_forwards_and_tokens_follow(own):
    server, http = own
    _register(http)
    connected = _connect(server)
    token = bearer(connected["access_token"])

    future = http.put("/_emulator/clock", json={"now": "2099-06-01T12:00:00Z"})
    assert future.status_code == 200 and future.json()["now"].startswith("2099-06-01T12:00:00")
    assert_v2_error(http.get("/v2.0/vehicles", headers=token), 401, "AUTHENTICATION")  # expired in 2099

    past = http.put("/_emulator/clock", json={"timestamp": datetime(2001, 1, 1, tzinfo=timezone.utc).timestamp()})
    assert past.json()["now"].startswith("2001-01-01T00:00:00")
    # Back before the token was issued: it is valid again (its expiry is two hours after it was issued).
    assert http.get("/v2.0/vehicles", headers=token).status_code == 200


def test_clock_set_backwards_keeps_a_charging_vehicle_charging_from_the_new_time(own):
    server, http = own
    vehicle = http.post("/_emulator/vehicles", json={"make": "TESLA", "mode": "simulated"}).json()
    vid = vehicle["id"]
    http.patch(f"/_emulator/vehicles/{vid}/state", json={"battery_soc": 0.3})
    http.post(f"/_emulator/vehicles/{vid}/plug")
    assert http.post(f"/_emulator/vehicles/{vid}/charge", json={"action": "START"}).status_code == 200

    http.put("/_emulator/clock", json={"now": "2010-01-01T00:00:00Z"})
    at_reset = http.get(f"/_emulator/vehicles/{vid}").json()["state"]["battery_soc"]
    http.post("/_emulator/clock/advance", json={"seconds": 3600})
    after_an_hour = http.get(f"/_emulator/vehicles/{vid}").json()["state"]["battery_soc"]

    assert after_an_hour > at_reset  # charging goes on from 2010, not frozen until the old time comes back


@pytest.mark.parametrize("body", [
    {}, {"now": "2030-01-01T00:00:00"}, {"now": "tomorrow"}, {"now": 5}, {"now": "1999-12-31T00:00:00Z"},
    {"timestamp": "1"}, {"timestamp": 1e12}, {"now": "2030-01-01T00:00:00Z", "timestamp": 1.9e9},
])
def test_clock_set_refuses_bad_moments_with_a_validation_error(own, body):
    _, http = own
    before = http.get("/_emulator/clock").json()["timestamp"]
    reply = http.put("/_emulator/clock", json=body)
    assert reply.status_code == 400 and reply.json()["type"] == "VALIDATION", reply.text
    assert abs(http.get("/_emulator/clock").json()["timestamp"] - before) < 5  # nothing moved


@pytest.mark.parametrize("body, field", [
    ({"redirect_uris": "http://x"}, "redirect_uris"), ({"redirect_uris": [], "connect_flow": "both-ways"}, "connect_flow"),
    ({"redirect_uris": [], "client_id": ""}, "client_id"), ({"redirect_uris": [], "name": 3}, "name"),
])
def test_app_registration_validates_its_fields(own, body, field):
    _, http = own
    error = assert_v2_error(http.post("/_emulator/apps", json=body), 400, "VALIDATION")
    assert error["detail"][0]["field"] == field
    assert http.get("/_emulator/apps").json()["apps"] == []


def test_cli_reset_talks_to_a_running_emulator(own):
    server, http = own
    _register(http)
    _connect(server)
    result = CliRunner().invoke(main, ["reset", "--url", server.url, "--keep-apps"])
    assert result.exit_code == 0, result.output
    assert "rows" in result.output and "applications kept" in result.output
    assert http.get("/_emulator/vehicles").json()["vehicles"] == []
    assert len(http.get("/_emulator/apps").json()["apps"]) == 1


def test_cli_reset_of_a_database_file(tmp_path):
    db = str(tmp_path / "emulator.db")
    platform = Platform(Database(db))
    platform.apps.register(client_id="kept", redirect_uris=[REDIRECT])
    platform.accounts.add("owner@example.com", "pw", "FORD", 2)
    platform.db.close()

    result = CliRunner().invoke(main, ["reset", "--db", db])

    assert result.exit_code == 0, result.output
    reopened = Platform(Database(db))
    assert reopened.apps.list() == [] and reopened.vehicles.list() == [] and reopened.accounts.list() == []


def test_cli_reset_says_in_one_line_when_nothing_answers(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = CliRunner().invoke(main, ["reset", "--url", url])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and f"no emulator answering at {url}" in result.output
    missing = CliRunner().invoke(main, ["reset", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no database at" in missing.output
