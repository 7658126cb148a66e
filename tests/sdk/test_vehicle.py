"""Vehicle: every method against the emulator over loopback HTTP."""

from __future__ import annotations

from typing import Any

import pytest

import smartcar
from smartcar import config
from smartcar.exception import SmartcarException

from .conftest import AMT, CLIENT_ID

READS: list[tuple[str, str, tuple[str, ...]]] = [
    ("vin", "Vin", ("vin",)),
    ("charge", "Charge", ("is_plugged_in", "state")),
    ("battery", "Battery", ("percent_remaining", "range")),
    ("battery_capacity", "BatteryCapacity", ("capacity",)),
    ("nominal_capacity", "NominalCapcity", ("availableCapacities", "capacity", "url")),
    ("tire_pressure", "TirePressure", ("front_left", "front_right", "back_left", "back_right")),
    ("odometer", "Odometer", ("distance",)),
    ("location", "Location", ("latitude", "longitude")),
    ("attributes", "Attributes", ("id", "make", "model", "year")),
    ("get_charge_limit", "ChargeLimit", ("limit",)),
    ("lock_status", "LockStatus", ("is_locked", "doors", "windows", "sunroof", "storage", "charging_port")),
    ("service_history", "ServiceHistory", ("items",)),
    ("diagnostic_system_status", "DiagnosticSystemStatus", ("systems",)),
    ("diagnostic_trouble_codes", "DiagnosticTroubleCodes", ("active_codes",)),
    ("permissions", "Permissions", ("permissions", "paging")),
]


@pytest.mark.parametrize(("method", "name", "fields"), READS, ids=[r[0] for r in READS])
def test_reads(vehicle: smartcar.Vehicle, method: str, name: str, fields: tuple[str, ...]) -> None:
    result = getattr(vehicle, method)()
    assert type(result).__name__ == name
    assert result._fields == (*fields, "meta")
    assert type(result.meta).__name__ == "Meta" and result.meta.request_id


def test_read_values_are_raw(vehicle: smartcar.Vehicle, tesla: dict[str, Any]) -> None:
    attributes = vehicle.attributes()
    assert attributes.id == tesla["vehicle_ids"][0] and attributes.make == "TESLA"
    assert isinstance(attributes.year, int)
    assert vehicle.info()[:4] == attributes[:4]
    lock = vehicle.lock_status()
    assert isinstance(lock.doors[0], dict) and {"type", "status"} <= lock.doors[0].keys()
    nominal = vehicle.nominal_capacity()
    assert type(nominal.availableCapacities[0]).__name__ == "AvailableCapacity"
    assert isinstance(nominal.capacity, dict) and "nominal" in nominal.capacity
    systems = vehicle.diagnostic_system_status().systems
    assert type(systems[0]).__name__ == "DiagnosticSystem" and systems[0].system_id
    items = vehicle.service_history().items
    assert isinstance(items, list) and all("odometerDistance" in item for item in items)


def test_tesla_lacks_fuel_and_oil(vehicle: smartcar.Vehicle) -> None:
    for method in (vehicle.fuel, vehicle.engine_oil):
        with pytest.raises(SmartcarException) as info:
            method()
        assert info.value.type == "COMPATIBILITY" and info.value.code == "VEHICLE_NOT_CAPABLE"
        assert info.value.status_code == 501


