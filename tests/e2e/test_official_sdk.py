"""Fidelity: the official Smartcar SDK 6.19.1, unchanged, against the emulator (origins from `env`).

The official SDK lives in its own virtual environment (`.venv-official`, created by `.ci/run`), so this
proves that an app written for the real cloud works when its origin variables point at the emulator.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_PYTHON = Path(os.environ.get("OFFICIAL_SMARTCAR_PYTHON", ROOT / ".venv-official" / "bin" / "python"))
SCRIPT = Path(__file__).with_name("official_sdk_script.py")

pytestmark = pytest.mark.skipif(not OFFICIAL_PYTHON.exists(),
                                reason="the official SDK's venv is missing (.ci/run creates .venv-official)")


def run_official(emulator, application, *args: str) -> str:
    env = {"PATH": os.environ.get("PATH", ""), **emulator.env(), "SMARTCAR_CLIENT_ID": application.client_id,
           "SMARTCAR_CLIENT_SECRET": application.client_secret, "SMARTCAR_REDIRECT_URI": REDIRECT_URI,
           "TEST_AMT": application.amt}
    done = subprocess.run([str(OFFICIAL_PYTHON), str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_official_sdk_runs_unchanged(emulator, application):
    auth_url = run_official(emulator, application, "url")
    assert auth_url.startswith(f"{emulator.url}/oauth/authorize?response_type=code")
    redirect = walk(auth_url, email="official@example.com")
    assert redirect.params["state"] == "official"
    second = walk(auth_url, email="official-second@example.com")
    code = redirect.params["code"]
    seen = json.loads(run_official(emulator, application, "run", code, second.params["code"]))
    assert seen["token_type"] == "Bearer" and seen["expires_in"] == 7200
    assert seen["vehicle_count"] == 1 and seen["make"] == "TESLA"
    assert seen["odometer"] > 0 and seen["batch_odometer"] > 0
    assert seen["request_id_length"] == 36
    # Test-mode commands succeed and the vehicle reports what they did.
    assert seen["unlocked"] is True and seen["locked"] is True
    assert (seen["start_charge"], seen["charging_state"]) == ("success", "CHARGING")
    assert seen["stop_charge"] == "success" and seen["stopped_state"] != "CHARGING"
    assert (seen["set_limit"], seen["limit"]) == ("success", 0.9)
    assert seen["destination"] == "success"
    assert "read_odometer" in seen["permissions"]
    assert seen["batch_fuel_error"] == [403, "PERMISSION"]
    assert seen["fuel_error"] == [403, "PERMISSION", {"type": "REAUTHENTICATE", "url": None}]
    assert seen["connections"] == 1
    assert seen["disconnect"] == "success"
    # Token rules: rotation, reuse detection, code replay.
    assert seen["refreshed"] is True and seen["refreshed_user"] is True
    assert seen["reused_refresh_error"][:2] == [400, "invalid_grant"]
    assert seen["reused_refresh_error"][2].startswith("Invalid refresh_token: ")
    assert seen["after_reuse"] == [401, "AUTHENTICATION"]
    assert seen["second_user"] is True
    assert seen["reused_code_error"] == f"Invalid code: {second.params['code']}."
    assert seen["after_replay"] == [401, "AUTHENTICATION"]
