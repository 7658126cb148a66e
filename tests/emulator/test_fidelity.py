"""Fidelity: Connect yields vehicles that can serve the grant, known fixture data answers as documented, batch
items look like the single endpoints, and user-facing error text names the application."""

from __future__ import annotations

import pytest

from smartcar_emulator.platform.catalog import MAKES, models_of
from smartcar_emulator.platform.core import Platform
from smartcar_emulator.platform.permissions import capable
from smartcar_emulator.scripted import connect
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

from .conftest import ISO_MS_RE, Car, assert_v2_error, auth_url, unique_email

# Permissions whose support depends on the powertrain, with a v2 endpoint that reads them.
POWERTRAIN_BOUND = {"read_battery": "battery", "read_charge": "charge", "read_fuel": "fuel",
                    "read_engine_oil": "engine/oil"}


# Connect gives vehicles that can serve what was granted ----------------------------------------------------
@pytest.mark.parametrize("make", sorted(MAKES))
@pytest.mark.parametrize("permission", sorted(POWERTRAIN_BOUND))
def test_required_permission_yields_a_capable_vehicle_or_the_incompatible_flow(platform_with_app, make, permission):
    """Every make x powertrain-bound permission: a capable model when the brand builds one, else
    vehicle_incompatible with the vehicle's details."""
    platform = platform_with_app
    params = _run_connect(platform, make, f"required:{permission} read_vehicle_info")
    able = [m for m in models_of(make) if capable(permission, m.powertrain)]
    if able:
        assert "code" in params, params
        (vehicle,) = platform.vehicles.owned_by(f"test:{params['_email']}")
        assert capable(permission, vehicle.powertrain)
        assert vehicle.model == able[0].name
    else:
        assert params["error"] == "vehicle_incompatible", params
        assert params["error_description"] == "The user\u2019s vehicle is not compatible."
        assert params["make"] == make and params["model"] == models_of(make)[0].name
        assert len(params["vin"]) == 17 and params["year"].isdigit()


@pytest.fixture()
def platform_with_app() -> Platform:
    platform = Platform()
    platform.apps.register("app", "secret", [REDIRECT_URI])
    return platform


def _run_connect(platform: Platform, make: str, scope: str, email: str | None = None) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    email = email or unique_email(make.lower())
    session, outcome = platform.connect.start({"response_type": "code", "client_id": "app", "mode": "test",
                                               "redirect_uri": REDIRECT_URI, "scope": scope, "make": make})
    if outcome.redirect is None:
        platform.connect.proceed(session.id)
        outcome = platform.connect.login(session.id, email, "pw")
        if outcome.step == "grant":
            outcome = platform.connect.decide(session.id, allow=True)
    assert outcome.redirect
    return {**dict(parse_qsl(urlsplit(outcome.redirect).query)), "_email": email.lower()}


def test_a_hybrid_first_make_answers_charge_reads_after_connect(http, application, connect_vehicle):
    """BMW's and Chevrolet's fuel-capable models and Audi's EV: what was asked for is served over HTTP."""
    for make, scopes, path in (("AUDI", ["required:read_fuel", "read_vehicle_info"], "fuel"),
                               ("BMW", ["required:read_fuel", "read_battery"], "fuel"),
                               ("TOYOTA", ["read_charge", "read_battery"], "charge")):
        car = Car(http, connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                                scopes, make=make, email=unique_email(make.lower())))
        assert car.get(path).status_code == 200, (make, car.get(path).text)
        assert car.get("battery" if path == "fuel" and "read_battery" in scopes else path).status_code == 200


def _url(http) -> str:
    return str(http.base_url).rstrip("/")


def test_asking_for_fuel_on_audi_gives_the_combustion_model(http, application):
    car = Car(http, connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                            ["read_vehicle_info", "read_fuel", "read_engine_oil"], make="AUDI",
                            email=unique_email("audi-fuel")))
    assert car.get().json()["model"] == "A4"
    assert car.get("fuel").json()["percentRemaining"] is not None


def test_the_same_login_keeps_its_vehicle_when_the_default_model_serves(http, application):
    email = unique_email("stable")
    first = connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                    ["read_odometer"], make="TESLA", email=email)
    second = connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                     ["required:read_battery", "read_odometer"], make="TESLA", email=email)
    assert first["vehicle_ids"] == second["vehicle_ids"]


