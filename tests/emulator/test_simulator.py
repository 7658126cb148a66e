"""Vehicle physics (trips, energy, charging), lazy simulated time and the issue's end-to-end scenario."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from smartcar_emulator.clock import Clock
from smartcar_emulator.platform.state import VehicleState
from smartcar_emulator.simulator import advance, build_route, distance_km
from smartcar_emulator.simulator.physics import KM_PER_KWH, KM_PER_LITER, project
from tests.emulator.simkit import sim  # noqa: F401  (fixture)

T0 = 1_700_000_000.0


def bev(soc: float = 0.8, capacity: float = 75.0) -> VehicleState:
    state = VehicleState(latitude=39.74, longitude=-104.99, battery_capacity_kwh=capacity, battery_soc=soc,
                         charge_limit=0.9, odometer_km=1000.0, sim_at=T0)
    return state


def on_trip(state: VehicleState, km: float, speed: float = 60.0) -> VehicleState:
    end = project((state.latitude, state.longitude), 90.0, km)
    state.trip = {"waypoints": [list(end)], "speed_kph": speed, "distance_km": 0.0}
    state.speed_kph = speed
    return state


# Pure physics -----------------------------------------------------------------------------------------
def test_odometer_is_monotonic_and_follows_speed():
    state = on_trip(bev(), km=50)
    readings = [state.odometer_km]
    for minute in range(1, 11):
        advance(state, "BEV", T0 + minute * 60)
        readings.append(state.odometer_km)
    assert readings == sorted(readings) and len(set(readings)) == len(readings)
    assert readings[-1] - readings[0] == pytest.approx(10.0, abs=0.01)  # 10 minutes at 60 km/h
    assert state.speed_kph == 60 and state.trip is not None


def test_energy_use_is_proportional_to_distance():
    short, long = on_trip(bev(), km=100), on_trip(bev(), km=100)
    advance(short, "BEV", T0 + 600)  # 10 km
    advance(long, "BEV", T0 + 1800)  # 30 km
    used_short, used_long = 0.8 - short.battery_soc, 0.8 - long.battery_soc
    assert used_long / used_short == pytest.approx(3.0, rel=0.01)
    assert used_short * 75 * KM_PER_KWH == pytest.approx(10.0, rel=0.01)
    assert long.battery_range_km < short.battery_range_km


def test_ice_burns_fuel_and_wears_oil_phev_uses_battery_first():
    ice = VehicleState(latitude=39.7, longitude=-105.0, fuel_capacity_l=60.0, fuel_fraction=0.5, oil_life=0.8,
                       sim_at=T0)
    advance(on_trip(ice, km=100), "ICE", T0 + 1200)  # 20 km
    assert (0.5 - ice.fuel_fraction) * 60 * KM_PER_LITER == pytest.approx(20.0, rel=0.01)
    assert ice.oil_life < 0.8

    phev = VehicleState(latitude=39.7, longitude=-105.0, battery_capacity_kwh=10.0, battery_soc=0.1,
                        fuel_capacity_l=40.0, fuel_fraction=0.5, oil_life=0.5, sim_at=T0)
    advance(on_trip(phev, km=100), "PHEV", T0 + 1800)  # 30 km: 6.2 electric, the rest on fuel
    assert phev.battery_soc == 0.0
    assert (0.5 - phev.fuel_fraction) * 40 * KM_PER_LITER == pytest.approx(30 - 6.2, rel=0.01)


def test_trip_ends_on_arrival_and_a_parked_vehicle_stays_put():
    state = on_trip(bev(), km=5)
    advance(state, "BEV", T0 + 3600)
    assert state.trip is None and state.speed_kph == 0
    assert state.odometer_km == pytest.approx(1005.0, abs=0.01)
    parked = (state.latitude, state.longitude, state.odometer_km, state.battery_soc)
    advance(state, "BEV", T0 + 7200)
    assert (state.latitude, state.longitude, state.odometer_km, state.battery_soc) == parked


def test_running_out_of_energy_stops_the_vehicle():
    state = on_trip(bev(soc=0.01), km=100)
    advance(state, "BEV", T0 + 3600)
    assert state.battery_soc == 0.0 and state.speed_kph == 0 and state.trip is None
    assert state.odometer_km == pytest.approx(1000 + 0.01 * 75 * KM_PER_KWH, abs=0.01)


def test_charging_rises_at_the_rate_and_stops_at_the_limit():
    state = bev(soc=0.5)
    state.plugged_in, state.charging, state.charge_rate_kw = True, True, 7.5
    advance(state, "BEV", T0 + 3600)
    assert state.battery_soc == pytest.approx(0.6, abs=1e-4)  # 7.5 kWh of 75
    assert state.charging and state.charge_state == "CHARGING"
    advance(state, "BEV", T0 + 10 * 3600)
    assert state.battery_soc == 0.9 and not state.charging and state.charge_state == "FULLY_CHARGED"


def test_routes_are_deterministic_per_seed():
    start, end = (39.7, -105.0), (39.9, -104.7)
    assert build_route(start, end, random.Random(1)) == build_route(start, end, random.Random(1))
    assert build_route(start, end, random.Random(1)) != build_route(start, end, random.Random(2))
    assert build_route(start, end, random.Random(1))[-1] == [39.9, -104.7]
    assert distance_km(start, end) == pytest.approx(33.9, abs=0.2)


def test_time_scale_multiplies_elapsed_time():
    clock = Clock(time_scale=60)
    clock._origin -= timedelta(seconds=10)  # as if made 10 real seconds ago
    simulated = (clock.now() - (clock._origin + timedelta(seconds=10))).total_seconds()
    assert simulated >= 590  # 10 real seconds are ten simulated minutes
    with pytest.raises(ValueError):
        Clock(time_scale=0)


# Over HTTP --------------------------------------------------------------------------------------------
def test_done_when_scenario(sim):  # noqa: F811
    """Create a BEV, drive it, watch the battery drop in v2 and v3, IN_MOTION on lock, a rate limit."""
    car = sim.car("TESLA", "Model 3")
    battery0 = car.get("battery").json()
    signal0 = car.signal("tractionbattery-stateofcharge").json()["attributes"]["body"]
    odometer0 = car.get("odometer").json()["distance"]
    assert signal0["value"] == pytest.approx(battery0["percentRemaining"] * 100, abs=0.1)

    started = sim.ok("POST", f"/vehicles/{car.id}/trip", {"distance_km": 40, "speed_kph": 80})
    assert started["state"]["speed_kph"] == 80 and started["state"]["plugged_in"] is False
    sim.advance(900)  # 15 minutes: 20 km

    battery1 = car.get("battery").json()
    assert battery1["percentRemaining"] < battery0["percentRemaining"]
    assert battery1["range"] < battery0["range"]
    signal1 = car.signal("tractionbattery-stateofcharge").json()["attributes"]["body"]
    assert signal1["value"] == pytest.approx(battery1["percentRemaining"] * 100, abs=0.1)
    assert car.get("odometer").json()["distance"] == pytest.approx(odometer0 + 20, abs=0.1)
    location = car.get("location").json()
    assert (location["latitude"], location["longitude"]) != (started["state"]["latitude"],
                                                              started["state"]["longitude"])

    locked = car.post("security", {"action": "LOCK"})
    assert locked.status_code == 409 and locked.json()["code"] == "IN_MOTION"
    v3_lock = car.command("security/lock")
    assert v3_lock.status_code == 409 and v3_lock.json()["errors"][0]["code"] == "IN_MOTION"

    panel = sim.http.get(f"/_emulator/panel/vehicles/{car.id}")
    assert panel.status_code == 200 and 'id="status">driving' in panel.text and "<polyline" in panel.text

    fault = sim.ok("POST", "/faults", {"kind": "rate_limit", "vehicle_id": car.id, "retry_after": 42}, status=201)
    limited = car.get("battery")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "42"
    assert limited.json()["type"] == "RATE_LIMIT" and limited.json()["code"] == "VEHICLE"
    sim.ok("DELETE", f"/faults/{fault['id']}")
    assert car.get("battery").status_code == 200

    sim.advance(3600)  # arrives after 40 km
    state = car.state()
    assert state["trip"] is None and state["speed_kph"] == 0
    assert car.post("security", {"action": "LOCK"}).status_code == 200


def test_commands_advance_the_simulation_first(sim):  # noqa: F811
    car = sim.car("NISSAN")
    sim.ok("POST", f"/vehicles/{car.id}/trip", {"distance_km": 1, "speed_kph": 60})
    sim.advance(120)  # arrived a minute ago: the lock must see a parked car
    assert car.post("security", {"action": "LOCK"}).status_code == 200
    assert car.state()["locked"] is True


def test_charging_over_http_reaches_the_limit(sim):  # noqa: F811
    car = sim.car("FORD", "Mustang Mach-E")  # 91 kWh
    car.set(battery_soc=0.4, charge_limit=0.8, charge_rate_kw=50.0)
    sim.ok("POST", f"/vehicles/{car.id}/plug")
    assert car.post("charge", {"action": "START"}).status_code == 200
    sim.advance(1800)
    assert car.get("charge").json() == {"isPluggedIn": True, "state": "CHARGING"}
    assert car.get("battery").json()["percentRemaining"] == pytest.approx(0.4 + 25 / 91, abs=0.001)
    sim.advance(3600)
    assert car.get("charge").json() == {"isPluggedIn": True, "state": "FULLY_CHARGED"}
    assert car.get("battery").json()["percentRemaining"] == 0.8
    assert car.signal("charge-ischarging").json()["attributes"]["body"] == {"value": False}
    again = car.post("charge", {"action": "START"})
    assert again.status_code == 409 and again.json()["code"] == "FULLY_CHARGED"


def test_navigation_destination_becomes_the_trip(sim):  # noqa: F811
    car = sim.car("TESLA")
    here = car.state()
    target = {"latitude": round(here["latitude"] + 0.05, 6), "longitude": round(here["longitude"] + 0.05, 6)}
    assert car.post("navigation/destination", target).status_code == 200
    trip = sim.ok("POST", f"/vehicles/{car.id}/trip", {})["state"]["trip"]
    assert trip["destination"] == [target["latitude"], target["longitude"]]
    sim.advance(3600)  # about 10 km at 60 km/h
    arrived = car.get("location").json()
    assert arrived == target
