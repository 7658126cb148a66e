"""The whole v3 signal catalogue over HTTP: for every code, a capable vehicle answers with exactly the documented
fields and unit (the catalogue's JSON schema), an incapable one with VEHICLE_NOT_CAPABLE, an ungranted one with
PERMISSION — in the list and alone, each error shaped as production sends it (reference, surface §9).

One shared emulator; the vehicles are created once for the module and each signal list is fetched once.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import httpx2
import pytest

from smartcar_emulator.platform.catalog import MODELS, Model
from smartcar_emulator.platform.signals import SIGNALS, SignalSpec
from smartcar_emulator.scripted import connect
from tests.conftest import REDIRECT_URI
from tests.emulator.conftest import ISO_MS_RE
from tests.schema_lite import problems

CODES = [spec.code for spec in SIGNALS]
SPECS = {spec.code: spec for spec in SIGNALS}
EVERY_PERMISSION = sorted({spec.permission for spec in SIGNALS} | {"read_vehicle_info"})
ERROR_KEYS = {"type", "code", "title", "detail", "description", "resolution"}
INCOMPATIBLE = "incompatible"  # a test login ``<VIN>@incompatible.smartcar.com``: capable of nothing


def _covers(spec: SignalSpec, model: Model) -> bool:
    return spec.supported.covers(model.make, model.name, model.powertrain)


def capable_model(spec: SignalSpec) -> Model:
    return next(m for m in MODELS if _covers(spec, m))


def incapable_model(spec: SignalSpec) -> Model | str:
    return next((m for m in MODELS if not _covers(spec, m)), INCOMPATIBLE)


class Fleet:
    """Connected vehicles on the shared emulator: one per catalogue model needed, plus narrow grants."""

    def __init__(self, emulator: Any, application: Any) -> None:
        self.emulator = emulator
        self.application = application
        self.http = httpx2.Client(base_url=emulator.url, timeout=30)

    def _connect(self, make: str, scopes: list[str], email: str, mode: str) -> tuple[str, str]:
        session = connect(self.emulator.url, self.application.client_id, self.application.client_secret,
                          REDIRECT_URI, scopes, make=make, mode=mode, email=email, client=self.http)
        return session["vehicle_ids"][0], session["access_token"]

    @functools.cache  # noqa: B019 - one fleet per module
    def car(self, model: Model | str, scopes: tuple[str, ...] = tuple(EVERY_PERMISSION)) -> tuple[str, str]:
        """(vehicle id, token) of a simulated vehicle of ``model`` (or a test login of that level)."""
        if isinstance(model, str):
            return self._connect("TESLA", list(scopes), f"5YJ3E1EA7KF{uuid.uuid4().int % 10**6:06d}@{model}"
                                                         ".smartcar.com", "test")
        email = f"catalogue-{uuid.uuid4().hex[:10]}@example.com"
        created = self.http.post("/_emulator/vehicles", json={"make": model.make, "model": model.name,
                                                              "mode": "simulated", "email": email})
        assert created.status_code == 201, created.text
        vehicle_id, token = self._connect(model.make, list(scopes), email, "simulated")
        assert vehicle_id == created.json()["id"]
        return vehicle_id, token

    @functools.cache  # noqa: B019
    def listed(self, vehicle_id: str, token: str) -> dict[str, Any]:
        response = self.http.get(f"/v3/vehicles/{vehicle_id}/signals", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def both(self, car: tuple[str, str], code: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The signal as the list shows it and as it answers alone."""
        vehicle_id, token = car
        in_list = next(s for s in self.listed(vehicle_id, token)["data"] if s["id"] == code)
        alone = self.http.get(f"/v3/vehicles/{vehicle_id}/signals/{code}", headers={"Authorization": f"Bearer {token}"})
        assert alone.status_code == 200, alone.text
        return in_list, alone.json()


@pytest.fixture(scope="module")
def fleet(emulator, application):
    fleet = Fleet(emulator, application)
    yield fleet
    fleet.http.close()


def _assert_resource(resource: dict[str, Any], spec: SignalSpec, vehicle_id: str) -> dict[str, Any]:
    assert resource["id"] == spec.code and resource["type"] == "signal"
    attributes = resource["attributes"]
    assert (attributes["code"], attributes["name"], attributes["group"]) == (spec.code, spec.name, spec.group)
    assert resource["links"] == {"self": f"/vehicles/{vehicle_id}/signals/{spec.code}"}
    return dict(attributes)


def _assert_error(resource: dict[str, Any], type_: str, code: str) -> dict[str, Any]:
    status = resource["attributes"]["status"]
    assert status["value"] == "ERROR", resource
    error = status["error"]
    assert set(error) == ERROR_KEYS and (error["type"], error["code"]) == (type_, code), error
    assert error["description"] == "Deprecated. Use detail" and error["detail"] and error["title"]
    assert set(resource["meta"]) == {"ingestedAt"} and ISO_MS_RE.match(resource["meta"]["ingestedAt"])
    return dict(error)


