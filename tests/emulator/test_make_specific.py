"""Make-specific v2 endpoints over loopback HTTP: every documented read, and every write with its effect read back
through a v2 read and, where the catalogue has one, a v3 signal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Car, assert_v2_error, bearer, unique_email

SCOPES = ["read_vehicle_info", "read_alerts", "read_extended_vehicle_info", "read_battery", "read_charge",
          "control_charge", "read_climate", "control_climate", "read_compass", "read_speedometer", "read_thermometer",
          "read_user_profile", "control_pin", "control_trunk", "read_security", "control_security",
          "read_charge_records", "read_charge_locations"]


@pytest.fixture(scope="module")
def make_car(http, connect_vehicle):
    cars: dict[str, Car] = {}

    def get(make: str, fresh: bool = False) -> Car:
        if fresh or make not in cars:
            cars[make] = Car(http, connect_vehicle(scopes=SCOPES, make=make, email=unique_email(make.lower())))
        return cars[make]
    return get


def signal(car: Car, code: str) -> dict[str, Any]:
    response = car.http.get(f"/v3/vehicles/{car.id}/signals/{code}", headers=bearer(car.token))
    assert response.status_code == 200, response.text
    return dict(response.json()["attributes"])


def put(car: Car, path: str, body: Any, **params: Any) -> Any:
    return car.http.put(car.url(path), json=body, params=params, headers=bearer(car.token))


def charging(car: Car) -> None:
    car.http.post(f"/_emulator/vehicles/{car.id}/plug")  # a simulated vehicle must be plugged in
    assert car.post("charge/limit", {"limit": 1.0}).status_code == 200
    assert car.post("charge", {"action": "START"}).status_code == 200


READ_FIELDS = {
    "tesla/alerts": {"alerts"},
    "tesla/attributes": {"id", "make", "model", "year", "firmwareVersion", "trimBadging", "efficiencyPackage",
                         "performancePackage", "nickname", "driverAssistVersion", "atHome", "sentryMode", "style",
                         "wheel", "driveUnit"},
    "tesla/battery": {"percentRemaining", "range", "heaterOn", "rangeEstimated", "rangeIdeal",
                      "percentRemainingUsable", "maxRangeChargeCounter", "notEnoughPowerToHeat"},
    "tesla/charge": {"amperage", "completionTime", "wattage", "voltage", "isPluggedIn", "state", "socLimit",
                     "amperageMaxVehicle", "socLimitMax", "socLimitMin", "socLimitDefault", "amperageRequested",
                     "energyAdded", "rangeAddedRated", "rangeAddedIdeal", "chargeRate", "connector",
                     "fastChargerPresent", "fastChargerType", "fastChargerBrand", "amperageMaxCharger",
                     "chargePortColor", "chargePortOpen", "chargePortLatch", "chargerPhases"},
    "tesla/charge/ammeter": {"amperage"}, "tesla/charge/completion": {"time"}, "tesla/charge/voltmeter": {"voltage"},
    "tesla/charge/wattmeter": {"wattage"}, "tesla/charge/schedule": {"departureTime", "startTime"},
    "tesla/charge/records/billing": {"records", "hasMoreData"},
    "tesla/climate/cabin": {"status", "temperature"}, "tesla/climate/defroster": {"frontStatus", "rearStatus"},
    "tesla/climate/steering_wheel": {"status"}, "tesla/compass": {"direction", "heading"},
    "tesla/migration": {"requiresMigration"}, "tesla/speedometer": {"speed"},
    "tesla/status": {"status", "inService", "gear"}, "tesla/thermometer/exterior": {"temperature"},
    "tesla/thermometer/interior": {"temperature"}, "tesla/user/access": {"accessType", "permissions"},
    "tesla/user/info": {"email"}, "tesla/virtual_key": {"isPaired"},
    "audi/charge": {"chargingStatus", "isPluggedIn", "wattage", "chargeRate", "chargeType", "chargePortColor",
                    "chargePortLatch", "completionTime", "chargeMode", "socLimit", "externalPowerStatus"},
    "bmw/charge/records": {"records"}, "mini/charge/records": {"records"},
    "cadillac/charge/completion": {"time"}, "chevrolet/charge/completion": {"time"},
    "cadillac/charge/voltmeter": {"voltage"}, "chevrolet/charge/voltmeter": {"voltage"},
    "ford/charge/schedule_by_location": {"chargingLocations"},
    "lincoln/charge/schedule_by_location": {"chargingLocations"},
    "nissan/charge/schedule": {"chargeSchedules"},
}


@pytest.mark.parametrize("path", sorted(READ_FIELDS))
def test_every_documented_read(make_car, path):
    make = path.split("/")[0].upper()
    car = make_car(make)
    if path.endswith(("completion", "wattmeter", "voltmeter")):
        charging(car)
    response = car.get(path)
    assert response.status_code == 200, response.text
    assert set(response.json()) == READ_FIELDS[path]
    other = make_car("TOYOTA" if make != "TOYOTA" else "TESLA")
    assert_v2_error(other.get(path), 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


def test_vehicle_state_errors_when_not_charging(make_car):
    car = make_car("TESLA", fresh=True)
    car.post("charge", {"action": "STOP"})
    assert_v2_error(car.get("tesla/charge/completion"), 409, "VEHICLE_STATE", "NOT_CHARGING")
    assert_v2_error(car.get("tesla/charge/wattmeter"), 409, "VEHICLE_STATE", "NOT_CHARGING")


def test_tesla_cabin_climate(make_car):
    car = make_car("TESLA")
    started = car.post("tesla/climate/cabin", {"action": "START", "temperature": 23})
    assert started.json() == {"status": "ON", "temperature": 23.0}
    assert car.get("tesla/climate/cabin").json() == {"status": "ON", "temperature": 23.0}
    assert signal(car, "hvac-iscabinhvacactive")["body"] == {"value": True}
    assert signal(car, "hvac-cabintargettemperature")["body"]["value"] == 23.0
    fahrenheit = car.post("tesla/climate/cabin", {"action": "SET", "temperature": 68},
                          headers={"sc-unit-system": "imperial"})
    assert fahrenheit.json() == {"status": "ON", "temperature": 68.0}
    assert car.get("tesla/climate/cabin").json()["temperature"] == 20.0
    assert car.post("tesla/climate/cabin", {"action": "STOP"}).json()["status"] == "OFF"
    assert signal(car, "hvac-iscabinhvacactive")["body"] == {"value": False}
    too_hot = car.post("tesla/climate/cabin", {"action": "SET", "temperature": 40})
    assert too_hot.status_code == 400 and "28" in too_hot.json()["detail"][0]["message"]


@pytest.mark.parametrize("path, read, fields, code", [
    ("tesla/climate/defroster", "tesla/climate/defroster", ("frontStatus", "rearStatus"), "hvac-isfrontdefrosteractive"),
    ("tesla/climate/steering_wheel", "tesla/climate/steering_wheel", ("status",), "hvac-issteeringheateractive"),
])
def test_tesla_heaters(make_car, path, read, fields, code):
    car = make_car("TESLA")
    for action, status, value in (("START", "ON", True), ("STOP", "OFF", False)):
        assert car.post(path, {"action": action}).json() == {"status": action}
        assert all(car.get(read).json()[f] == status for f in fields)
        assert signal(car, code)["body"] == {"value": value}


def test_tesla_amperage(http, connect_vehicle):
    # simulated: test-mode sensor readings (charge rate included) wobble per request
    car = Car(http, connect_vehicle(scopes=SCOPES, make="TESLA", mode="simulated", email=unique_email("amps")))
    http.post(f"/_emulator/vehicles/{car.id}/plug")
    response = car.post("tesla/charge/ammeter", {"amperage": 16})
    assert response.json() == {"message": "Successfully sent the following amperage: 16", "status": "success"}
    assert car.get("tesla/charge/ammeter").json() == {"amperage": 16.0}
    assert signal(car, "charge-amperagerequested")["body"]["value"] == 16.0
    charging(car)
    assert car.get("tesla/charge/ammeter").json() == {"amperage": 16.0}
    assert signal(car, "charge-amperage")["body"]["value"] == 16.0
    assert car.get("tesla/charge/wattmeter").json() == {"wattage": 3.84}
    above = car.post("tesla/charge/ammeter", {"amperage": 80})  # above the maximum: set to the maximum
    assert above.json()["message"].endswith(": 48")
    assert car.get("tesla/charge").json()["amperageRequested"] == 48.0


def test_tesla_charge_port_door(make_car, http, connect_vehicle):
    car = make_car("TESLA", fresh=True)
    car.post("charge", {"action": "START"})  # a test vehicle plugs in; closing the door then unplugs it
    assert car.post("tesla/charge/charge_port_door", {"action": "CLOSE"}).status_code == 200
    assert car.get("tesla/charge").json()["chargePortOpen"] is False and not car.get("charge").json()["isPluggedIn"]
    assert car.post("tesla/charge/charge_port_door", {"action": "OPEN"}).json()["status"] == "success"
    assert car.get("tesla/charge").json()["chargePortOpen"] is True
    assert signal(car, "charge-ischargingportflapopen")["body"] == {"value": True}
    simulated = Car(http, connect_vehicle(scopes=SCOPES, make="TESLA", mode="simulated", email=unique_email("port")))
    http.post(f"/_emulator/vehicles/{simulated.id}/plug")
    assert_v2_error(simulated.post("tesla/charge/charge_port_door", {"action": "CLOSE"}), 409, "VEHICLE_STATE",
                    "CHARGING_PLUG_CONNECTED")


@pytest.mark.parametrize("path, key, code", [("tesla/security/frunk", "front", "closure-fronttrunk"),
                                             ("tesla/security/trunk", "rear", "closure-reartrunk")])
def test_tesla_trunks(make_car, path, key, code):
    car = make_car("TESLA")
    assert car.post(path, {"action": "OPEN"}).json() == {"message": "Successfully sent request to vehicle",
                                                         "status": "success"}
    storage = {s["type"]: s["status"] for s in car.get("security").json()["storage"]}
    assert storage[key] == "OPEN" and signal(car, code)["body"]["isOpen"] is True
    car.post(path, {"action": "CLOSE"})
    assert {s["type"]: s["status"] for s in car.get("security").json()["storage"]}[key] == "CLOSED"
    assert_v2_error(car.post(path, {"action": "AJAR"}), 400, "VALIDATION")


def test_tesla_pin_to_drive(make_car, emulator):
    car = make_car("TESLA")
    assert car.post("tesla/pin", {"pin": "1234"}).json()["status"] == "success"
    assert emulator.platform.current_state(car.id).pin_to_drive == "1234"
    assert_v2_error(car.post("tesla/pin", {"pin": "12a4"}), 400, "VALIDATION")
    assert car.delete("tesla/pin").json()["status"] == "success"
    assert emulator.platform.current_state(car.id).pin_to_drive is None


def test_tesla_charge_schedule(make_car):
    car = make_car("TESLA", fresh=True)
    response = car.post("tesla/charge/schedule", {"type": "START_TIME", "enable": True, "time": "23:30"})
    assert response.json()["startTime"] == {"enabled": True, "time": "23:30"}
    car.post("tesla/charge/schedule", {"type": "DEPARTURE_TIME", "enabled": True, "time": "07:15"})
    assert car.get("tesla/charge/schedule").json() == {"departureTime": {"enabled": True, "time": "07:15"},
                                                       "startTime": {"enabled": True, "time": "23:30"}}
    timer = next(t for t in signal(car, "charge-chargetimers")["body"]["values"] if t["type"] == "GLOBAL")
    assert timer["schedules"][0]["start"] == "23:30:00" and timer["departureTimers"][0]["time"] == "07:15:00"
    car.post("tesla/charge/schedule", {"type": "START_TIME", "enable": False})
    assert car.get("tesla/charge/schedule").json()["startTime"] == {"enabled": False, "time": None}


def test_ford_schedule_by_location(make_car):
    car = make_car("FORD")
    body = {"chargingLocation": {"chargeLimit": 0.9, "chargingWindows": {"weekday": [{"start": "17:00",
                                                                                      "end": "06:00"}],
                                                                         "weekend": []}}}
    response = put(car, "ford/charge/schedule_by_location", body, latitude=42.3, longitude=-83.2)
    assert response.status_code == 200, response.text
    locations = car.get("ford/charge/schedule_by_location").json()["chargingLocations"]
    assert locations == [{"chargeLimit": 0.9, "location": {"latitude": 42.3, "longitude": -83.2},
                          "chargingSchedules": {"weekday": [{"start": "17:00", "end": "06:00"}], "weekend": []}}]
    timers = signal(car, "charge-chargetimers")["body"]["values"]
    located = [t for t in timers if t["type"] == "LOCATION" and t["condition"]["latitude"] == 42.3]
    assert located[0]["schedules"][0]["days"] == ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    cleared = {"chargingLocation": {"chargeLimit": 0.9, "chargingWindows": {"weekday": [], "weekend": []}}}
    put(car, "ford/charge/schedule_by_location", cleared, latitude=42.3, longitude=-83.2)
    assert car.get("ford/charge/schedule_by_location").json()["chargingLocations"][0]["chargingSchedules"] == {
        "weekday": [], "weekend": []}
    bad = {"chargingLocation": {"chargeLimit": 0.2, "chargingWindows": {"weekday": [], "weekend": []}}}
    assert_v2_error(put(car, "ford/charge/schedule_by_location", bad, latitude=42.3, longitude=-83.2), 400,
                    "VALIDATION")


def test_lincoln_schedule_by_location(make_car):
    car = make_car("LINCOLN")
    body = {"chargingLocation": {"chargeLimit": 0.8, "chargingWindows": {
        "weekday": [], "weekend": [{"start": "10:00", "end": "14:00"}]}}}
    assert put(car, "lincoln/charge/schedule_by_location", body, latitude=1.5, longitude=2.5).status_code == 200
    found = car.get("lincoln/charge/schedule_by_location").json()["chargingLocations"]
    assert found[0]["chargingSchedules"]["weekend"] == [{"start": "10:00", "end": "14:00"}]


def test_nissan_charge_schedule(make_car):
    car = make_car("NISSAN")
    schedules = [{"start": "08:00", "end": "12:00", "days": ["MONDAY", "WEDNESDAY", "FRIDAY"]}]
    assert put(car, "nissan/charge/schedule", {"chargeSchedules": schedules}).status_code == 200
    assert car.get("nissan/charge/schedule").json() == {"chargeSchedules": schedules}
    timer = next(t for t in signal(car, "charge-chargetimers")["body"]["values"] if t["type"] == "GLOBAL")
    assert timer["schedules"] == [{"start": "08:00:00", "end": "12:00:00", "days": ["MONDAY", "WEDNESDAY", "FRIDAY"]}]
    assert_v2_error(put(car, "nissan/charge/schedule", {"chargeSchedules": schedules * 4}), 400, "VALIDATION")


def test_charge_records_follow_sessions_and_dates(make_car, emulator):
    car = make_car("BMW", fresh=True)
    records = car.get("bmw/charge/records").json()["records"]
    assert records and all({"chargeStart", "chargeEnd", "energy", "isPublic", "startPercentRemaining",
                            "endPercentRemaining", "chargingType", "location"} == set(r) for r in records)
    assert car.get("bmw/charge/records", params={"startDate": "2000-01-01", "endDate": "2000-01-31"}).json() == {
        "records": []}
    assert_v2_error(car.get("bmw/charge/records", params={"startDate": "yesterday"}), 400, "VALIDATION", "PARAMETER")
    tesla = make_car("TESLA")
    billing = tesla.get("tesla/charge/records/billing").json()
    assert billing["hasMoreData"] is False and billing["records"][0]["cost"]["currency"] == "USD"


def test_writes_check_make_and_permission(make_car, http, connect_vehicle):
    assert_v2_error(make_car("AUDI").post("tesla/security/frunk", {"action": "OPEN"}), 501, "COMPATIBILITY",
                    "VEHICLE_NOT_CAPABLE")
    narrow = Car(http, connect_vehicle(scopes=["read_vehicle_info"], make="TESLA", email=unique_email("narrow")))
    assert_v2_error(narrow.post("tesla/climate/cabin", {"action": "START"}), 403, "PERMISSION")
    assert_v2_error(narrow.get("tesla/climate/cabin"), 403, "PERMISSION")


def test_v2_charge_follows_the_same_make_rules(make_car):
    nissan = make_car("NISSAN")
    assert nissan.post("charge", {"action": "START"}).status_code == 200
    assert_v2_error(nissan.post("charge", {"action": "STOP"}), 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


# Reference §5.9: "{make} must be lower-case; upper-case gives a PERMISSION error", for the whole family: every
# make-specific path and method, reads, charge records and writes alike.
MAKE_PATHS = sorted({("GET", path) for path in READ_FIELDS} | {
    ("POST", "tesla/charge/ammeter"), ("POST", "tesla/charge/charge_port_door"), ("POST", "tesla/charge/schedule"),
    ("POST", "tesla/climate/cabin"), ("POST", "tesla/climate/defroster"), ("POST", "tesla/climate/steering_wheel"),
    ("POST", "tesla/pin"), ("DELETE", "tesla/pin"), ("POST", "tesla/security/frunk"),
    ("POST", "tesla/security/trunk"), ("PUT", "ford/charge/schedule_by_location"),
    ("PUT", "lincoln/charge/schedule_by_location"), ("PUT", "nissan/charge/schedule")})


def _spelt(path: str, make: str) -> str:
    return make + path[path.index("/"):]


@pytest.mark.parametrize(("method", "path"), MAKE_PATHS, ids=[f"{m} {p}" for m, p in MAKE_PATHS])
def test_every_make_specific_path_with_an_upper_case_make_is_permission(make_car, http, method, path):
    car = make_car("TESLA")
    make = path.split("/")[0]
    for spelling in (make.upper(), make.capitalize()):
        response = http.request(method, car.url(_spelt(path, spelling)), json={"action": "OPEN"},
                                headers=bearer(car.token))
        assert_v2_error(response, 403, "PERMISSION")
    # authentication first, as on the lower-case path; another segment out of case is an unknown path
    assert_v2_error(http.request(method, car.url(_spelt(path, make.upper())), headers=bearer("nope")), 401,
                    "AUTHENTICATION")
    assert_v2_error(http.request(method, car.url(path.upper()), headers=bearer(car.token)), 404,
                    "RESOURCE_NOT_FOUND", "PATH")


def test_an_upper_case_make_write_changes_nothing(make_car):
    car = make_car("TESLA", fresh=True)
    assert_v2_error(car.post("TESLA/security/frunk", {"action": "OPEN"}), 403, "PERMISSION")
    assert signal(car, "closure-fronttrunk")["body"]["isOpen"] is False


@pytest.mark.parametrize(("method", "path"), [("PATCH", "TESLA/pin"), ("POST", "TESLA/compass"),
                                              ("POST", "odometer"), ("PUT", "Tesla/charge/ammeter")])
def test_a_method_the_path_does_not_take_stays_404(make_car, http, method, path):
    car = make_car("TESLA")
    assert_v2_error(http.request(method, car.url(path), headers=bearer(car.token)), 404, "RESOURCE_NOT_FOUND", "PATH")


@pytest.mark.parametrize(("method", "path"), [("POST", "TESLA/charge/ammeter"), ("DELETE", "TESLA/pin"),
                                              ("GET", "TESLA/charge/records/billing"), ("GET", "BMW/charge/records"),
                                              ("GET", "TESLA/compass"), ("GET", "TESLA/charge/ammeter"),
                                              ("GET", "AUDI/charge")])
def test_v1_has_no_make_specific_endpoints_in_any_case(make_car, http, method, path):
    """Reference §5.9: make-specific endpoints are v2 only (reads included: the emulator served those under
    /v1.0 too, looser than the cloud)."""
    car = make_car("TESLA")
    for spelling in (path, path.lower()):
        response = http.request(method, car.v1().url(spelling), headers=bearer(car.token))
        assert response.status_code == 404 and response.json()["error"] == "resource_not_found_error"


def test_a_v1_batch_answers_a_make_specific_item_404_and_v2_serves_it(make_car, http):
    car = make_car("TESLA")
    body = {"requests": [{"path": "/tesla/compass"}, {"path": "/battery"}]}
    v1 = http.post(car.v1().url("batch"), json=body, headers=bearer(car.token))
    assert v1.status_code == 200, v1.text
    codes = {item["path"]: item["code"] for item in v1.json()["responses"]}
    assert codes == {"/tesla/compass": 404, "/battery": 200}
    v2 = http.post(car.url("batch"), json=body, headers=bearer(car.token))
    assert {item["path"]: item["code"] for item in v2.json()["responses"]} == {"/tesla/compass": 200, "/battery": 200}