def test_fuel_and_engine_oil_on_a_fuel_car(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(make="TOYOTA", email="fuel-driver@example.com")
    car = smartcar.Vehicle(tokens["vehicle_ids"][0], tokens["access_token"])
    fuel = car.fuel()
    assert type(fuel).__name__ == "Fuel" and fuel._fields == ("range", "percent_remaining", "amount_remaining",
                                                              "meta")
    oil = car.engine_oil()
    assert type(oil).__name__ == "EngineOil" and 0 <= oil.life_remaining <= 1


def test_unit_systems(vehicle: smartcar.Vehicle, tesla: dict[str, Any]) -> None:
    metric = vehicle.odometer()
    assert metric.meta.unit_system == "metric"
    imperial_vehicle = smartcar.Vehicle(tesla["vehicle_ids"][0], tesla["access_token"], {"unit_system": "Imperial"})
    assert imperial_vehicle._unit_system == "Imperial"  # stored as given, lowercased on the wire
    imperial = imperial_vehicle.odometer()
    assert imperial.meta.unit_system == "imperial"
    assert imperial.distance == pytest.approx(metric.distance / 1.609344, rel=1e-3)
    vehicle.set_unit_system("IMPERIAL")
    assert vehicle._unit_system == "imperial"
    assert vehicle.tire_pressure().meta.unit_system == "imperial"
    vehicle.set_unit_system("metric")
    assert vehicle.battery().meta.unit_system == "metric"


@pytest.mark.parametrize("bad", ["kelvin", "", None, 3])
def test_set_unit_system_rejects(vehicle: smartcar.Vehicle, bad: Any) -> None:
    with pytest.raises(ValueError, match=r"'unit_system' must be either 'metric' or 'imperial' \(case insensitive\)"):
        vehicle.set_unit_system(bad)
    assert vehicle._unit_system == "metric"


def test_version_and_flags_options(tesla: dict[str, Any]) -> None:
    vid = tesla["vehicle_ids"][0]
    car = smartcar.Vehicle(vid, tesla["access_token"], {"version": "1.0", "flags": {"country": "DE", "flag": True}})
    assert car._format_url("pizza") == f"{config.API_ORIGIN}/v1.0/vehicles/{vid}/pizza?flags=country:DE flag:true"
    assert car._format_url("") == f"{config.API_ORIGIN}/v1.0/vehicles/{vid}/?flags=country:DE flag:true"
    assert car._format_url("signals", origin="http://v3", api_version="3").startswith(f"http://v3/v3/vehicles/{vid}/")
    assert car.odometer().distance > 0  # flags travel on the wire and are ignored by the emulator
    assert car.attributes().id == vid  # the trailing-slash URL


def test_api_version_snapshot(tesla: dict[str, Any]) -> None:
    smartcar.set_api_version("1.0")
    car = smartcar.Vehicle(tesla["vehicle_ids"][0], tesla["access_token"])
    smartcar.set_api_version("2.0")
    assert car._api_version == "1.0"
    assert "/v1.0/" in car._format_url("odometer")
    assert car.odometer().distance > 0


def test_get_headers(vehicle: smartcar.Vehicle) -> None:
    vehicle._unit_system = "IMPERIAL"
    assert vehicle._get_headers() == {"Authorization": f"Bearer {vehicle.access_token}", "sc-unit-system": "imperial"}
    assert vehicle._get_headers(need_unit_system=False) == {"Authorization": f"Bearer {vehicle.access_token}"}


def test_permissions_paging(vehicle: smartcar.Vehicle) -> None:
    everything = vehicle.permissions()
    page = vehicle.permissions({"limit": 2, "offset": 1})
    assert page.permissions == everything.permissions[1:3]
    assert page.paging == (everything.paging.count, 1)
    assert vehicle.permissions({}).paging.offset == 0


def test_service_history_dates(vehicle: smartcar.Vehicle) -> None:
    every = vehicle.service_history().items
    assert len(every) >= 1
    assert vehicle.service_history("1990-01-01", "1990-12-31").items == []
    newest = max(item["serviceDate"][:10] for item in every)
    assert all(item["serviceDate"][:10] >= newest for item in vehicle.service_history(start_date=newest).items)


def test_actions(vehicle: smartcar.Vehicle) -> None:
    for result in (vehicle.lock(), vehicle.unlock(), vehicle.start_charge(), vehicle.stop_charge(),
                   vehicle.set_charge_limit(0.7), vehicle.send_destination(37.4292, -122.1381)):
        assert type(result).__name__ == "Action" and result.status == "success" and result.message
    assert vehicle.get_charge_limit().limit == pytest.approx(0.7)
    vehicle.lock()
    assert vehicle.lock_status().is_locked is True
    vehicle.set_charge_limit(0.8)


def test_set_charge_limit_out_of_range_is_a_validation_error(vehicle: smartcar.Vehicle) -> None:
    with pytest.raises(SmartcarException) as info:
        vehicle.set_charge_limit(5)
    assert info.value.type == "VALIDATION" and info.value.status_code == 400


def test_subscribe_and_unsubscribe(vehicle: smartcar.Vehicle, emulator: Any) -> None:
    webhook_id = emulator.platform.apps.add_webhook(CLIENT_ID, "https://example.com/hook")
    subscribed = vehicle.subscribe(webhook_id)
    assert type(subscribed).__name__ == "Subscribe"
    assert (subscribed.webhook_id, subscribed.vehicle_id) == (webhook_id, vehicle.vehicle_id)
    with pytest.raises(SmartcarException) as info:
        vehicle.unsubscribe("wrong-amt", webhook_id)
    assert info.value.status_code == 401
    status = vehicle.unsubscribe(AMT, webhook_id)
    assert type(status).__name__ == "Status" and status.status == "success"


def test_disconnect(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="leaving@example.com")
    car = smartcar.Vehicle(tokens["vehicle_ids"][0], tokens["access_token"])
    status = car.disconnect()
    assert type(status).__name__ == "Status" and status.status == "success"
    with pytest.raises(SmartcarException) as info:
        car.odometer()
    assert info.value.type in ("AUTHENTICATION", "PERMISSION", "RESOURCE_NOT_FOUND")


def test_batch_mixed_success_and_errors(vehicle: smartcar.Vehicle) -> None:
    b = vehicle.batch(["/odometer", "/", "/tires/pressure", "/engine/oil", "/security", "/charge/limit"])
    assert type(b).__name__ == "batch"
    assert b._fields == ("odometer", "attributes", "tire_pressure", "engine_oil", "lock_status", "get_charge_limit",
                         "meta")
    assert b.odometer().distance > 0 and b.odometer() is not b.odometer()
    assert b.attributes().make == "TESLA"
    assert type(b.tire_pressure()).__name__ == "TirePressure"
    assert b.odometer().meta.request_id == b.meta.request_id  # the top-level id is copied down
    assert b.odometer().meta.unit_system == "metric"
    assert b.lock_status().is_locked in (True, False) and b.get_charge_limit().limit > 0
    with pytest.raises(SmartcarException) as first:
        b.engine_oil()
    with pytest.raises(SmartcarException) as second:
        b.engine_oil()
    assert first.value is second.value
    assert first.value.type == "COMPATIBILITY" and first.value.status_code == 501
    assert len(vars(first.value)) in (10, 11) and first.value.resolution.keys() == {"type", "url"}


def test_batch_imperial_and_unknown_path(vehicle: smartcar.Vehicle) -> None:
    vehicle.set_unit_system("imperial")
    b = vehicle.batch(["/odometer", "/tesla/compass"])
    assert b.odometer().meta.unit_system == "imperial"
    compass = b.tesla_compass()
    assert type(compass).__name__ == "Data" and not hasattr(compass, "meta")


def test_batch_whole_request_error(vehicle: smartcar.Vehicle) -> None:
    with pytest.raises(SmartcarException) as info:
        vehicle.batch(["/odometer", "/LOCATIONNNN"])
    assert info.value.type == "VALIDATION"


def test_request(vehicle: smartcar.Vehicle) -> None:
    response = vehicle.request("GET", "odometer", None, {"sc-unit-system": "imperial"})
    assert type(response).__name__ == "Response" and response.meta.unit_system == "imperial"
    assert "distance" in response.body
    batch = vehicle.request("post", "batch", {"requests": [{"path": "/odometer"}]})
    assert batch.body["responses"][0]["path"] == "/odometer"
    assert vehicle.request("GET", "odometer").meta.unit_system == "metric"


def test_request_never_leaks_headers_between_vehicles(vehicle: smartcar.Vehicle, connect_vehicle: Any) -> None:
    other_tokens = connect_vehicle(email="other-owner@example.com")
    other = smartcar.Vehicle(other_tokens["vehicle_ids"][0], other_tokens["access_token"])
    assert vehicle.request("GET", "vin").body["vin"]
    assert other.request("GET", "vin").body["vin"]  # would be 4xx with the first vehicle's token
    mine = {"sc-unit-system": "imperial"}
    vehicle.request("GET", "odometer", None, mine)
    assert mine == {"sc-unit-system": "imperial"}
    with pytest.raises(SmartcarException) as info:
        vehicle.request("GET", "odometer", None, {"Authorization": "Bearer nope"})
    assert info.value.type == "AUTHENTICATION"


def test_access_token_is_read_at_call_time(vehicle: smartcar.Vehicle, tesla: dict[str, Any]) -> None:
    vehicle.access_token = "revoked"
    with pytest.raises(SmartcarException) as info:
        vehicle.vin()
    assert info.value.status_code == 401
    vehicle.access_token = tesla["access_token"]
    assert vehicle.vin().vin


def test_v3_signals(vehicle: smartcar.Vehicle) -> None:
    signals = vehicle.get_signals()
    assert isinstance(signals, dict) and set(signals) == {"body", "headers"}
    assert signals.body is signals["body"] and isinstance(signals.body["data"], list)
    assert signals.headers["CONTENT-TYPE"].startswith("application/json")
    code = signals.body["data"][0]["id"]
    one = vehicle.get_signal(code)
    assert one.body["id"] == code if "id" in one.body else one.body["data"]["id"] == code


def test_v3_get_vehicle(vehicle: smartcar.Vehicle) -> None:
    result = smartcar.get_vehicle(vehicle.access_token, vehicle.vehicle_id)
    assert isinstance(result, dict) and result.headers.get("content-type", "").startswith("application/json")
    resource = result.body.get("data", result.body)
    assert resource["id"] == vehicle.vehicle_id and resource["attributes"]["make"] == "TESLA"
