"""The pytest plugin as a user meets it: a user's test module, run by pytest with only the installed entry point
(pytester, in a subprocess: an in-process run restores ``sys.modules`` afterwards, which leaves two copies of
modules first imported inside it, e.g. httpcore2's exception classes, and breaks later tests), using the
fixtures with no import from our code but ``smartcar`` itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smartcar_emulator.testing import running

OFFICIAL_PYTHON = Path(__file__).resolve().parents[2] / ".venv-official" / "bin" / "python"

USER_TESTS = '''
import asyncio
import os

import pytest
import smartcar


def test_env_points_every_sdk_at_the_emulator(smartcar_env):
    assert os.environ["SMARTCAR_API_ORIGIN"] == smartcar_env.url
    assert os.environ["SMARTCAR_CLIENT_ID"] == smartcar_env.app.client_id
    url = smartcar.AuthClient(mode="test").get_auth_url(["read_odometer"])   # no arguments: the environment
    assert url.startswith(smartcar_env.url + "/oauth/authorize?")
    params = smartcar_env.walk(url, make="TESLA")
    access = smartcar.AuthClient().exchange_code(params["code"])
    assert smartcar.get_user(access.access_token).id


def test_connect_gives_a_readable_vehicle(smartcar_connect):
    connected = smartcar_connect()
    assert len(connected.vehicle_ids) == 1 and connected.access_token and connected.refresh_token
    assert connected.vehicle().odometer().distance >= 0
    assert "access_token" not in repr(connected) and connected.access_token not in repr(connected)


@pytest.mark.smartcar(make="FORD", scopes=["read_vehicle_info", "read_fuel"])
def test_marker_chooses_make_and_scopes(smartcar_vehicle):
    assert smartcar_vehicle.attributes().make == "FORD"
    assert smartcar_vehicle.permissions().permissions == ["read_vehicle_info", "read_fuel"]


def test_reset_isolates_tests_part_one(smartcar_env):
    smartcar_env.vehicles.create("TESLA", email="isolated@example.com")
    smartcar_env.faults.add("rate_limit", retry_after=30)
    assert len(smartcar_env.vehicles.list()) == 1


def test_reset_isolates_tests_part_two(smartcar_env):
    assert smartcar_env.vehicles.list() == [] and smartcar_env.faults.list() == []


def test_refresh_after_the_clock_moves_past_expiry(smartcar_connect, smartcar_env):
    connected = smartcar_connect()
    smartcar_env.clock.advance(hours=3)
    with pytest.raises(smartcar.SmartcarException) as expired:
        connected.vehicle().odometer()
    assert expired.value.status_code == 401
    fresh = smartcar.AuthClient().exchange_refresh_token(connected.refresh_token)
    assert smartcar.Vehicle(connected.vehicle_id, fresh.access_token).odometer().distance >= 0


def test_rate_limit_with_retry_after(smartcar_vehicle, smartcar_env):
    smartcar_env.faults.add("rate_limit", retry_after=42, count=1)
    with pytest.raises(smartcar.SmartcarException) as limited:
        smartcar_vehicle.odometer()
    assert (limited.value.status_code, limited.value.type) == (429, "RATE_LIMIT")
    assert str(limited.value.retry_after) == "42"   # the header's text, as the official SDK keeps it
    assert smartcar_vehicle.odometer().distance >= 0   # count=1: the next call goes through


def test_a_vehicle_asleep(smartcar_vehicle, smartcar_env):
    smartcar_env.faults.add("asleep", vehicle_id=smartcar_vehicle.vehicle_id)
    with pytest.raises(smartcar.SmartcarException) as asleep:
        smartcar_vehicle.odometer()
    assert (asleep.value.type, asleep.value.code) == ("VEHICLE_STATE", "ASLEEP")


def test_user_flow_and_api_v3(smartcar_connect):
    connected = smartcar_connect(flow="user", make="TESLA")
    assert connected.access_token is None
    with smartcar.Client() as client:                  # application token from the environment's credentials
        connections = client.connections.list(user_id=connected.user_id)
        assert [c.vehicle_id for c in connections] == connected.vehicle_ids


@pytest.mark.smartcar(mode="simulated", make="TESLA")
def test_simulated_vehicle_state_and_clock(smartcar_vehicle, smartcar_env):
    smartcar_env.vehicles.set_state(smartcar_vehicle.vehicle_id, battery_soc=0.5, plugged_in=True)
    smartcar_vehicle.start_charge()
    smartcar_env.clock.advance(hours=1)
    assert smartcar_vehicle.battery().percent_remaining > 0.5


def test_live_account(smartcar_env, smartcar_connect):
    smartcar_env.users.add("owner@example.com", "hunter2", make="BMW", vehicles=2)
    connected = smartcar_connect(mode="live", make="BMW", email="owner@example.com", password="hunter2")
    assert len(connected.vehicle_ids) == 2


def test_clock_set_absolute(smartcar_env):
    import datetime as dt
    moment = smartcar_env.clock.set("2030-05-01T09:00:00Z")
    assert moment.year == 2030 and smartcar_env.clock.now().year == 2030


def test_in_process_sync_and_async(smartcar_in_process, smartcar_connect):
    connected = smartcar_connect()
    assert connected.vehicle().odometer().distance >= 0   # through smartcar.configure_http: no socket

    async def read():
        return await smartcar.AsyncVehicle(connected.vehicle_id, connected.access_token).odometer()

    assert asyncio.run(read()).distance >= 0
    with smartcar.Client(http_client=smartcar_in_process.http_client()) as client:
        vehicle = client.vehicle(connected.vehicle_id, user_id=connected.user_id)
        assert vehicle.attributes().make == "TESLA"
'''


def test_a_user_suite_passes_with_only_the_installed_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_app=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=USER_TESTS.count("\ndef test_"))


def test_a_failing_user_assertion_fails_the_user_suite(pytester: pytest.Pytester) -> None:
    # The fixtures do not swallow failures: a wrong expectation about the emulator fails.
    pytester.makepyfile(test_wrong="""
