"""``POST /vehicles/{id}/batch``: several GET paths in one request."""

from __future__ import annotations

import pytest

from .conftest import ISO_MS_RE, Car, assert_v2_error, unique_email


@pytest.fixture(scope="module")
def no_location(http, connect_vehicle) -> Car:
    return Car(http, connect_vehicle(scopes=["read_odometer", "read_vehicle_info", "read_battery", "read_fuel"], make="TESLA",
                                     mode="simulated", email=unique_email("batch")))


def items_by_path(response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {item["path"]: item for item in response.json()["responses"]}


def test_mixed_success_and_errors(no_location):
    paths = ["/odometer", "/location", "/", "/fuel", "/battery"]
    response = no_location.post("batch", {"requests": [{"path": p} for p in paths]})
    items = items_by_path(response)
    assert [i["path"] for i in response.json()["responses"]] == paths
    assert items["/odometer"]["code"] == 200 and items["/odometer"]["body"] == no_location.get("odometer").json()
    assert items["/"]["body"]["id"] == no_location.id
    assert items["/location"]["code"] == 403 and items["/location"]["body"]["type"] == "PERMISSION"
    assert items["/fuel"]["code"] == 501 and items["/fuel"]["body"]["code"] == "VEHICLE_NOT_CAPABLE"
    assert items["/location"]["body"]["requestId"] == response.headers["sc-request-id"]


def test_item_headers_carry_data_age_and_units_but_no_request_id(no_location):
    items = items_by_path(no_location.post("batch", {"requests": [{"path": "/odometer"}, {"path": "/"}]},
                                           headers={"sc-unit-system": "imperial"}))
    headers = items["/odometer"]["headers"]
    assert headers["sc-unit-system"] == "imperial"
    assert ISO_MS_RE.match(headers["sc-data-age"]) and ISO_MS_RE.match(headers["sc-fetched-at"])
    assert all("request-id" not in h.lower() for item in items.values() for h in item["headers"])
    imperial = no_location.get("odometer", headers={"sc-unit-system": "imperial"}).json()
    assert items["/odometer"]["body"] == imperial


def test_make_specific_path_is_batchable(tesla):
    items = items_by_path(tesla.post("batch", {"requests": [{"path": "/tesla/speedometer"}]}))
    assert items["/tesla/speedometer"]["code"] == 200 and "speed" in items["/tesla/speedometer"]["body"]


def test_a_misspelled_path_fails_the_whole_request(no_location):
    response = no_location.post("batch", {"requests": [{"path": "/odometer"}, {"path": "/LOCATIONNNN"}]})
    body = assert_v2_error(response, 400, "VALIDATION")
    assert "responses" not in body


@pytest.mark.parametrize("payload", [{}, {"requests": []}, {"requests": "odometer"}, {"reqs": [{"path": "/"}]}])
def test_missing_requests_is_a_validation_error_with_detail(no_location, payload):
    body = assert_v2_error(no_location.post("batch", payload), 400, "VALIDATION")
    assert body["detail"] == [{"field": ["requests"], "message": "\"requests\" is required"}]


def test_batch_items_of_an_asleep_vehicle_fail_one_by_one(connect_vehicle, http):
    car = Car(http, connect_vehicle(scopes=["read_odometer", "read_vin"], email="VEHICLE_STATE.ASLEEP@smartcar.com"))
    items = items_by_path(car.post("batch", {"requests": [{"path": "/odometer"}, {"path": "/vin"}]}))
    assert items["/odometer"]["code"] == 409 and items["/odometer"]["body"]["code"] == "ASLEEP"
    assert items["/vin"]["code"] == 200


def test_v1_batch_items_use_the_v1_error_body(no_location):
    items = items_by_path(no_location.v1().post("batch", {"requests": [{"path": "/location"}]}))
    assert items["/location"]["code"] == 403
    assert items["/location"]["body"]["error"] == "permission_error" and "type" not in items["/location"]["body"]
