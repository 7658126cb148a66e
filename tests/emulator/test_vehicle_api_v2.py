"""Vehicle API v2.0 over HTTP: every endpoint's shape, headers, units, state, permissions and versions."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import ALL_SCOPES

from .conftest import ISO_MS_RE, UUID_RE, Car, assert_v2_error, bearer, unique_email

NUMBER = (int, float)

# GET path -> field -> type(s), as in the reference's §5.3 (None allowed where the reference allows it).
SHAPES: dict[str, dict[str, tuple[type, ...]]] = {
    "": {"id": (str,), "make": (str,), "model": (str,), "year": (int,)},
    "vin": {"vin": (str,)},
    "odometer": {"distance": NUMBER},
    "location": {"latitude": NUMBER, "longitude": NUMBER},
    "battery": {"range": NUMBER, "percentRemaining": NUMBER},
    "battery/capacity": {"capacity": NUMBER},
    "battery/nominal_capacity": {"availableCapacities": (list,), "capacity": (dict, type(None)),
                                 "url": (str, type(None))},
    "charge": {"isPluggedIn": (bool,), "state": (str,)},
    "charge/limit": {"limit": NUMBER},
    "tires/pressure": {"frontLeft": (float,), "frontRight": (float,), "backLeft": (float,), "backRight": (float,)},
    "security": {"isLocked": (bool,), "doors": (list,), "windows": (list,), "sunroof": (list,), "storage": (list,),
                 "chargingPort": (list,)},
    "diagnostics/system_status": {"systems": (list,)},
    "diagnostics/dtcs": {"activeCodes": (list,)},
}
ICE_SHAPES = {"fuel": {"range": NUMBER, "percentRemaining": NUMBER, "amountRemaining": NUMBER},
              "engine/oil": {"lifeRemaining": NUMBER}}
STATIC = ("", "vin", "permissions")
DATA = ("odometer", "location", "battery", "charge", "tires/pressure", "security", "diagnostics/dtcs")


def assert_shape(body: dict, shape: dict[str, tuple[type, ...]]) -> None:
    assert set(body) == set(shape), body
    for name, types in shape.items():
        assert isinstance(body[name], types), (name, body)
        assert bool in types or not isinstance(body[name], bool), (name, body)


@pytest.mark.parametrize("path", list(SHAPES))
def test_bev_endpoint_shapes(tesla, path):
    response = tesla.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert_shape(response.json(), SHAPES[path])


@pytest.mark.parametrize("path", list(ICE_SHAPES))
def test_fuel_endpoint_shapes(volt, path):
    response = volt.get(path)
    assert response.status_code == 200, response.text
    assert_shape(response.json(), ICE_SHAPES[path])
    assert all(0 <= v for v in response.json().values())


def test_user_and_vehicles(tesla, http):
    user = http.get("/v2.0/user", headers=bearer(tesla.token))
    assert user.status_code == 200 and user.json() == {"id": tesla.session["user_id"]}
    assert UUID_RE.match(user.json()["id"])
    vehicles = http.get("/v2.0/vehicles", headers=bearer(tesla.token)).json()
    assert vehicles == {"vehicles": [tesla.id], "paging": {"count": 1, "offset": 0}}
    past_end = http.get("/v2.0/vehicles", headers=bearer(tesla.token), params={"offset": 5}).json()
    assert past_end == {"vehicles": [], "paging": {"count": 1, "offset": 5}}


def test_attributes_values(tesla):
    body = tesla.get().json()
    assert body["id"] == tesla.id and body["make"] == "TESLA" and body["make"].isupper()
    assert 1990 < body["year"] < 2100
    assert len(tesla.get("vin").json()["vin"]) == 17


def test_value_ranges(tesla):
    assert 0 <= tesla.get("battery").json()["percentRemaining"] <= 1
    assert 0.5 <= tesla.get("charge/limit").json()["limit"] <= 1
    assert tesla.get("charge").json()["state"] in ("CHARGING", "FULLY_CHARGED", "NOT_CHARGING")
    location = tesla.get("location").json()
    assert -90 <= location["latitude"] <= 90 and -180 <= location["longitude"] <= 180
    assert all(150 < v < 300 for v in tesla.get("tires/pressure").json().values())


def test_nominal_capacity_details(tesla):
    body = tesla.get("battery/nominal_capacity").json()
    assert body["availableCapacities"] and all(set(c) == {"capacity", "description"}
                                               for c in body["availableCapacities"])
    assert body["capacity"] is None or body["capacity"]["source"] in ("SMARTCAR", "USER_SELECTED")


def test_lock_status_has_all_five_arrays_with_types_and_statuses(tesla):
    body = tesla.get("security").json()
    assert [d["type"] for d in body["doors"]] == ["frontLeft", "frontRight", "backLeft", "backRight"]
    assert [w["type"] for w in body["windows"]] == ["frontLeft", "frontRight", "backLeft", "backRight"]
    assert {s["type"] for s in body["storage"]} <= {"front", "rear"}
    items = [i for key in ("doors", "windows", "sunroof", "storage", "chargingPort") for i in body[key]]
    assert items and all(i["status"] in ("OPEN", "CLOSED", "UNKNOWN") for i in items)


def test_diagnostics_items(tesla):
    for system in tesla.get("diagnostics/system_status").json()["systems"]:
        assert set(system) == {"systemId", "status", "description"} and system["status"] in ("OK", "ALERT")
    for code in tesla.get("diagnostics/dtcs").json()["activeCodes"]:
        assert set(code) == {"code", "timestamp"}


# Headers -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", DATA)
def test_data_endpoints_carry_data_age_and_fetched_at(tesla, path):
    response = tesla.get(path)
    age, fetched = response.headers["sc-data-age"], response.headers["sc-fetched-at"]
    assert ISO_MS_RE.match(age) and ISO_MS_RE.match(fetched)
    assert datetime.fromisoformat(age.replace("Z", "+00:00")) <= datetime.fromisoformat(fetched.replace("Z", "+00:00"))


@pytest.mark.parametrize("path", STATIC)
def test_static_endpoints_have_no_data_age(tesla, path):
    response = tesla.get(path)
    assert response.status_code == 200
    assert "sc-data-age" not in response.headers and "sc-fetched-at" not in response.headers


def test_user_and_vehicles_have_no_data_age(tesla, http):
    for path in ("/v2.0/user", "/v2.0/vehicles"):
        assert "sc-data-age" not in http.get(path, headers=bearer(tesla.token)).headers


def test_request_id_on_every_response(tesla, http):
    responses = [tesla.get("odometer"), tesla.get("fuel"), http.get("/v2.0/nothing/here"),
                 http.get("/v2.0/user"), http.post("/oauth/token"), http.get("/oauth/authorize")]
    ids = [r.headers["sc-request-id"] for r in responses]
    assert all(UUID_RE.match(i) for i in ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("path, field, factor", [("odometer", "distance", 0.621371),
                                                 ("battery", "range", 0.621371),
                                                 ("tires/pressure", "frontLeft", 0.145038)])
def test_imperial_units(sim_tesla, path, field, factor):
    metric = sim_tesla.get(path, headers={"sc-unit-system": "metric"})
    imperial = sim_tesla.get(path, headers={"sc-unit-system": "imperial"})
    assert metric.headers["sc-unit-system"] == "metric" and imperial.headers["sc-unit-system"] == "imperial"
    assert imperial.json()[field] == pytest.approx(metric.json()[field] * factor, abs=0.01)


def test_imperial_fuel(sim_volt):
    metric = sim_volt.get("fuel").json()
    imperial = sim_volt.get("fuel", headers={"SC-Unit-System": "imperial"}).json()
    assert imperial["amountRemaining"] == pytest.approx(metric["amountRemaining"] * 0.264172, abs=0.01)
    assert imperial["range"] == pytest.approx(metric["range"] * 0.621371, abs=0.01)
    assert imperial["percentRemaining"] == metric["percentRemaining"]


def test_metric_is_the_default(sim_tesla):
    response = sim_tesla.get("odometer")
    assert response.headers["sc-unit-system"] == "metric"
    assert response.json() == sim_tesla.get("odometer", headers={"sc-unit-system": "metric"}).json()


# State ---------------------------------------------------------------------------------------------------
def test_readings_are_consistent(sim_tesla):
    for path in ("odometer", "location", "battery", "tires/pressure", "security", "charge", "charge/limit"):
        assert sim_tesla.get(path).json() == sim_tesla.get(path).json()


def test_test_mode_readings_stay_in_the_test_ranges(tesla):
    # Test mode may randomise sensor readings per request (reference §2.6); they stay in its ranges.
    for _ in range(3):
        assert 10_000 <= tesla.get("odometer").json()["distance"] <= 300_000
        location = tesla.get("location").json()
        assert 37 <= location["latitude"] <= 41 and -109 <= location["longitude"] <= -102
        assert 0 <= tesla.get("battery").json()["range"] <= 483


def test_lock_and_unlock_show_in_security(new_car):
    car = new_car()
    assert car.post("security", {"action": "UNLOCK"}).json() == {
        "status": "success", "message": "Successfully sent request to vehicle"}
    assert car.get("security").json()["isLocked"] is False
    assert car.post("security", {"action": "LOCK"}).status_code == 200
    assert car.get("security").json()["isLocked"] is True


def test_charge_limit_set_and_read(new_car):
    car = new_car()
    response = car.post("charge/limit", {"limit": 0.65})
    assert response.status_code == 200 and set(response.json()) == {"status", "message"}
    assert car.get("charge/limit").json() == {"limit": 0.65}
    assert car.post("charge/limit", {"limit": "0.9"}).status_code == 200  # the Node SDK sends a string
    assert car.get("charge/limit").json() == {"limit": 0.9}
    assert_v2_error(car.post("charge/limit", {"limit": 1.5}), 400, "VALIDATION", "PARAMETER")


def _set_state(emulator, car: Car, **values) -> None:
    emulator.platform.vehicles.update_state(car.id, lambda s: [setattr(s, k, v) for k, v in values.items()])


def test_start_and_stop_charging(emulator, new_car):
    car = new_car()
    _set_state(emulator, car, plugged_in=True, charging=False, battery_soc=0.4, charge_limit=0.9)
    assert car.post("charge", {"action": "START"}).status_code == 200
    assert car.get("charge").json() == {"isPluggedIn": True, "state": "CHARGING"}
    assert car.post("charge", {"action": "STOP"}).status_code == 200
    assert car.get("charge").json()["state"] == "NOT_CHARGING"


def test_start_charge_when_unplugged_is_a_vehicle_state_error_in_simulated_mode(emulator, http, connect_vehicle):
    car = Car(http, connect_vehicle(make="TESLA", mode="simulated", email=unique_email("unplugged")))
    _set_state(emulator, car, plugged_in=False, charging=False)
    assert_v2_error(car.post("charge", {"action": "START"}), 409, "VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")
    assert_v2_error(car.post("charge", {"action": "STOP"}), 409, "VEHICLE_STATE", "NOT_CHARGING")
    assert car.get("charge").json()["state"] == "NOT_CHARGING"


@pytest.mark.parametrize("plugged_in, soc", [(False, 0.4), (True, 0.4), (False, 0.9)])
def test_test_mode_commands_succeed_whatever_the_starting_state(emulator, new_car, plugged_in, soc):
    """Smartcar's test mode answers documented commands with success; the vehicle then reports their effect."""
    car = new_car()
    _set_state(emulator, car, plugged_in=plugged_in, charging=False, battery_soc=soc, charge_limit=0.9,
               locked=False, doors={"frontLeft": "OPEN", "frontRight": "CLOSED", "backLeft": "CLOSED",
                                    "backRight": "CLOSED"}, storage={"front": "CLOSED", "rear": "OPEN"})
    assert car.post("charge", {"action": "STOP"}).status_code == 200  # not charging: still a success
    assert car.post("charge", {"action": "START"}).status_code == 200
    charge = car.get("charge").json()
    assert charge["isPluggedIn"] is True
    assert charge["state"] == ("FULLY_CHARGED" if soc >= 0.9 else "CHARGING")
    assert car.post("charge", {"action": "START"}).status_code == 200  # already charging: still a success
    assert car.post("charge", {"action": "STOP"}).status_code == 200
    assert car.get("charge").json()["state"] != "CHARGING"
    assert car.post("security", {"action": "LOCK"}).status_code == 200  # a door and the trunk were open
    security = car.get("security").json()
    assert security["isLocked"] is True
    assert {d["status"] for d in security["doors"]} == {"CLOSED"}
    assert car.post("security", {"action": "UNLOCK"}).status_code == 200
    assert car.get("security").json()["isLocked"] is False
    assert car.post("charge/limit", {"limit": 0.55}).status_code == 200
    assert car.get("charge/limit").json() == {"limit": 0.55}
    assert car.post("navigation/destination", {"latitude": 39.7, "longitude": -104.9}).status_code == 200