def test_wrong_make(smartcar_connect):
    assert smartcar_connect(make="FORD").vehicle().attributes().make == "TESLA"
""")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)


def test_bad_marker_arguments_are_a_clear_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marker="""
import pytest

@pytest.mark.smartcar(colour="red")
def test_it(smartcar_vehicle):
    pass
""")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.smartcar takes keywords*colour*"])


def test_ini_options_choose_the_registered_app(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
[pytest]
smartcar_client_id = my-own-client
smartcar_redirect_uri = http://localhost:5000/callback
""")
    pytester.makepyfile(test_ini="""
import os

def test_app(smartcar_env, smartcar_connect):
    assert os.environ["SMARTCAR_CLIENT_ID"] == "my-own-client"
    assert os.environ["SMARTCAR_REDIRECT_URI"] == "http://localhost:5000/callback"
    assert smartcar_connect().access_token
""")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_an_emulator_started_elsewhere_is_used_by_url(pytester: pytest.Pytester) -> None:
    with running() as outside:
        pytester.makepyfile(test_url=f"""
def test_uses_it(smartcar_env, smartcar_connect):
    assert smartcar_env.url == "{outside.url}"
    assert smartcar_env.platform is None          # not in this process's fixture
    assert smartcar_connect().vehicle_ids
""")
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", f"--smartcar-emulator-url={outside.url}")
        result.assert_outcomes(passed=1)
        # The user's test ran against the outside emulator: its app is registered there.
        assert any(app["clientId"] == "emulator-client-id"
                   for app in outside.request("GET", "/apps")["apps"])


@pytest.mark.skipif(not OFFICIAL_PYTHON.exists(), reason="the official SDK venv (.venv-official) is not installed")
def test_the_official_sdk_runs_with_the_environment_alone() -> None:
    with running() as emulator:
        connected = emulator.connect(make="TESLA")
        script = ("import smartcar\n"
                  "url = smartcar.AuthClient(mode='test').get_auth_url(['read_odometer'])\n"
                  "print(url.split('?')[0])\n"
                  f"print(smartcar.Vehicle('{connected.vehicle_id}', '{connected.access_token}').odometer().distance >= 0)\n")
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}, **emulator.env}
        done = subprocess.run([str(OFFICIAL_PYTHON), "-c", script], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"{emulator.url}/oauth/authorize", "True"]
    assert sys.executable != str(OFFICIAL_PYTHON)
