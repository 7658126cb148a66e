"""The control API: validation, state fields, command preconditions, users, tokens, connections, guard."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from smartcar_emulator.app import create_app
from tests.emulator.simkit import sim  # noqa: F401  (fixture)


def test_catalog_and_vehicle_listing(sim):  # noqa: F811
    models = sim.ok("GET", "/catalog")["models"]
    assert {m["powertrain"] for m in models} == {"BEV", "PHEV", "HEV", "ICE"}
    created = sim.create("KIA", "Niro")
    listed = sim.ok("GET", "/vehicles?mode=simulated")["vehicles"]
    assert created["id"] in [v["id"] for v in listed]
    assert created["powertrain"] == "HEV" and created["vin"].startswith("3SC") and created["mode"] == "simulated"
    assert sim.control("GET", "/vehicles?mode=flying").status_code == 400


@pytest.mark.parametrize(("body", "field"), [
    ({"make": "DELOREAN"}, "make"), ({"make": "TESLA", "model": "Cybertruck"}, "model"),
    ({"make": "TESLA", "model": "Model S", "year": 1999}, "year"), ({"make": "TESLA", "mode": "dream"}, "mode"),
    ({"make": "TESLA", "vin": "SHORT"}, "vin"), ({"make": "TESLA", "year": "2020"}, "year"),
])
def test_create_vehicle_validation(sim, body, field):  # noqa: F811
    response = sim.control("POST", "/vehicles", body)
    assert response.status_code == 400 and response.json()["type"] == "VALIDATION"
    assert response.json()["detail"][0]["field"] == field


def test_unknown_vehicle_is_404_json(sim):  # noqa: F811
    response = sim.control("GET", "/vehicles/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/json")
    assert response.json()["type"] == "RESOURCE_NOT_FOUND"


def test_set_state_fields_show_through_every_view(sim):  # noqa: F811
    car = sim.car("TESLA")
    car.set(odometer_km=12345.6, battery_soc=0.42, tires_kpa={"frontLeft": 180.0}, dtcs=[{"code": "P0300",
                                                                                         "timestamp": None}])
    assert car.get("odometer").json() == {"distance": 12345.6}
    assert car.get("battery").json()["percentRemaining"] == 0.42
    assert car.get("tires/pressure").json()["frontLeft"] == 180.0
    assert car.get("diagnostics/dtcs").json() == {"activeCodes": [{"code": "P0300", "timestamp": None}]}
    assert car.signal("diagnostics-dtccount").json()["attributes"]["body"]["value"] == 1
    assert car.state()["tires_kpa"]["frontRight"] > 200  # merged, not replaced


@pytest.mark.parametrize("fields", [
    {"battery_soc": 1.5}, {"locked": "yes"}, {"doors": {"frontMiddle": "OPEN"}}, {"doors": {"frontLeft": "AJAR"}},
    {"speed_kph": 10}, {"trip": None}, {"charging": True, "plugged_in": False}, {},
])
def test_set_state_validation(sim, fields):  # noqa: F811
    vehicle = sim.create("TESLA")
    response = sim.control("PATCH", f"/vehicles/{vehicle['id']}/state", fields)
    assert response.status_code == 400 and response.json()["type"] == "VALIDATION", response.text


def test_lock_preconditions(sim):  # noqa: F811
    car = sim.car("TESLA")
    car.set(doors={"backLeft": "OPEN"})
    assert car.post("security", {"action": "UNLOCK"}).status_code == 200  # unlocking with a door open is fine
    refused = car.post("security", {"action": "LOCK"})
    assert refused.status_code == 409 and refused.json()["code"] == "DOOR_OPEN"
    car.set(doors={"backLeft": "CLOSED"}, storage={"rear": "OPEN"})
    assert car.post("security", {"action": "LOCK"}).json()["code"] == "TRUNK_OPEN"
    car.set(storage={"rear": "CLOSED", "front": "OPEN"})
    assert car.post("security", {"action": "LOCK"}).json()["code"] == "TRUNK_OPEN"  # a BEV's frunk
    car.set(storage={"front": "CLOSED"})
    assert car.post("security", {"action": "LOCK"}).status_code == 200
    assert car.get("security").json()["isLocked"] is True


def test_hood_open_on_a_combustion_car(sim):  # noqa: F811
    car = sim.car("FORD", "F-150")
    car.set(storage={"front": "OPEN"})
    assert car.post("security", {"action": "LOCK"}).json()["code"] == "HOOD_OPEN"


def test_charge_preconditions(sim):  # noqa: F811
    car = sim.car("TESLA")
    car.set(battery_soc=0.5, charge_limit=0.8)
    sim.ok("DELETE", f"/vehicles/{car.id}/plug")
    assert car.post("charge", {"action": "START"}).json()["code"] == "CHARGING_PLUG_NOT_CONNECTED"
    assert car.post("charge", {"action": "STOP"}).json()["code"] == "NOT_CHARGING"
    assert car.command("charge/start").json()["errors"][0]["code"] == "CHARGING_PLUG_NOT_CONNECTED"
    sim.ok("POST", f"/vehicles/{car.id}/plug")
    assert car.post("charge", {"action": "START"}).status_code == 200
    assert car.post("charge", {"action": "START"}).json()["code"] == "CHARGING_IN_PROGRESS"
    assert car.post("charge", {"action": "STOP"}).status_code == 200
    car.set(battery_soc=0.8)
    assert car.post("charge", {"action": "START"}).json()["code"] == "FULLY_CHARGED"


def test_driving_refuses_lock_charge_and_plug(sim):  # noqa: F811
    car = sim.car("TESLA")
    sim.ok("POST", f"/vehicles/{car.id}/trip", {"distance_km": 50})
    assert car.post("security", {"action": "UNLOCK"}).json()["code"] == "IN_MOTION"
    assert car.post("charge", {"action": "START"}).json()["code"] == "IN_MOTION"
    plug = sim.control("POST", f"/vehicles/{car.id}/plug")
    assert plug.status_code == 409 and plug.json()["code"] == "IN_MOTION"
    stopped = sim.ok("DELETE", f"/vehicles/{car.id}/trip")["state"]
    assert stopped["speed_kph"] == 0 and stopped["trip"] is None
    assert car.post("security", {"action": "UNLOCK"}).status_code == 200


def test_trip_validation_and_empty_tank(sim):  # noqa: F811
    vehicle = sim.create("TOYOTA", "Camry")
    for body in ({"speed_kph": 0}, {"destination": {"latitude": 100, "longitude": 0}}, {"waypoints": []},
                 {"distance_km": "far"}):
        assert sim.control("POST", f"/vehicles/{vehicle['id']}/trip", body).status_code == 400
    sim.ok("PATCH", f"/vehicles/{vehicle['id']}/state", {"fuel_fraction": 0})
    empty = sim.control("POST", f"/vehicles/{vehicle['id']}/trip", {"distance_km": 5})
    assert empty.status_code == 409 and empty.json()["code"] == "LOW_BATTERY"
    assert sim.control("POST", f"/vehicles/{vehicle['id']}/plug").json()["code"] == "VEHICLE_NOT_CAPABLE"


def test_waypoint_trip_passes_every_point(sim):  # noqa: F811
    vehicle = sim.create("TESLA")
    start = vehicle["state"]
    points = [{"latitude": start["latitude"] + 0.01, "longitude": start["longitude"]},
              {"latitude": start["latitude"] + 0.01, "longitude": start["longitude"] + 0.01}]
    sim.ok("POST", f"/vehicles/{vehicle['id']}/trip", {"waypoints": points, "speed_kph": 30})
    sim.advance(3600)
    state = sim.state(vehicle["id"])
    assert state["latitude"] == pytest.approx(points[1]["latitude"], abs=1e-6)
    assert state["longitude"] == pytest.approx(points[1]["longitude"], abs=1e-6)
    first = (round(points[0]["latitude"], 5), round(points[0]["longitude"], 5))
    assert first in [(round(lat, 5), round(lon, 5)) for lat, lon in state["track"]]


def test_clock_reports_and_rejects_going_back(sim):  # noqa: F811
    before = sim.ok("GET", "/clock")
    after = sim.ok("POST", "/clock/advance", {"seconds": 30})
    assert after["timestamp"] >= before["timestamp"] + 30 and after["seed"] == 7
    assert sim.control("POST", "/clock/advance", {"seconds": -5}).status_code == 400


def test_users_tokens_and_connections(sim):  # noqa: F811
    created = sim.ok("POST", "/users", {"email": "Owner@Example.com", "password": "password", "make": "VOLVO",
                                        "vehicles": 2}, status=201)
    assert created["email"] == "owner@example.com" and len(created["vehicles"]) == 2
    assert "owner@example.com" in sim.ok("GET", "/users")["accounts"]
    session = sim.connect("owner@example.com", make="VOLVO", mode="live")
    assert sorted(session["vehicle_ids"]) == sorted(v["id"] for v in created["vehicles"])
    assert sim.control("POST", "/users", {"email": "x@example.com"}).status_code == 400
    assert sim.control("POST", "/users", {"email": "x@example.com", "password": "p", "make": "ACME"}).status_code == 400

    tokens = sim.ok("GET", "/tokens?client_id=sim-client")["tokens"]
    assert tokens and {"kind", "client_id", "user_id", "expires_at", "fingerprint"} <= tokens[0].keys()
    dumped = str(tokens)
    assert session["access_token"] not in dumped and session["refresh_token"] not in dumped

    connections = sim.ok("GET", "/connections")["connections"]
    mine = [c for c in connections if c["userId"] == session["user_id"]]
    assert len(mine) == 2 and all(c["clientId"] == "sim-client" for c in mine)


def test_openapi_documents_the_control_api(sim):  # noqa: F811
    paths = sim.http.get("/openapi.json").json()["paths"]
    assert {"/_emulator/vehicles", "/_emulator/faults", "/_emulator/clock/advance",
            "/_emulator/vehicles/{vehicle_id}/trip"} <= paths.keys()
    assert not any(p.startswith("/_emulator/panel") for p in paths)


def test_remote_clients_are_refused_unless_allowed():
    app = create_app()
    remote = TestClient(app, client=("203.0.113.9", 5555))
    refused = remote.get("/_emulator/vehicles")
    assert refused.status_code == 403 and refused.json()["type"] == "PERMISSION"
    assert remote.get("/_emulator/panel").status_code == 403
    app.state.platform.allow_remote_control = True
    assert remote.get("/_emulator/vehicles").status_code == 200
    assert TestClient(create_app()).get("/_emulator/vehicles").status_code == 200  # loopback