def test_test_mode_commands_under_v3_succeed(emulator, new_car):
    car = new_car(scopes=["read_charge", "control_charge", "control_security", "read_security"])
    _set_state(emulator, car, plugged_in=False, charging=False, battery_soc=0.3, charge_limit=0.8)
    for command in ("charge/stop", "charge/start", "security/unlock", "security/lock"):
        response = car.http.post(f"/v3/vehicles/{car.id}/commands/{command}", headers=bearer(car.token))
        assert response.status_code == 200, (command, response.text)
        assert response.json()["data"]["attributes"]["status"]["value"] == "SUCCESS"
    assert car.get("charge").json() == {"isPluggedIn": True, "state": "CHARGING"}


def test_navigation_destination(new_car):
    car = new_car()
    response = car.post("navigation/destination", {"latitude": 40.748817, "longitude": -73.985428})
    assert response.status_code == 200 and response.json()["status"] == "success"
    assert_v2_error(car.post("navigation/destination", {"latitude": 91, "longitude": 0}), 400, "VALIDATION",
                    "PARAMETER")


@pytest.mark.parametrize("start, end", [("startDate", "endDate"), ("start_date", "end_date")])
def test_service_history_is_an_array_filtered_by_dates(tesla, start, end):
    everything = tesla.get("service/history")
    assert everything.status_code == 200 and isinstance(everything.json(), list) and everything.json()
    record = everything.json()[0]
    assert {"serviceId", "serviceDate", "odometerDistance", "serviceTasks", "serviceDetails",
            "serviceCost"} <= set(record)
    assert tesla.get("service/history", params={start: "1990-01-01", end: "1990-12-31"}).json() == []
    day = record["serviceDate"][:10]
    one_day = tesla.get("service/history", params={start: day, end: f"{day}T23:59:59Z"}).json()
    assert record in one_day
    assert_v2_error(tesla.get("service/history", params={start: "yesterday"}), 400, "VALIDATION", "PARAMETER")


