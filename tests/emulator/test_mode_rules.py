"""Mode rules: test mode's randomised sensors and special logins, simulated and live vehicles' exact state."""

from __future__ import annotations

import random

import pytest

from smartcar_emulator.platform.state import VehicleState
from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.simulator import reading_state
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI
from tests.emulator.simkit import Car, sim  # noqa: F401  (fixture)


def login(sim, email: str, make: str = "TESLA", mode: str = "test", scopes: list[str] | None = None) -> Car:  # noqa: F811
    session = sim.connect(email, make=make, mode=mode, scopes=scopes)
    return Car(sim, session["vehicle_ids"][0], session["access_token"])


def test_test_mode_sensors_change_per_request_within_the_reference_ranges(sim):  # noqa: F811
    car = login(sim, "randomised@example.com", make="CHEVROLET")  # a Volt: battery and fuel
    stored = car.state()
    odometers, socs, tires = set(), set(), set()
    for _ in range(12):
        odometer = car.get("odometer").json()["distance"]
        assert 10_000 <= odometer <= 300_000 and stored["odometer_km"] <= odometer <= stored["odometer_km"] + 2
        location = car.get("location").json()
        assert 37 <= location["latitude"] <= 41 and -109 <= location["longitude"] <= -102
        assert abs(location["latitude"] - stored["latitude"]) < 0.01
        battery = car.get("battery").json()
        assert 0 <= battery["percentRemaining"] <= 1 and 0 <= battery["range"] <= 483
        fuel = car.get("fuel").json()
        assert 0 <= fuel["percentRemaining"] <= 1 and 0 <= fuel["range"] <= 483
        assert 0 <= car.get("engine/oil").json()["lifeRemaining"] <= 1
        pressures = car.get("tires/pressure").json()
        assert all(175 <= p <= 237 for p in pressures.values())
        odometers.add(odometer), socs.add(battery["percentRemaining"]), tires.add(pressures["frontLeft"])
    assert len(odometers) > 1 and len(socs) > 1 and len(tires) > 1
    assert car.state() == stored  # readings never write the stored state


def test_test_mode_commands_stay_authoritative(sim):  # noqa: F811
    car = login(sim, "commands@example.com")
    for action, locked in (("UNLOCK", False), ("LOCK", True), ("UNLOCK", False)):
        assert car.post("security", {"action": action}).status_code == 200
        assert car.get("security").json()["isLocked"] is locked
        assert car.signal("closure-islocked").json()["attributes"]["body"] == {"value": locked}
    assert car.post("charge/limit", {"limit": 0.65}).status_code == 200
    assert car.get("charge/limit").json() == {"limit": 0.65}


def test_reading_state_keeps_charge_state_and_stays_in_band():
    state = VehicleState(odometer_km=50_000, latitude=39.0, longitude=-105.0, battery_capacity_kwh=75,
                         battery_soc=0.795, charge_limit=0.8, plugged_in=True, tires_kpa={"frontLeft": 236.5})
    for seed in range(50):
        reading = reading_state(state, random.Random(seed))
        assert reading.charge_state == "NOT_CHARGING" and reading.battery_soc < 0.8
        assert 175 <= reading.tires_kpa["frontLeft"] <= 237
        assert 50_000 <= reading.odometer_km <= 50_002
    full = VehicleState(battery_capacity_kwh=75, battery_soc=0.8, charge_limit=0.8, plugged_in=True)
    assert reading_state(full, random.Random(1)).charge_state == "FULLY_CHARGED"


def test_simulated_and_live_vehicles_read_exactly(sim):  # noqa: F811
    simulated = sim.car("TESLA")
    assert simulated.get("odometer").json() == simulated.get("odometer").json()
    assert simulated.get("odometer").json()["distance"] == simulated.state()["odometer_km"]
    sim.ok("POST", "/users", {"email": "live-exact@example.com", "password": "password", "make": "TESLA"},
           status=201)
    live = login(sim, "live-exact@example.com", mode="live")
    assert live.get("tires/pressure").json() == live.get("tires/pressure").json()
    assert live.get("location").json() == {"latitude": live.state()["latitude"],
                                           "longitude": live.state()["longitude"]}


def test_modes_do_not_mix(sim):  # noqa: F811
    vehicle = sim.create("TESLA", email="mixed@example.com")
    test_car = login(sim, "mixed@example.com", mode="test")
    simulated = login(sim, "mixed@example.com", mode="simulated")
    assert simulated.id == vehicle["id"] and test_car.id != vehicle["id"]
    assert sim.ok("GET", f"/vehicles/{test_car.id}")["mode"] == "test"
    assert sim.ok("GET", f"/vehicles/{test_car.id}")["vin"].startswith("0SC")