def test_a_fleet_login_with_a_required_permission_is_all_capable(http, application):
    session = connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                      ["required:read_fuel", "read_vehicle_info"], make="FORD", email="12-vehicles@smartcar.com")
    assert len(session["vehicle_ids"]) == 12
    for vehicle_id in session["vehicle_ids"]:
        car = Car(http, {**session, "vehicle_ids": [vehicle_id]})
        assert car.get().json()["model"] == "F-150"


def test_level_logins_get_a_vehicle_of_that_powertrain(http, application):
    for level, readable, refused in (("bev", "battery", "fuel"), ("fuel", "fuel", "battery"),
                                     ("phev", "fuel", None), ("compatible", "battery", None)):
        session = connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                          ["read_vehicle_info", "read_battery", "read_fuel"], make="TESLA",
                          email=f"0SCTESTLEVEL{level[:5].upper():0<5}@{level}.smartcar.com")
        car = Car(http, session)
        body = car.get(readable).json()
        assert body["percentRemaining"] is not None, (level, body)
        if refused:
            assert_v2_error(car.get(refused), 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


# Known fixture data ---------------------------------------------------------------------------------------
@pytest.fixture()
def compat(http, application):
    def call(**params: str):
        return http.get("/v2.0/compatibility", params=params, auth=(application.client_id, application.client_secret))
    return call


def _capabilities(response) -> dict[str, tuple[bool, str | None]]:
    assert response.status_code == 200, response.text
    return {c["permission"]: (c["capable"], c["reason"]) for c in response.json()["capabilities"]}


def test_compatibility_fixture_vins(compat):
    assert _capabilities(compat(vin="0SCGMCT0386A85356", scope="read_odometer read_fuel")) == {
        "read_odometer": (True, None), "read_fuel": (False, "VEHICLE_NOT_CAPABLE")}
    tesla = compat(vin="5YJXCDE22HF068739", scope="read_odometer read_location", country="US")
    assert tesla.json()["compatible"] is True
    assert _capabilities(tesla) == {"read_odometer": (True, None), "read_location": (True, None)}
    audi = compat(vin="WAUAFAFL1GN014882", scope="read_odometer read_location")
    assert audi.json()["compatible"] is True and audi.json()["reason"] is None
    assert _capabilities(audi) == {"read_odometer": (False, "VEHICLE_NOT_CAPABLE"),
                                   "read_location": (False, "VEHICLE_NOT_CAPABLE")}


def test_test_mode_compatibility_without_a_level(compat):
    body = assert_v2_error(compat(vin="0SCGMCT0386A85356", scope="read_odometer", mode="test"), 400, "VALIDATION")
    assert body["detail"][0] == {"field": "test_mode_compatibility_level",
                                 "message": "Field must be one of: [compatible,phev,incompatible,fuel,dinosaur,bev]"}


@pytest.mark.parametrize("email, error, extras", [
    ("smartcar@vehicle-incompatible.com", "vehicle_incompatible",
     {"vin": "0SCAUDI012FE3B132", "make": "AUDI"}),
    ("smartcar@invalid-subscription.com", "invalid_subscription", {}),
])
def test_special_test_emails(emulator, application, email, error, extras):
    params = walk(auth_url(emulator, application, make="AUDI", state="q"), email=email).params
    assert params["error"] == error and params["state"] == "q"
    assert {k: params[k] for k in extras} == extras


def test_successful_request_email_gets_the_well_known_vin(http, application):
    car = Car(http, connect(_url(http), application.client_id, application.client_secret, REDIRECT_URI,
                            ["read_vin", "read_odometer"], make="AUDI", email="smartcar@successful-request.com"))
    assert car.get("vin").json() == {"vin": "0SCAUDI037A5ADB1C"}
    assert car.get("odometer").status_code == 200


def test_error_email_answers_its_error_on_data_endpoints_only(new_car):
    car = new_car(email="VEHICLE_STATE.UNKNOWN@smartcar.com")
    body = assert_v2_error(car.get("odometer"), 409, "VEHICLE_STATE", "UNKNOWN")
    assert body["resolution"] == {"type": "RETRY_LATER"}
    assert car.get("vin").status_code == 200 and car.get().status_code == 200
    assert car.get("permissions").status_code == 200


# Batch like the API -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def batch_car(http, connect_vehicle) -> Car:
    return Car(http, connect_vehicle(make="TESLA", mode="simulated", email=unique_email("batch-fidelity")))


def test_batch_paths_are_normalised_as_the_api_returns_them(batch_car):
    sent = ["tires/pressure", "/ODOMETER", "battery/", "/", "/Battery/Nominal_Capacity"]
    response = batch_car.post("batch", {"requests": [{"path": p} for p in sent]})
    assert response.status_code == 200
    assert [i["path"] for i in response.json()["responses"]] == [
        "/tires/pressure", "/odometer", "/battery", "/", "/battery/nominal_capacity"]


def test_batch_item_headers_equal_the_single_endpoints(batch_car):
    paths = ["/odometer", "/battery", "/tires/pressure", "/location", "/battery/nominal_capacity", "/vin", "/"]
    response = batch_car.post("batch", {"requests": [{"path": p} for p in paths]},
                              headers={"sc-unit-system": "imperial"})
    for item in response.json()["responses"]:
        single = batch_car.get(item["path"].strip("/"), headers={"sc-unit-system": "imperial"})
        expected = {k for k in single.headers if k in ("sc-unit-system", "sc-data-age", "sc-fetched-at")}
        assert set(item["headers"]) == expected, item["path"]
        if "sc-unit-system" in expected:
            assert item["headers"]["sc-unit-system"] == "imperial"
        for key in {"sc-data-age", "sc-fetched-at"} & expected:
            assert ISO_MS_RE.match(item["headers"][key])


def test_batch_retry_after_is_an_integer(emulator, batch_car):
    rule = batch_car.http.post("/_emulator/faults", json={"kind": "error", "type": "RATE_LIMIT", "code": "VEHICLE",
                                                          "vehicle_id": batch_car.id, "retry_after": 42}).json()
    try:
        response = batch_car.post("batch", {"requests": [{"path": "/odometer"}]})
        (item,) = response.json()["responses"]
        assert item["code"] == 429 and item["headers"] == {"Retry-After": 42}
        assert item["body"]["type"] == "RATE_LIMIT" and item["body"]["code"] == "VEHICLE"
    finally:
        batch_car.http.delete(f"/_emulator/faults/{rule['id']}")


# User-facing error text ----------------------------------------------------------------------------------
def test_suggested_user_message_names_the_application(emulator, http, connect_vehicle, application):
    car = Car(http, connect_vehicle(make="TESLA", email=unique_email("named")))
    rule = http.post("/_emulator/faults", json={"kind": "upstream", "vehicle_id": car.id}).json()
    try:
        v2 = car.get("odometer").json()
        v3 = http.get(f"/v3/vehicles/{car.id}/signals/odometer-traveleddistance",
                      headers={"Authorization": f"Bearer {car.token}"}).json()
        batch = car.post("batch", {"requests": [{"path": "/odometer"}]}).json()["responses"][0]["body"]
    finally:
        http.delete(f"/_emulator/faults/{rule['id']}")
    name = application.name
    expected = (f"Your car is temporarily unable to connect to {name}. "
                "Please be patient while we\u2019re working to resolve this issue.")
    assert v2["suggestedUserMessage"] == expected
    assert batch["suggestedUserMessage"] == expected
    assert v3["errors"][0]["suggestedUserMessage"] == expected
    for text in (str(v2), str(v3), str(batch)):
        assert "<app name>" not in text


def test_unknown_caller_gets_no_placeholder(http):
    body = http.get("/v2.0/vehicles/00000000-0000-4000-8000-000000000000/odometer",
                    headers={"Authorization": "Bearer nope"}).json()
    assert "<app name>" not in body["suggestedUserMessage"]


@pytest.mark.parametrize("code, description", [
    ("SMARTCAR_API", "Your application has exceeded its rate limit. Please retry your request in a few minutes."),
    ("VEHICLE", "You have reached the throttling rate limit for this vehicle. Please see the retry-after header "
                "(seconds) for when to retry the request."),
])
def test_rate_limit_descriptions_word_for_word(http, connect_vehicle, code, description):
    car = Car(http, connect_vehicle(make="TESLA", email=unique_email("rl")))
    rule = http.post("/_emulator/faults", json={"kind": "rate_limit", "vehicle_id": car.id, "code": code}).json()
    try:
        body = assert_v2_error(car.get("odometer"), 429, "RATE_LIMIT", code)
    finally:
        http.delete(f"/_emulator/faults/{rule['id']}")
    assert body["description"] == description
    assert body["resolution"] == {"type": "RETRY_LATER"}