def test_disconnect_removes_the_vehicle(application, http, new_car):
    car = new_car()
    assert car.delete("application").json() == {"status": "success"}
    assert http.get("/v2.0/vehicles", headers=bearer(car.token)).json()["vehicles"] == []
    connections = http.get("/v2.0/management/connections", auth=("default", application.amt),
                           params={"vehicle_id": car.id}).json()["connections"]
    assert connections == []
    assert_v2_error(car.get("odometer"), 403, "PERMISSION")


# Permissions ---------------------------------------------------------------------------------------------
def test_permissions_listed_with_paging(tesla):
    body = tesla.get("permissions").json()
    assert body["permissions"] == ALL_SCOPES and body["paging"] == {"count": len(ALL_SCOPES), "offset": 0}
    page = tesla.get("permissions", params={"limit": 2, "offset": 3}).json()
    assert page == {"permissions": ALL_SCOPES[3:5], "paging": {"count": len(ALL_SCOPES), "offset": 3}}


@pytest.mark.parametrize("method, path, body", [
    ("GET", "", None), ("GET", "vin", None), ("GET", "location", None), ("GET", "battery", None),
    ("GET", "charge", None), ("GET", "security", None), ("GET", "tires/pressure", None),
    ("GET", "diagnostics/dtcs", None), ("GET", "service/history", None),
    ("POST", "security", {"action": "LOCK"}), ("POST", "charge", {"action": "STOP"}),
    ("POST", "charge/limit", {"limit": 0.8}),
    ("POST", "navigation/destination", {"latitude": 1, "longitude": 2}),
])
def test_permissions_are_enforced_per_endpoint(odometer_only, method, path, body):
    response = (odometer_only.get(path) if method == "GET" else odometer_only.post(path, body))
    error = assert_v2_error(response, 403, "PERMISSION")
    assert error["resolution"] == {"type": "REAUTHENTICATE"}
    assert error["docURL"].endswith("#null")