@pytest.mark.parametrize("code", CODES)
def test_capable_vehicle_answers_the_documented_body(fleet, code):
    spec = SPECS[code]
    car = fleet.car(capable_model(spec))
    for resource in fleet.both(car, code):
        attributes = _assert_resource(resource, spec, car[0])
        body = attributes.get("body")
        if spec.needs and attributes["status"]["value"] == "ERROR":  # e.g. charge rate while not charging
            _assert_error(resource, "VEHICLE_STATE", "NOT_CHARGING")
        else:
            assert attributes["status"] == {"value": "SUCCESS"}, attributes
            assert set(resource["meta"]) == {"ingestedAt", "retrievedAt", "oemUpdatedAt"}
            assert all(ISO_MS_RE.match(v) for v in resource["meta"].values()), resource["meta"]
        assert body is not None and problems(spec.schema, body) == [], (body, problems(spec.schema, body))
        if spec.unit is not None:
            assert body["unit"] == spec.unit


@pytest.mark.parametrize("code", CODES)
def test_incapable_vehicle_answers_vehicle_not_capable(fleet, code):
    spec = SPECS[code]
    car = fleet.car(incapable_model(spec))
    for resource in fleet.both(car, code):
        _assert_resource(resource, spec, car[0])
        error = _assert_error(resource, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
        assert error["title"] == "Vehicle Not Capable" and error["resolution"] == {"type": "UNKNOWN_RESOLUTION_TYPE"}
        assert resource["attributes"].get("body") == spec.incapable_body


@pytest.mark.parametrize("code", CODES)
def test_ungranted_signal_answers_permission(fleet, code):
    spec = SPECS[code]
    other = "read_odometer" if spec.permission == "read_vehicle_info" else "read_vehicle_info"
    car = fleet.car(capable_model(spec), (other,))
    for resource in fleet.both(car, code):
        _assert_resource(resource, spec, car[0])
        error = _assert_error(resource, "PERMISSION", "UNKNOWN")
        assert error["title"] == "Unknown" and error["resolution"] == {"type": "REAUTHENTICATE"}
        assert "body" not in resource["attributes"]


def test_list_envelope_is_productions(fleet):
    model = next(m for m in MODELS if m.make == "VOLKSWAGEN")
    vehicle_id, token = fleet.car(model)
    body = fleet.listed(vehicle_id, token)
    assert set(body) == {"data", "meta", "links", "included"}
    assert body["meta"] == {"totalCount": len(SIGNALS), "pageSize": 100, "pageNumber": 1}
    assert [s["id"] for s in body["data"]] == CODES  # every signal listed, failed ones with their error
    vehicle = body["included"]["vehicle"]
    assert vehicle["id"] == vehicle_id and vehicle["type"] == "vehicle"
    assert vehicle["attributes"] == {"make": "VOLKSWAGEN", "model": "ID.4", "year": vehicle["attributes"]["year"],
                                     "powertrainType": "BEV", "mode": "simulated"}
    assert vehicle["links"] == {"self": f"/vehicles/{vehicle_id}"}
    assert body["links"]["self"].startswith(f"/vehicles/{vehicle_id}/signals") and "next" not in body["links"]
    paged = fleet.http.get(f"/v3/vehicles/{vehicle_id}/signals", params={"page": 2, "pageSize": 40},
                           headers={"Authorization": f"Bearer {token}"}).json()
    assert [s["id"] for s in paged["data"]] == CODES[40:80] and paged["meta"]["pageNumber"] == 2
    assert "next" in paged["links"]


def test_production_units_and_shapes(fleet):
    """The units and shapes production sent for a VW ID.4 (surface §9)."""
    model = next(m for m in MODELS if m.make == "VOLKSWAGEN")
    signals = {s["id"]: s["attributes"] for s in fleet.listed(*fleet.car(model))["data"]}
    assert signals["odometer-traveleddistance"]["body"]["unit"] == "km"
    battery_range = signals["tractionbattery-range"]["body"]
    assert set(battery_range) == {"value", "type", "additionalValues", "unit"} and battery_range["unit"] == "km"
    assert battery_range["type"] == "DEFAULT" and battery_range["additionalValues"] == []
    assert signals["tractionbattery-stateofcharge"]["body"]["unit"] == "percent"
    limits = signals["charge-chargelimits"]["body"]
    assert limits["unit"] == "percent" and limits["values"][0]["type"] == "GLOBAL"
    assert "condition" not in limits["values"][0]
    assert signals["charge-chargerate"]["body"]["unit"] == "km/h"
    assert signals["charge-wattage"]["body"]["unit"] == "watts"
    assert signals["closure-sunroof"]["body"] == {"isOpen": None}  # the ID.4 has none: listed with its error
    assert signals["closure-sunroof"]["status"]["error"]["code"] == "VEHICLE_NOT_CAPABLE"


def test_unknown_code_is_not_found(fleet):
    vehicle_id, token = fleet.car(MODELS[0])
    response = fleet.http.get(f"/v3/vehicles/{vehicle_id}/signals/charge-warpdrive",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404 and response.json()["errors"][0]["type"] == "RESOURCE_NOT_FOUND"


def test_the_catalogue_has_every_documented_signal():
    """90 codes in 19 groups (surface §1.2), each capable on at least one catalogue model."""
    assert len(CODES) == len(set(CODES)) == 90
    assert len({spec.group for spec in SIGNALS}) == 19
    assert all(any(_covers(spec, m) for m in MODELS) for spec in SIGNALS)
