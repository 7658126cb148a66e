"""Management API v2: ``GET``/``DELETE /v2.0/management/connections`` with Basic ``default:<AMT>``."""

from __future__ import annotations

from typing import Any

import pytest

from smartcar_emulator.scripted import connect
from tests.conftest import REDIRECT_URI

from .conftest import ISO_MS_RE, UUID_RE, assert_v2_error, unique_email

PATH = "/v2.0/management/connections"


@pytest.fixture(scope="module")
def fleet(emulator) -> dict[str, Any]:
    """An application of its own with five connections: two users in test mode, one in simulated mode."""
    app = emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="mgmt-app", client_secret="mgmt-secret",
                                amt="mgmt-amt")

    def run(email: str, mode: str = "test") -> dict[str, Any]:
        return connect(emulator.url, app.client_id, app.client_secret, REDIRECT_URI, ["read_odometer"],
                       make="TESLA", mode=mode, email=email)

    sessions = [run("3-vehicles@smartcar.com"), run(unique_email("one")), run(unique_email("sim"), "simulated")]
    return {"app": app, "sessions": sessions}


def listing(http, **params) -> dict[str, Any]:
    response = http.get(PATH, auth=("default", "mgmt-amt"), params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_lists_every_connection_newest_first(http, fleet):
    body = listing(http)
    connections = body["connections"]
    assert len(connections) == 5 and body["paging"] == {"cursor": None}
    for item in connections:
        assert set(item) == {"vehicleId", "userId", "connectedAt", "mode"}
        assert ISO_MS_RE.match(item["connectedAt"]) and UUID_RE.match(item["vehicleId"])
    stamps = [c["connectedAt"] for c in connections]
    assert stamps == sorted(stamps, reverse=True)
    assert connections[0]["mode"] == "simulated"  # connected last
    assert connections[0]["vehicleId"] == fleet["sessions"][2]["vehicle_ids"][0]


def test_filters(http, fleet):
    fleet_user = fleet["sessions"][0]["user_id"]
    by_user = listing(http, user_id=fleet_user)["connections"]
    assert len(by_user) == 3 and {c["userId"] for c in by_user} == {fleet_user}
    vehicle = fleet["sessions"][1]["vehicle_ids"][0]
    assert [c["vehicleId"] for c in listing(http, vehicle_id=vehicle)["connections"]] == [vehicle]
    assert {c["mode"] for c in listing(http, mode="simulated")["connections"]} == {"simulated"}
    assert len(listing(http, mode="test")["connections"]) == 4
    assert listing(http, mode="live")["connections"] == []
    assert listing(http, user_id="00000000-0000-4000-8000-000000000000")["connections"] == []


def test_cursor_paging(http, fleet):
    everything = [c["vehicleId"] for c in listing(http)["connections"]]
    seen: list[str] = []
    cursors: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = listing(http, **params)
        assert len(page["connections"]) <= 2
        seen += [c["vehicleId"] for c in page["connections"]]
        cursor = page["paging"]["cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
        params = {"limit": 2, "cursor": cursor}
    assert seen == everything and len(cursors) == 2


def test_bad_paging_parameters(http, fleet):
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"cursor": "not a cursor!"}):
        response = http.get(PATH, auth=("default", "mgmt-amt"), params=params)
        assert_v2_error(response, 400, "VALIDATION", "PARAMETER")
    assert_v2_error(http.get(PATH, auth=("default", "mgmt-amt"), params={"mode": "sideways"}), 400, "VALIDATION",
                    "PARAMETER")


@pytest.mark.parametrize("auth", [("default", "wrong-amt"), ("mgmt-app", "mgmt-amt"), None])
def test_wrong_credentials_are_401(http, fleet, auth):
    assert_v2_error(http.get(PATH, auth=auth), 401, "AUTHENTICATION")


def test_amt_as_bearer_is_refused(http, fleet):
    assert_v2_error(http.get(PATH, headers={"Authorization": "Bearer mgmt-amt"}), 401, "AUTHENTICATION")


def test_trailing_slash(http, fleet):
    response = http.get(PATH + "/", auth=("default", "mgmt-amt"))
    assert response.status_code == 200 and len(response.json()["connections"]) >= 1


def test_delete_by_vehicle_and_by_user(emulator, http):
    app = emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="mgmt-del", client_secret="s", amt="del-amt")
    sessions = [connect(emulator.url, app.client_id, "s", REDIRECT_URI, ["read_odometer"], email=email)
                for email in ("2-vehicles@smartcar.com", unique_email("del"))]
    user, single = sessions[0], sessions[1]

    response = http.delete(PATH, auth=("default", "del-amt"), params={"vehicle_id": single["vehicle_ids"][0]})
    assert response.status_code == 200
    assert response.json() == {"connections": [{"vehicleId": single["vehicle_ids"][0], "userId": single["user_id"]}]}
    odometer = http.get(f"/v2.0/vehicles/{single['vehicle_ids'][0]}/odometer",
                        headers={"Authorization": f"Bearer {single['access_token']}"})
    assert_v2_error(odometer, 403, "PERMISSION")

    deleted = http.delete(PATH, auth=("default", "del-amt"), params={"user_id": user["user_id"]}).json()
    assert sorted(c["vehicleId"] for c in deleted["connections"]) == sorted(user["vehicle_ids"])
    assert http.get(PATH, auth=("default", "del-amt")).json()["connections"] == []


def test_delete_needs_a_filter_and_the_amt(http, fleet):
    assert_v2_error(http.delete(PATH, auth=("default", "mgmt-amt")), 400, "VALIDATION")
    assert_v2_error(http.delete(PATH, auth=("default", "x"), params={"user_id": "u"}), 401, "AUTHENTICATION")
    assert len(listing(http)["connections"]) == 5