@pytest.fixture(scope="module")
def odometer_only(http, connect_vehicle) -> Car:
    return Car(http, connect_vehicle(scopes=["read_odometer"], make="TESLA", email=unique_email("odo")))


def test_endpoints_without_a_permission_work_with_any_token(odometer_only, http):
    assert odometer_only.get("odometer").status_code == 200
    assert odometer_only.get("permissions").json()["permissions"] == ["read_odometer"]
    assert http.get("/v2.0/user", headers=bearer(odometer_only.token)).status_code == 200


@pytest.mark.parametrize("path", ["fuel", "engine/oil"])
def test_bev_has_no_fuel(tesla, path):
    assert_v2_error(tesla.get(path), 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


# Webhooks ------------------------------------------------------------------------------------------------
def test_webhook_subscribe_and_unsubscribe(emulator, application, http, new_car):
    car = new_car()
    webhook = emulator.platform.apps.add_webhook(application.client_id, "http://localhost:9/hook")
    subscribed = car.post(f"webhooks/{webhook}")
    assert subscribed.status_code == 200 and subscribed.json() == {"webhookId": webhook, "vehicleId": car.id}
    assert car.id in emulator.platform.apps.subscriptions(webhook)

    assert_v2_error(car.delete(f"webhooks/{webhook}"), 401, "AUTHENTICATION")  # a user token is not the AMT
    unsubscribed = http.delete(car.url(f"webhooks/{webhook}"), headers=bearer(application.amt))
    assert unsubscribed.status_code == 200 and unsubscribed.json() == {"status": "success"}
    assert car.id not in emulator.platform.apps.subscriptions(webhook)


def test_subscribing_to_an_unknown_webhook_is_a_validation_error(tesla):
    assert_v2_error(tesla.post("webhooks/00000000-0000-4000-8000-000000000000"), 400, "VALIDATION")


# Paths and versions --------------------------------------------------------------------------------------
def test_trailing_slash_is_equivalent(tesla, sim_tesla, http):
    assert sim_tesla.get("odometer/").json() == sim_tesla.get("odometer").json()
    assert http.get("/v2.0/vehicles/", headers=bearer(tesla.token)).json()["vehicles"] == [tesla.id]
    assert http.get("/v2.0/user/", headers=bearer(tesla.token)).status_code == 200


def test_unknown_numeric_version_answers_like_v2(tesla, sim_tesla, http):
    response = http.get(f"/v99999999.99/vehicles/{sim_tesla.id}/odometer", headers=bearer(sim_tesla.token))
    assert response.status_code == 200 and response.json() == sim_tesla.get("odometer").json()
    error = http.get(f"/v99999999.99/vehicles/{tesla.id}/fuel", headers=bearer(tesla.token))
    assert_v2_error(error, 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


@pytest.mark.parametrize("version", ["vabc", "v2.x", "latest"])
def test_non_numeric_version_is_404(tesla, http, version):
    response = http.get(f"/{version}/vehicles/{tesla.id}/odometer", headers=bearer(tesla.token))
    assert response.status_code == 404
    assert response.json()["type"] == "RESOURCE_NOT_FOUND"
    assert len(response.headers["sc-request-id"]) == 36


def test_unknown_path_is_resource_not_found(tesla, http):
    assert_v2_error(tesla.get("flux-capacitor"), 404, "RESOURCE_NOT_FOUND", "PATH")
    assert_v2_error(http.get("/v2.0/nothing"), 404, "RESOURCE_NOT_FOUND", "PATH")


def test_make_specific_paths(tesla, volt):
    assert tesla.get("tesla/compass").json()["direction"] in ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
    assert isinstance(tesla.get("tesla/speedometer").json()["speed"], NUMBER)
    assert_v2_error(volt.get("tesla/compass"), 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


@pytest.mark.parametrize("path", ["TESLA/compass", "Tesla/speedometer", "TESLA/charge/ammeter"])
def test_make_specific_paths_need_a_lower_case_make(tesla, path):
    # Reference §5.9 (doc): an upper-case make segment is a PERMISSION error, not an unknown path.
    assert_v2_error(tesla.get(path), 403, "PERMISSION")
    items = tesla.post("batch", {"requests": [{"path": f"/{path}"}]}).json()["responses"]
    assert items[0]["code"] == 403


@pytest.mark.parametrize("path", ["ODOMETER/x", "FORD/compass", "tesla/flux", "navigation/destination"])
def test_other_unknown_get_paths_stay_404(tesla, path):
    assert_v2_error(tesla.get(path), 404, "RESOURCE_NOT_FOUND", "PATH")
