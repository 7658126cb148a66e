"""API v3 over loopback HTTP: application token, connections, users, vehicles, signals and commands."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI
from tests.emulator.conftest import ISO_MS_RE


@pytest.fixture(scope="module")
def app_token(emulator, application) -> str:
    response = httpx2.post(f"{emulator.url}/oauth2/token",
                          data={"grant_type": "client_credentials", "client_id": application.client_id,
                                "client_secret": application.client_secret})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer" and "refresh_token" not in body
    return str(body["access_token"])


def v3(emulator, method: str, path: str, token: str, user_id: str | None = None, **kwargs: Any) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {token}", **({"sc-user-id": user_id} if user_id else {})}
    return httpx2.request(method, f"{emulator.url}/v3{path}", headers=headers, **kwargs)


@pytest.fixture()
def user(emulator, application) -> dict[str, Any]:
    """A user who connected one test-mode BEV through Connect (the redirect carries user_id)."""
    url = authorize_url(emulator.url, application.client_id, REDIRECT_URI,
                        ["read_vehicle_info", "read_odometer", "read_battery", "read_security", "control_security",
                         "control_charge", "read_charge", "read_fuel", "read_location"],
                        state="st", make="TESLA")
    result = walk(url, email="v3-user@example.com")
    assert result.params["state"] == "st" and result.params["user_id"]
    return result.params


def test_second_tutorial_flow(emulator, app_token, user):
    listed = v3(emulator, "GET", "/connections", app_token, params={"filter[userId]": user["user_id"]})
    assert listed.status_code == 200
    connections = listed.json()["data"]
    assert len(connections) == 1 and listed.json()["meta"]["totalCount"] == 1
    vehicle_id = connections[0]["relationships"]["vehicle"]["data"]["id"]
    assert connections[0]["attributes"]["vehicle"]["make"] == "TESLA"

    vehicle = v3(emulator, "GET", f"/vehicles/{vehicle_id}", app_token, user["user_id"])
    assert vehicle.status_code == 200
    # The bare JSON:API resource by default (wire reference §8.2, decided 2026-11-24).
    assert set(vehicle.json()) == {"id", "type", "attributes", "links"}
    assert vehicle.json()["id"] == vehicle_id and vehicle.json()["type"] == "vehicle"
    attributes = vehicle.json()["attributes"]
    assert {"make", "model", "year", "powertrainType", "mode"} <= attributes.keys()
    assert attributes["mode"] == "test"


def test_vehicle_shape_wrapped_is_an_option(emulator, app_token, user):
    vehicle_id = v3(emulator, "GET", "/connections", app_token,
                    params={"user_id": user["user_id"]}).json()["data"][0]["relationships"]["vehicle"]["data"]["id"]
    emulator.platform.v3_vehicle_wrapped = True
    try:
        wrapped = v3(emulator, "GET", f"/vehicles/{vehicle_id}", app_token, user["user_id"]).json()
    finally:
        emulator.platform.v3_vehicle_wrapped = False
    assert set(wrapped) == {"data"} and wrapped["data"]["id"] == vehicle_id
    assert wrapped["data"]["attributes"]["mode"] == "test"


def test_signals_and_lock_command_share_state_with_v2(emulator, app_token, user, connect_vehicle):
    vehicle_id = v3(emulator, "GET", "/connections", app_token,
                    params={"user_id": user["user_id"]}).json()["data"][0]["relationships"]["vehicle"]["data"]["id"]
    signals = v3(emulator, "GET", f"/vehicles/{vehicle_id}/signals", app_token, user["user_id"],
                 params={"pageSize": 100})
    assert signals.status_code == 200
    codes = {s["id"]: s for s in signals.json()["data"]}
    assert "odometer-traveleddistance" in codes and "closure-islocked" in codes
    assert codes["internalcombustionengine-fuellevel"]["attributes"]["status"]["value"] == "ERROR"  # a BEV
    soc = codes["tractionbattery-stateofcharge"]["attributes"]["body"]
    assert soc["unit"] == "percent" and 1 < soc["value"] <= 100

    unlocked = v3(emulator, "POST", f"/vehicles/{vehicle_id}/commands/security/unlock", app_token, user["user_id"])
    assert unlocked.status_code == 200
    assert unlocked.json()["data"]["attributes"]["status"]["value"] == "SUCCESS"
    single = v3(emulator, "GET", f"/vehicles/{vehicle_id}/signals/closure-islocked", app_token, user["user_id"])
    assert single.json()["attributes"]["body"] == {"value": False}
    # ISO-8601 with milliseconds, as production sends (surface §9), not epoch numbers
    assert ISO_MS_RE.match(single.json()["meta"]["retrievedAt"]) and ISO_MS_RE.match(single.json()["meta"]["ingestedAt"])


def test_sc_user_id_required_and_ownership_checked(emulator, app_token, user):
    vehicle_id = v3(emulator, "GET", "/connections", app_token,
                    params={"user_id": user["user_id"]}).json()["data"][0]["relationships"]["vehicle"]["data"]["id"]
    missing = v3(emulator, "GET", f"/vehicles/{vehicle_id}/signals", app_token)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["type"] == "VALIDATION"
    stranger = v3(emulator, "GET", f"/vehicles/{vehicle_id}/signals", app_token, "not-the-owner-id")
    assert stranger.status_code == 404 and stranger.json()["errors"][0]["status"] == "404"


def test_set_limit_is_a_percentage_and_v2_reads_a_fraction(emulator, app_token, user, application):
    vehicle_id = v3(emulator, "GET", "/connections", app_token,
                    params={"user_id": user["user_id"]}).json()["data"][0]["relationships"]["vehicle"]["data"]["id"]
    response = v3(emulator, "POST", f"/vehicles/{vehicle_id}/commands/charge/set-limit", app_token, user["user_id"],
                  json={"data": {"attributes": {"percent": 90}}})
    assert response.status_code == 200
    limits = v3(emulator, "GET", f"/vehicles/{vehicle_id}/signals/charge-chargelimits", app_token, user["user_id"])
    assert limits.json()["attributes"]["body"]["values"] == [{"type": "GLOBAL", "limit": 90}]
    assert emulator.platform.state(vehicle_id).charge_limit == 0.9
    bad = v3(emulator, "POST", f"/vehicles/{vehicle_id}/commands/charge/set-limit", app_token, user["user_id"],
             json={"data": {"attributes": {"percent": "lots"}}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["type"] == "VALIDATION"


def test_delete_user_purges_connections_and_tokens(emulator, app_token, application):
    url = authorize_url(emulator.url, application.client_id, REDIRECT_URI, ["read_odometer"], make="FORD")
    params = walk(url, email="leaving@example.com").params
    token = httpx2.post(f"{emulator.url}/oauth/token", auth=(application.client_id, application.client_secret),
                       data={"grant_type": "authorization_code", "code": params["code"],
                             "redirect_uri": REDIRECT_URI}).json()["access_token"]
    assert v3(emulator, "DELETE", f"/users/{params['user_id']}", app_token).status_code == 204
    remaining = v3(emulator, "GET", "/connections", app_token, params={"user_id": params["user_id"]})
    assert remaining.json()["data"] == []
    user_call = httpx2.get(f"{emulator.url}/v2.0/vehicles", headers={"Authorization": f"Bearer {token}"})
    assert user_call.status_code == 401


def test_connections_paging_links(emulator, app_token, application):
    url = authorize_url(emulator.url, application.client_id, REDIRECT_URI, ["read_odometer"], make="KIA")
    user_id = walk(url, email="3-vehicles@smartcar.com").params["user_id"]
    first = v3(emulator, "GET", "/connections", app_token, params={"user_id": user_id, "page[size]": 2})
    body = first.json()
    assert len(body["data"]) == 2 and body["meta"]["totalCount"] == 3 and body["links"]["next"]
    second = v3(emulator, "GET", "/connections", app_token, params={"user_id": user_id, "page": 2, "pageSize": 2})
    assert len(second.json()["data"]) == 1 and second.json()["links"]["next"] is None


def test_application_token_errors(emulator, application):
    bad = httpx2.post(f"{emulator.url}/oauth2/token", data={"grant_type": "client_credentials",
                                                            "client_id": application.client_id,
                                                            "client_secret": "wrong"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    missing = httpx2.post(f"{emulator.url}/oauth2/token", data={"client_id": application.client_id})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    unauthenticated = httpx2.get(f"{emulator.url}/v3/connections")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["errors"][0]["type"] == "AUTHENTICATION"