@pytest.mark.parametrize(("level", "capable", "incapable"), [
    ("compatible", ["read_battery", "read_fuel"], []),
    ("phev", ["read_battery", "read_fuel"], []),
    ("bev", ["read_battery", "read_charge"], ["read_fuel", "read_engine_oil"]),
    ("fuel", ["read_fuel", "read_engine_oil"], ["read_battery", "read_charge"]),
    ("incompatible", [], ["read_odometer", "read_battery", "read_fuel"]),
    ("dinosaur", [], ["read_odometer", "read_location"]),
])
def test_compatibility_levels(sim, level, capable, incapable):  # noqa: F811
    paths = {"read_battery": "battery", "read_fuel": "fuel", "read_charge": "charge", "read_engine_oil": "engine/oil",
             "read_odometer": "odometer", "read_location": "location"}
    vin = f"0SCTEST{level.upper():0<10}"[:17]
    car = login(sim, f"{vin}@{level}.smartcar.com")
    if capable:
        assert car.get("vin").json() == {"vin": vin}
    else:  # incapable of everything, the VIN included
        assert car.get("vin").json()["code"] == "VEHICLE_NOT_CAPABLE"
    for permission in capable:
        assert car.get(paths[permission]).status_code == 200, permission
    for permission in incapable:
        response = car.get(paths[permission])
        assert response.status_code == 501 and response.json()["code"] == "VEHICLE_NOT_CAPABLE", permission


def test_fleet_login_pages_its_vehicles(sim):  # noqa: F811
    session = sim.connect("12-vehicles@smartcar.com", make="FORD", scopes=["read_vehicle_info"])
    assert len(set(session["vehicle_ids"])) == 12
    auth = {"Authorization": f"Bearer {session['access_token']}"}
    page = sim.http.get("/v2.0/vehicles", params={"limit": 5, "offset": 10}, headers=auth).json()
    assert page["paging"] == {"count": 12, "offset": 10} and page["vehicles"] == session["vehicle_ids"][10:]


def test_well_known_test_vin(sim):  # noqa: F811
    car = login(sim, "smartcar@successful-request.com", make="AUDI")
    assert car.get("vin").json() == {"vin": "0SCAUDI037A5ADB1C"}
    assert car.get("odometer").status_code == 200


@pytest.mark.parametrize(("email", "status", "type_", "code"), [
    ("VEHICLE_STATE.ASLEEP@smartcar.com", 409, "VEHICLE_STATE", "ASLEEP"),
    ("RATE_LIMIT.VEHICLE@smartcar.com", 429, "RATE_LIMIT", "VEHICLE"),
    ("CONNECTED_SERVICES_ACCOUNT.VEHICLE_MISSING@smartcar.com", 400, "CONNECTED_SERVICES_ACCOUNT", "VEHICLE_MISSING"),
    ("UPSTREAM.INVALID_DATA@smartcar.com", 502, "UPSTREAM", "INVALID_DATA"),
])
def test_error_logins_fail_data_endpoints_only(sim, email, status, type_, code):  # noqa: F811
    car = login(sim, email)
    failed = car.get("odometer")
    assert failed.status_code == status and (failed.json()["type"], failed.json()["code"]) == (type_, code)
    assert car.get("vin").status_code == 200 and car.get("").status_code == 200
    v3 = car.signal("odometer-traveleddistance")
    assert v3.status_code == status and v3.json()["errors"][0]["code"] == code


def test_v1_error_login(sim):  # noqa: F811
    car = login(sim, "smartcar@vs-001.vehicle-state-error.com")
    body = car.get("odometer", version="1.0").json()
    assert (body["error"], body["code"]) == ("vehicle_state_error", "VS_001")
    assert car.get("odometer").json()["code"] == "DOOR_OPEN"


@pytest.mark.parametrize(("email", "error"), [("smartcar@vehicle-incompatible.com", "vehicle_incompatible"),
                                              ("smartcar@invalid-subscription.com", "invalid_subscription")])
def test_connect_error_logins(sim, email, error):  # noqa: F811
    url = authorize_url(sim.server.url, sim.app.client_id, REDIRECT_URI, ["read_odometer"], mode="test",
                        make="AUDI")
    assert walk(url, email=email).params["error"] == error
