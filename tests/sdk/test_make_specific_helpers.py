"""``smartcar.make_specific`` helpers and ``Vehicle.request`` on make-specific paths (loopback, the emulator)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

import smartcar
from smartcar.make_specific import (AsyncFord, AsyncNissan, AsyncTesla, ChargeWindow, Ford, Nissan,
                                    NissanChargeSchedule, Tesla)

SCOPES = ["read_vehicle_info", "read_climate", "control_climate", "read_charge", "control_charge", "control_trunk",
          "control_pin", "read_security", "read_alerts", "read_charge_locations"]


def car(connect_vehicle, make: str) -> smartcar.Vehicle:
    session = connect_vehicle(scopes=SCOPES, make=make, email=f"{make.lower()}-{uuid.uuid4().hex[:8]}@example.com")
    return smartcar.Vehicle(session["vehicle_ids"][0], session["access_token"])


def test_tesla_helpers(connect_vehicle):
    vehicle = car(connect_vehicle, "TESLA")
    tesla = Tesla(vehicle)
    assert tesla.set_cabin_climate("START", temperature=22).status == "ON"
    assert tesla.cabin_climate().temperature == 22.0
    assert tesla.set_defroster(True) == "START" and tesla.defroster().front_status == "ON"
    assert tesla.set_steering_heater(True) == "START" and tesla.steering_heater() == "ON"
    assert tesla.set_amperage(12).status == "success" and tesla.amperage() == 12.0
    assert tesla.set_frunk(True).status == "success"
    assert {s["type"]: s["status"] for s in vehicle.lock_status().storage}["front"] == "OPEN"
    tesla.set_trunk(False)
    assert tesla.set_pin("4321").status == "success" and tesla.clear_pin().status == "success"
    schedule = tesla.set_charge_schedule("DEPARTURE_TIME", True, "06:45")
    assert schedule.departure_time == "06:45" and tesla.charge_schedule().departure_time_enabled
    with pytest.raises(ValueError):
        tesla.set_cabin_climate("WARM")
    with pytest.raises(smartcar.SmartcarException) as refused:
        tesla.set_cabin_climate("SET", temperature=60)
    assert refused.value.status_code == 400


def test_request_reaches_any_make_specific_path(connect_vehicle):
    vehicle = car(connect_vehicle, "TESLA")
    alerts = vehicle.request("GET", "tesla/alerts")
    assert isinstance(alerts.body["alerts"], list)
    opened = vehicle.request("POST", "tesla/security/trunk", {"action": "OPEN"})
    assert opened.body == {"message": "Successfully sent request to vehicle", "status": "success"}
    assert {s["type"]: s["status"] for s in vehicle.lock_status().storage}["rear"] == "OPEN"


def test_ford_and_nissan_helpers(connect_vehicle):
    ford = Ford(car(connect_vehicle, "FORD"))
    assert ford.set_charging_location(42.3, -83.2, 0.85, weekday=[("22:00", "05:00")]).status == "success"
    [location] = ford.charging_locations()
    assert location.charge_limit == 0.85 and location.weekday == (ChargeWindow("22:00", "05:00",),)
    nissan = Nissan(car(connect_vehicle, "NISSAN"))
    wanted = [NissanChargeSchedule("08:00", "12:00", ("MONDAY", "FRIDAY"))]
    nissan.set_charge_schedules(wanted)
    assert nissan.charge_schedules() == wanted


def test_async_tesla(connect_vehicle):
    session = connect_vehicle(scopes=SCOPES, make="TESLA", email=f"atesla-{uuid.uuid4().hex[:8]}@example.com")

    async def run() -> None:
        vehicle = smartcar.AsyncVehicle(session["vehicle_ids"][0], session["access_token"])
        tesla = AsyncTesla(vehicle)
        assert (await tesla.set_cabin_climate("START", 19)).temperature == 19.0
        assert (await tesla.cabin_climate()).status == "ON"
        assert (await tesla.set_charge_schedule("START_TIME", True, "23:00")).start_time == "23:00"
        await tesla.set_steering_heater(True)
        assert await tesla.steering_heater() == "ON"
        await tesla.set_amperage(20)
        assert await tesla.amperage() == 20.0
        assert (await tesla.set_pin("1111")).status == "success" and (await tesla.clear_pin()).status == "success"

    asyncio.run(run())


def test_async_ford_and_nissan(connect_vehicle):
    ford_session = connect_vehicle(scopes=SCOPES, make="FORD", email=f"aford-{uuid.uuid4().hex[:8]}@example.com")
    nissan_session = connect_vehicle(scopes=SCOPES, make="NISSAN", email=f"anis-{uuid.uuid4().hex[:8]}@example.com")

    async def run() -> None:
        ford = AsyncFord(smartcar.AsyncVehicle(ford_session["vehicle_ids"][0], ford_session["access_token"]))
        await ford.set_charging_location(1.0, 2.0, 0.7, weekend=[ChargeWindow("09:00", "11:00")])
        assert (await ford.charging_locations())[0].weekend == (ChargeWindow("09:00", "11:00"),)
        nissan = AsyncNissan(smartcar.AsyncVehicle(nissan_session["vehicle_ids"][0], nissan_session["access_token"]))
        await nissan.set_charge_schedules([NissanChargeSchedule("01:00", "02:00", ("SUNDAY",))])
        assert [s.days for s in await nissan.charge_schedules()] == [("SUNDAY",)]

    asyncio.run(run())
