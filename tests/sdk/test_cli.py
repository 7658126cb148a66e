"""The ``smartcar`` command line against the emulator (click's CliRunner; environment as a user sets it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner, Result

from smartcar.cli import main
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

SCOPES = ["read_vehicle_info", "read_odometer", "read_battery", "read_location", "read_security",
          "control_security"]
REDIRECT = "http://localhost:8000/exchange"


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def env(sdk_env: EmulatorServer) -> dict[str, str]:
    return {**sdk_env.env(), "SMARTCAR_CLIENT_ID": "test-client", "SMARTCAR_CLIENT_SECRET": "test-secret",
            "SMARTCAR_USER_ID": "", "SMARTCAR_ACCESS_TOKEN": ""}


@pytest.fixture(scope="module")
def fleet5(connect_vehicle: Any) -> dict[str, Any]:
    return connect_vehicle(email="5-vehicles@smartcar.com", scopes=SCOPES)


def test_vehicles_v3_lists_one_users_connections(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    result = run(env, "--json", "--user-id", fleet5["user_id"], "vehicles")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert sorted(r["vehicle_id"] for r in rows) == sorted(fleet5["vehicle_ids"])
    assert {r["user_id"] for r in rows} == {fleet5["user_id"]}
    assert all(r["vehicle"]["make"] == "TESLA" for r in rows)


def test_vehicles_v2_with_an_access_token_and_a_table(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    result = run({**env, "SMARTCAR_ACCESS_TOKEN": fleet5["access_token"]}, "vehicles")
    assert result.exit_code == 0, result.output
    assert "5 vehicle(s)" in result.output
    assert all(vid in result.output for vid in fleet5["vehicle_ids"])


def test_vehicle_attributes_v3_and_v2_agree(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    vid = fleet5["vehicle_ids"][0]
    v3 = json.loads(run(env, "--json", "vehicle", vid).output)
    v2 = json.loads(run(env, "--json", "--access-token", fleet5["access_token"], "vehicle", vid).output)
    assert v3["id"] == v2["id"] == vid
    assert (v3["make"], v3["model"], v3["year"]) == (v2["make"], v2["model"], v2["year"])
    assert v3["powertrain_type"] == "BEV" and v3["mode"] == "test"


def test_signals_chosen_codes_with_a_per_code_error(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    vid = fleet5["vehicle_ids"][1]
    result = run(env, "--json", "--user-id", fleet5["user_id"], "signals", vid, "odometer-traveleddistance",
                 "closure-islocked", "no-such-signal")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_code = {s["code"]: s for s in data["signals"]}
    assert by_code["odometer-traveleddistance"]["body"]["value"] > 0
    assert isinstance(by_code["closure-islocked"]["body"]["value"], bool)
    assert data["errors"]["no-such-signal"]["type"] == "RESOURCE_NOT_FOUND"


def test_signals_all_granted_through_a_user_token(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    result = run(env, "--access-token", fleet5["access_token"], "signals", fleet5["vehicle_ids"][1])
    assert result.exit_code == 0, result.output
    assert "odometer-traveleddistance" in result.output and "closure-islocked" in result.output


def test_user_scoped_command_without_a_user_explains_both_ways(env: dict[str, str], fleet5: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["lock", fleet5["vehicle_ids"][0]], env=env)
    assert result.exit_code == 2
    assert "--user-id" in result.output and "--access-token" in result.output


def test_lock_v3_then_unlock_v2_change_the_vehicle(env: dict[str, str], fleet5: dict[str, Any],
                                                   sdk_env: EmulatorServer) -> None:
    vid = fleet5["vehicle_ids"][2]
    locked = run(env, "--json", "--user-id", fleet5["user_id"], "lock", vid)
    assert json.loads(locked.output)["status"] == "SUCCESS"
    assert httpx2.get(f"{sdk_env.url}/_emulator/vehicles/{vid}").json()["state"]["locked"] is True
    unlocked = run(env, "--access-token", fleet5["access_token"], "unlock", vid)
    assert unlocked.exit_code == 0 and f"Unlocked {vid}" in unlocked.output
    assert httpx2.get(f"{sdk_env.url}/_emulator/vehicles/{vid}").json()["state"]["locked"] is False


def test_api_errors_are_one_line_and_a_non_zero_exit(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["--access-token", "not-a-token", "vehicles"], env=env)
    assert result.exit_code == 1
    assert "AUTHENTICATION" in result.output and "Traceback" not in result.output


def test_missing_credentials_exit_2(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["vehicles"], env={**env, "SMARTCAR_CLIENT_ID": ""})
    assert result.exit_code == 2
    assert "SMARTCAR_CLIENT_ID" in result.output


def test_fleet_snapshot_v3_writes_one_line_per_vehicle(env: dict[str, str], fleet5: dict[str, Any],
                                                       tmp_path: Path) -> None:
    out = tmp_path / "snapshot.jsonl"
    result = run(env, "--user-id", fleet5["user_id"], "fleet", "snapshot", "--out", str(out),
                 "--signal", "odometer-traveleddistance", "--signal", "tractionbattery-stateofcharge")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["vehicle_id"] for line in lines) == sorted(fleet5["vehicle_ids"])
    for line in lines:
        assert line["ok"] and line["user_id"] == fleet5["user_id"] and line["attributes"]["make"] == "TESLA"
        assert set(line["signals"]) == {"odometer-traveleddistance", "tractionbattery-stateofcharge"}
    assert "Wrote 5 vehicle(s)" in result.output and "5 ok, 0 failed" in result.output


def test_fleet_snapshot_v2_json_summary(env: dict[str, str], fleet5: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "v2.jsonl"
    result = run(env, "--json", "--access-token", fleet5["access_token"], "fleet", "snapshot", "--out", str(out),
                 "--path", "/odometer", "--path", "/location")
    summary = json.loads(result.output)
    assert summary == {"out": str(out), "vehicles": 5, "ok": 5, "failed": 0, "errors": {}}
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5
    assert all(line["data"]["odometer"]["distance"] > 0 and "latitude" in line["data"]["location"] for line in lines)


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, Any]]:
    """Our own emulator: faults here do not disturb the shared one."""
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT], client_id="cli-client", client_secret="cli-secret")
        tokens = connect(emulator.url, "cli-client", "cli-secret", REDIRECT, SCOPES, email="8-vehicles@smartcar.com")
        yield {"emulator": emulator, **tokens}


def test_fleet_snapshot_isolates_faults_and_summarises_them_by_type(faulty: dict[str, Any], tmp_path: Path) -> None:
    emulator, ids = faulty["emulator"], faulty["vehicle_ids"]
    for vid, kind in ((ids[0], "asleep"), (ids[1], "asleep"), (ids[2], "upstream")):
        httpx2.post(f"{emulator.url}/_emulator/faults", json={"kind": kind, "vehicle_id": vid}).raise_for_status()
    env = {**emulator.env(), "SMARTCAR_CLIENT_ID": "cli-client", "SMARTCAR_CLIENT_SECRET": "cli-secret",
           "SMARTCAR_USER_ID": "", "SMARTCAR_ACCESS_TOKEN": ""}
    out = tmp_path / "faulty.jsonl"
    result = run(env, "--json", "fleet", "snapshot", "--out", str(out), "--concurrency", "3",
                 "--max-retries", "0")
    summary = json.loads(result.output)
    assert result.exit_code == 1  # some vehicles failed
    assert summary["vehicles"] == 8 and summary["ok"] == 5 and summary["failed"] == 3
    assert summary["errors"] == {"VEHICLE_STATE:ASLEEP": 2, "UPSTREAM:UNKNOWN_ISSUE": 1}
    lines = {json.loads(line)["vehicle_id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert set(lines) == set(ids)
    assert lines[ids[2]]["error"]["type"] == "UPSTREAM" and lines[ids[2]]["ok"] is False
    assert lines[ids[3]]["ok"] and len(lines[ids[3]]["signals"]) > 3  # every granted signal by default

    table = run(env, "fleet", "snapshot", "--out", str(out), "--max-retries", "0")
    assert "Errors by type" in table.output and "VEHICLE_STATE:ASLEEP" in table.output
