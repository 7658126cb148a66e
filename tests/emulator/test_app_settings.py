"""Dashboard-like application settings (allowed permissions and makes, default scope) through the control API
and the CLI; Connect and the API answer requests outside them with the documented errors. Also: every
documented permission is known, and a test login produces Connect's ``server_error``."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from smartcar_emulator.cli import main
from smartcar_emulator.platform.permissions import KNOWN
from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI
from tests.emulator.conftest import assert_v2_error, bearer, exchange, fresh_app, unique_email

# Every permission the reference documents (wire reference §6, surface §7).
DOCUMENTED = {"read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
              "control_charge", "read_fuel", "read_engine_oil", "read_tires", "read_security", "control_security",
              "control_navigation", "read_service_history", "read_diagnostics", "read_user_profile",
              "read_extended_vehicle_info", "read_climate", "control_climate", "read_compass", "read_speedometer",
              "read_thermometer", "read_charge_locations", "read_charge_records", "read_charge_events", "read_alerts",
              "control_pin", "control_trunk"}


def _settings(http, client_id: str, **body):
    return http.patch(f"/_emulator/apps/{client_id}/settings", json=body)


def _connect(emulator, http, app, scopes: list[str] | None, make: str | None = "TESLA", **extra: str):
    url = authorize_url(emulator.url, app.client_id, REDIRECT_URI, scopes or [], state="s", make=make, **extra)
    if scopes is None:  # no scope parameter at all
        url = url.replace("&scope=", "&unused=")
    return walk(url, email=unique_email("settings")).params


def _permissions(http, app, params) -> list[str]:
    token = exchange(http, app, params["code"]).json()["access_token"]
    vehicle_id = http.get("/v2.0/vehicles", headers=bearer(token)).json()["vehicles"][0]
    return list(http.get(f"/v2.0/vehicles/{vehicle_id}/permissions", headers=bearer(token)).json()["permissions"])


def test_every_documented_permission_is_known_and_granted(emulator, http):
    assert DOCUMENTED <= KNOWN
    app = fresh_app(emulator)
    params = _connect(emulator, http, app, ["read_vehicle_info", "control_pin", "control_trunk"])
    assert "error" not in params, params
    assert set(_permissions(http, app, params)) == {"read_vehicle_info", "control_pin", "control_trunk"}


def test_server_error_test_login(emulator, application):
    url = authorize_url(emulator.url, application.client_id, REDIRECT_URI, ["read_odometer"], state="e", make="TESLA")
    params = walk(url, email="smartcar@server-error.com").params
    assert params == {"error": "server_error", "error_description": "Unexpected server error. Please try again.",
                      "state": "e"}


def test_settings_through_the_control_api(emulator, http):
    app = fresh_app(emulator)
    shown = http.get(f"/_emulator/apps/{app.client_id}/settings").json()
    assert shown == {"clientId": app.client_id, "permissions": None, "makes": None, "defaultScope": None}
    changed = _settings(http, app.client_id, permissions=["read_odometer", "read_vehicle_info"], makes=["tesla"])
    assert changed.status_code == 200
    assert changed.json()["makes"] == ["TESLA"] and changed.json()["defaultScope"] is None
    assert _settings(http, app.client_id, defaultScope=["read_odometer"]).json()["permissions"] == [
        "read_odometer", "read_vehicle_info"]  # omitted keys stay
    bad = _settings(http, app.client_id, defaultScope=["read_location"])  # outside the allowed permissions
    assert_v2_error(bad, 400, "VALIDATION")
    assert_v2_error(_settings(http, app.client_id, makes=["DELOREAN"]), 400, "VALIDATION")
    assert_v2_error(_settings(http, app.client_id, colour=["red"]), 400, "VALIDATION")
    assert_v2_error(_settings(http, app.client_id, makes=[]), 400, "VALIDATION")
    assert_v2_error(_settings(http, app.client_id, permissions="read_vin"), 400, "VALIDATION")
    assert_v2_error(http.get("/_emulator/apps/nobody/settings"), 404, "RESOURCE_NOT_FOUND")
    lifted = _settings(http, app.client_id, makes=None).json()
    assert lifted["makes"] is None and lifted["defaultScope"] == ["read_odometer"]


def test_connect_follows_the_settings(emulator, http):
    app = fresh_app(emulator)
    _settings(http, app.client_id, permissions=["read_vehicle_info", "read_odometer", "read_vin"],
              makes=["TESLA", "FORD"], defaultScope=["read_vehicle_info", "read_odometer"])
    without_scope = _connect(emulator, http, app, None)
    assert set(_permissions(http, app, without_scope)) == {"read_vehicle_info", "read_odometer"}
    outside = _connect(emulator, http, app, ["read_odometer", "read_location"])
    assert outside["error"] == "configuration_error" and "read_location" in outside["error_message"]
    wrong_make = _connect(emulator, http, app, ["read_odometer"], make="AUDI")
    assert wrong_make["error"] == "vehicle_incompatible" and wrong_make["make"] == "AUDI"
    preamble = http.get(authorize_url(emulator.url, app.client_id, REDIRECT_URI, ["read_odometer"]),
                        follow_redirects=True)
    action = re.search(r'action="(/connect/[^"]+/continue)"', preamble.text)
    assert action is not None, preamble.text
    brand_page = http.post(action.group(1), follow_redirects=True)
    assert brand_page.status_code == 200 and str(brand_page.url).endswith("/brand")
    assert 'id="TESLA"' in brand_page.text and 'id="FORD"' in brand_page.text
    assert 'id="AUDI"' not in brand_page.text  # the brand selector offers only the allowed makes


def test_the_api_follows_settings_changed_after_connecting(emulator, http):
    app = fresh_app(emulator)
    params = _connect(emulator, http, app, ["read_vehicle_info", "read_odometer", "read_vin"])
    token = exchange(http, app, params["code"]).json()["access_token"]
    vehicle_id = http.get("/v2.0/vehicles", headers=bearer(token)).json()["vehicles"][0]
    assert http.get(f"/v2.0/vehicles/{vehicle_id}/odometer", headers=bearer(token)).status_code == 200
    _settings(http, app.client_id, permissions=["read_vehicle_info", "read_vin"])
    assert_v2_error(http.get(f"/v2.0/vehicles/{vehicle_id}/odometer", headers=bearer(token)), 403, "PERMISSION")
    odometer = http.get(f"/v3/vehicles/{vehicle_id}/signals/odometer-traveleddistance", headers=bearer(token))
    assert odometer.json()["attributes"]["status"]["error"]["type"] == "PERMISSION"  # v3: per signal
    vin = http.get(f"/v3/vehicles/{vehicle_id}/signals/vehicleidentification-vin", headers=bearer(token))
    assert vin.json()["attributes"]["status"] == {"value": "SUCCESS"}
    _settings(http, app.client_id, permissions=None, makes=["FORD"])
    assert_v2_error(http.get(f"/v2.0/vehicles/{vehicle_id}/odometer", headers=bearer(token)), 501, "COMPATIBILITY",
                    "MAKE_NOT_COMPATIBLE")


def test_cli_sets_settings_on_a_running_emulator_and_on_a_file(emulator, tmp_path):
    app = fresh_app(emulator)
    result = CliRunner().invoke(main, ["apps", "settings", app.client_id, "--url", emulator.url,
                                       "--permission", "read_odometer", "--make", "rivian"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["makes"] == ["RIVIAN"]
    assert emulator.platform.apps.get(app.client_id).settings.permissions == ("read_odometer",)
    db = str(tmp_path / "e.db")
    CliRunner().invoke(main, ["apps", "add", "--db", db, "--client-id", "c1", "--redirect-uri", REDIRECT_URI])
    shown = CliRunner().invoke(main, ["apps", "settings", "c1", "--db", db, "--default-scope", "read_vin"])
    assert json.loads(shown.output)["defaultScope"] == ["read_vin"]
    refused = CliRunner().invoke(main, ["apps", "settings", "c1", "--db", db, "--permission", "read_everything"])
    assert refused.exit_code == 1 and "read_everything" in refused.output
