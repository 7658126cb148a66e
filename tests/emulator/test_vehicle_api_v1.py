"""Vehicle API v1.0: the same paths, the v1 error body, and the v1.0 test errors."""

from __future__ import annotations

import pytest

from .conftest import Car, assert_v1_error, bearer, unique_email


def test_same_paths_and_bodies_as_v2(sim_tesla, http):
    v1 = sim_tesla.v1()
    for path in ("", "vin", "odometer", "battery", "security", "permissions"):
        response = v1.get(path)
        assert response.status_code == 200 and response.json() == sim_tesla.get(path).json()
    assert http.get("/v1.0/user", headers=bearer(sim_tesla.token)).json() == {"id": sim_tesla.session["user_id"]}
    assert http.get("/v1.0/vehicles", headers=bearer(sim_tesla.token)).json()["vehicles"] == [sim_tesla.id]


@pytest.mark.parametrize("email, code, message", [
    ("smartcar@vs-000.vehicle-state-error.com", "VS_000", "Vehicle state cannot be determined."),
    ("smartcar@vs-001.vehicle-state-error.com", "VS_001", "Some of the vehicle's doors are open."),
])
def test_vehicle_state_test_errors(connect_vehicle, http, email, code, message):
    car = Car(http, connect_vehicle(scopes=["read_odometer", "read_vin"], email=email)).v1()
    body = assert_v1_error(car.get("odometer"), 409, "vehicle_state_error", code)
    assert body["message"] == message
    assert car.get("vin").status_code == 200  # static endpoints are not affected


def test_vehicle_owner_action_test_error(connect_vehicle, http):
    car = Car(http, connect_vehicle(scopes=["read_location"],
                                    email="smartcar@voa-000.vehicle-owner-action-required.com")).v1()
    body = assert_v1_error(car.get("location"), 400, "vehicle_owner_action_required", "VOA_000")
    assert body["message"].startswith("Vehicle authentication failed.")


def test_permission_error_has_no_code(http, connect_vehicle):
    car = Car(http, connect_vehicle(scopes=["read_odometer"], email=unique_email("v1"))).v1()
    body = assert_v1_error(car.get("location"), 403, "permission_error")
    assert "code" not in body


def test_other_errors_in_v1_format(tesla, http):
    v1 = tesla.v1()
    assert_v1_error(http.get(f"/v1.0/vehicles/{tesla.id}/odometer", headers=bearer("nope")), 401,
                    "authentication_error")
    assert_v1_error(http.get("/v1.0/vehicles/bad_id/odometer", headers=bearer(tesla.token)), 400, "validation_error")
    assert_v1_error(v1.get("fuel"), 501, "vehicle_not_capable_error")
    assert_v1_error(v1.get("unknown"), 404, "resource_not_found_error")
    assert_v1_error(v1.post("security", {"action": "OPEN"}), 400, "validation_error")


def test_v1_compatibility_returns_only_compatible(http, application):
    response = http.get("/v1.0/compatibility", auth=(application.client_id, application.client_secret),
                        params={"vin": "5YJXCDE22HF068739", "scope": "read_odometer read_location"})
    assert response.status_code == 200 and response.json() == {"compatible": True}
