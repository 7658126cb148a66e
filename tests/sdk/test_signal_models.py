"""Typed signal models: generated from (and checked against) the emulator's catalogue, read over real HTTP.

A list read never raises for one failed signal: ungranted and unsupported signals come back with ``ok`` False
and a typed ``error``; the typed groups keep them too.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import fields
from datetime import datetime, timezone

import pytest

import smartcar
from smartcar.v3 import SignalCode, SignalError, TypedSignal, VehicleSignals, group_signals
from smartcar.v3.bodies import Body
from smartcar.v3.models import Signal, epoch_ms
from smartcar.v3.signal_models import GROUP_CLASSES, SIGNAL_FIELDS
from smartcar_emulator.platform.signals import SIGNALS
from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI
from tests.sdk.signal_models_gen import TARGET, render, snake

SCOPES = ["read_vehicle_info", "read_odometer", "read_battery", "read_charge", "read_security", "read_climate"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_generated_models_match_the_catalogue():
    assert TARGET.read_text() == render(), "stale: run python -m tests.sdk.signal_models_gen"
    assert set(SIGNAL_FIELDS) == {spec.code for spec in SIGNALS} and len(SIGNAL_FIELDS) == 90
    assert set(GROUP_CLASSES) == {snake(spec.group) for spec in SIGNALS}
    assert {f.name for f in fields(VehicleSignals)} == set(GROUP_CLASSES)


@pytest.mark.parametrize("spec", SIGNALS, ids=lambda spec: spec.code)
def test_body_model_reads_every_documented_field(spec):
    """Each catalogue field has a typed attribute in the SDK's body model (camelCase -> snake_case)."""
    group, name, body_type = SIGNAL_FIELDS[spec.code]
    assert name in {f.name for f in fields(GROUP_CLASSES[group])}
    documented = set(spec.schema.get("properties", {}))
    attributes = {_camel(f.name) for f in fields(body_type)} - {"raw"}
    assert documented <= attributes, (spec.code, documented - attributes)
    assert issubclass(body_type, Body)


def test_every_catalogue_code_is_a_signal_code():
    assert {spec.code for spec in SIGNALS} <= {code.value for code in SignalCode}


def test_times_are_read_as_iso_or_epoch_milliseconds():
    moment = datetime(2026, 6, 30, 0, 3, 53, 743_000, tzinfo=timezone.utc)
    assert epoch_ms("2026-06-30T00:03:53.743Z") == int(moment.timestamp() * 1000)
    assert epoch_ms(1_752_104_218_549) == 1_752_104_218_549
    assert epoch_ms("yesterday") is None and epoch_ms(None) is None and epoch_ms(True) is None


def test_signal_error_reads_productions_shape_and_older_ones():
    error = SignalError.from_json({"type": "PERMISSION", "code": "UNKNOWN", "title": "Unknown", "detail": "No.",
                                   "description": "Deprecated. Use detail", "resolution": {"type": "REAUTHENTICATE"}})
    assert (error.type, error.code, error.title, error.detail, error.resolution) == (
        "PERMISSION", "UNKNOWN", "Unknown", "No.", "REAUTHENTICATE")
    older = SignalError.from_json({"type": "COMPATIBILITY", "code": "VEHICLE_NOT_CAPABLE", "message": "m"})
    assert older.detail == "m" and older.resolution is None


@pytest.fixture(scope="module")
def user_id(emulator, application) -> str:
    url = authorize_url(emulator.url, application.client_id, REDIRECT_URI, SCOPES, state="s", make="VOLKSWAGEN")
    return walk(url, email="typed-signals@example.com").params["user_id"]


def _check(signals: list[Signal], groups: VehicleSignals) -> None:
    assert len(signals) == 90  # every signal listed; none raised
    failed = {s.code: s.error for s in signals if not s.ok}
    location_error = failed["location-preciselocation"]
    assert location_error is not None and (location_error.type, location_error.code) == ("PERMISSION", "UNKNOWN")
    assert failed["closure-enginecover"].code == "VEHICLE_NOT_CAPABLE"  # granted, but an ID.4 has no hood
    odometer = groups.odometer.traveled_distance
    assert isinstance(odometer, TypedSignal) and odometer.ok and odometer.body is not None
    assert odometer.body.unit == "km" and odometer.body.value is not None and odometer.body.value > 0
    assert odometer.signal.retrieved_at is not None and odometer.signal.ingested_at is not None
    battery_range = groups.traction_battery.range
    assert battery_range is not None and battery_range.body is not None and battery_range.body.type == "DEFAULT"
    doors = groups.closure.doors
    assert doors is not None and doors.body is not None and len(doors.body.values) == 4
    sunroof = groups.closure.sunroof
    assert sunroof is not None and not sunroof.ok and sunroof.body is not None and sunroof.body.is_open is None
    assert sunroof.error is not None and sunroof.error.title == "Vehicle Not Capable"
    location = groups.location.precise_location
    assert location is not None and location.body is None and location.status == "ERROR"


def test_sync_client_reads_every_signal_typed(emulator, application, user_id):
    client = smartcar.Client(application.client_id, application.client_secret)
    vehicle_id = next(client.connections.list(user_id=user_id)).vehicle_id
    vehicle = client.vehicle(vehicle_id, user_id=user_id)
    signals = vehicle.signals()
    _check(signals, group_signals(signals))
    vin = vehicle.signal_groups().vehicle_identification.vin  # read_vin not granted: listed with its error
    assert vin is not None and not vin.ok and vin.error is not None and vin.error.code == "UNKNOWN"
    alone = vehicle.signal(SignalCode.VIN)
    assert not alone.ok and alone.error is not None and alone.error.type == "PERMISSION"


def test_async_client_reads_every_signal_typed(emulator, application, user_id):
    async def run() -> tuple[list[Signal], VehicleSignals]:
        async with smartcar.AsyncClient(application.client_id, application.client_secret) as client:
            connection = [c async for c in client.connections.list(user_id=user_id)][0]
            vehicle = client.vehicle(connection.vehicle_id, user_id=user_id)
            return await vehicle.signals(), await vehicle.signal_groups()

    signals, groups = asyncio.run(run())
    _check(signals, groups)
    assert re.match(r"^\d{13}$", str(signals[0].ingested_at))
