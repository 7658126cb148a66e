"""The platform layer on its own (no HTTP): Connect steps, tokens, test logins, permissions and errors."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest

from smartcar_emulator.http.middleware import normalise_path
from smartcar_emulator.http.views import Units, service_history
from smartcar_emulator.platform.core import Platform, forced_error
from smartcar_emulator.platform.errors import ApiError, ConnectPageError, ConnectRedirectError, OAuthError
from smartcar_emulator.platform.permissions import capable, parse_scope
from smartcar_emulator.platform.state import VehicleState
from smartcar_emulator.platform.testmode import resolve_test_login

REDIRECT = "http://localhost:8000/exchange"


@pytest.fixture()
def platform() -> Platform:
    platform = Platform()
    platform.apps.register(client_id="app", client_secret="secret", redirect_uris=[REDIRECT], amt="amt")
    return platform


def run_connect(platform: Platform, email: str = "a@example.com", **query: str) -> dict[str, str]:
    """Drive the Connect steps directly; the query of the redirect back to the application."""
    session, outcome = platform.connect.start({"response_type": "code", "client_id": "app", "redirect_uri": REDIRECT,
                                               "scope": "read_odometer", "mode": "test", **query})
    if outcome.redirect is None:
        outcome = platform.connect.proceed(session.id)
        if outcome.step == "brand":
            outcome = platform.connect.choose_brand(session.id, "TESLA")
        outcome = platform.connect.login(session.id, email, "pw")
        if outcome.step == "grant":
            outcome = platform.connect.decide(session.id, allow=True)
    assert outcome.redirect and outcome.redirect.startswith(REDIRECT)
    return dict(parse_qsl(urlsplit(outcome.redirect).query))


def test_connect_then_tokens(platform):
    params = run_connect(platform, state="st")
    assert params["state"] == "st" and params["code"] and params["user_id"]
    app = platform.client("app", "secret")
    pair = platform.exchange_code(app, params["code"], REDIRECT)
    info = platform.user_token(pair.access_token)
    assert info.user_id == params["user_id"] == pair.user_id
    (vehicle_id,) = platform.vehicle_ids(info)
    grant = platform.access(pair.access_token, vehicle_id, "read_odometer", data=True)
    assert grant.vehicle.make == "TESLA" and grant.connection.scopes == ("read_odometer",)
    with pytest.raises(ApiError) as denied:
        platform.access(pair.access_token, vehicle_id, "read_location")
    assert (denied.value.type, denied.value.http_status) == ("PERMISSION", 403)


def test_unknown_client_and_redirect_are_page_errors(platform):
    with pytest.raises(ConnectPageError):
        platform.connect.start({"client_id": "nope", "redirect_uri": REDIRECT})
    with pytest.raises(ConnectPageError):
        platform.connect.start({"client_id": "app", "redirect_uri": "http://elsewhere/"})


def test_redirect_uri_defaults_to_the_first_registered(platform):
    session, _ = platform.connect.start({"response_type": "code", "client_id": "app", "mode": "test"})
    assert session.params["redirect_uri"] == REDIRECT


def test_bad_parameters_become_configuration_error_redirects(platform):
    assert run_connect(platform, response_type="token")["error"] == "configuration_error"
    assert run_connect(platform, scope="read_everything")["error"] == "configuration_error"
    assert run_connect(platform, single_select_vin="3SC00000000000000")["error"] == "configuration_error"


def test_deny(platform):
    session, _ = platform.connect.start({"response_type": "code", "client_id": "app", "mode": "test",
                                         "make": "TESLA", "state": "z"})
    platform.connect.proceed(session.id)
    platform.connect.login(session.id, "deny@example.com", "pw")
    outcome = platform.connect.decide(session.id, allow=False)
    assert dict(parse_qsl(urlsplit(outcome.redirect or "").query)) == {
        "error": "access_denied", "error_description": "User denied access to application.", "state": "z"}


def test_code_and_token_lifetimes(platform):
    params = run_connect(platform)
    platform.clock.advance(600)
    with pytest.raises(OAuthError, match=f"Invalid code: {params['code']}."):
        platform.exchange_code(platform.client("app", "secret"), params["code"], REDIRECT)

    pair = platform.exchange_code(platform.client("app", "secret"), run_connect(platform)["code"], REDIRECT)
    platform.clock.advance(7199)
    assert platform.tokens.check(pair.access_token) is not None
    platform.clock.advance(1)
    assert platform.tokens.check(pair.access_token) is None


def test_refresh_grace_window_is_an_option(platform):
    platform.oauth_policy.refresh_grace = 60  # the platform documents 60 s; the emulator's default is 0
    app = platform.client("app", "secret")
    pair = platform.exchange_code(app, run_connect(platform)["code"], REDIRECT)
    rotated = platform.refresh(app, pair.refresh_token)
    platform.clock.advance(59)
    retried = platform.refresh(app, pair.refresh_token)  # a retry inside the window
    assert retried.refresh_token != rotated.refresh_token
    platform.clock.advance(1)
    with pytest.raises(OAuthError, match="Invalid refresh_token"):
        platform.refresh(app, pair.refresh_token)  # reuse after the window: the chain is revoked
    for token in (rotated.refresh_token, retried.refresh_token):
        with pytest.raises(OAuthError, match="Invalid refresh_token"):
            platform.refresh(app, token)
    assert platform.tokens.check(retried.access_token) is None


def test_refresh_reuse_revokes_the_chain_by_default(platform):
    app = platform.client("app", "secret")
    pair = platform.exchange_code(app, run_connect(platform)["code"], REDIRECT)
    rotated = platform.refresh(app, pair.refresh_token)
    assert platform.tokens.check(rotated.access_token) is not None
    with pytest.raises(OAuthError, match="Invalid refresh_token"):
        platform.refresh(app, pair.refresh_token)  # at once: no grace by default
    assert platform.tokens.check(rotated.access_token) is None
    assert platform.tokens.check(pair.access_token) is None
    with pytest.raises(OAuthError, match="Invalid refresh_token"):
        platform.refresh(app, rotated.refresh_token)
    # Another login's tokens are untouched.
    other = platform.exchange_code(app, run_connect(platform, email="b@example.com")["code"], REDIRECT)
    assert platform.refresh(app, other.refresh_token).expires_in == 7200


def test_client_authentication(platform):
    with pytest.raises(OAuthError) as error:
        platform.client("app", "wrong")
    assert (error.value.error, error.value.status) == ("invalid_client", 401)


def test_scope_parsing():
    assert parse_scope("required:read_odometer read_vin,read_vin") == (["read_odometer", "read_vin"],
                                                                      {"read_odometer"})


@pytest.mark.parametrize("permission, powertrain, level, expected", [
    ("read_fuel", "BEV", None, False), ("read_battery", "ICE", None, False), ("read_battery", "HEV", None, False),
    ("read_fuel", "PHEV", None, True), ("read_odometer", "BEV", "incompatible", False),
    ("read_fuel", "BEV", "fuel", True), ("read_fuel", "ICE", "bev", False), ("read_charge", "ICE", "phev", True)])
def test_capabilities(permission, powertrain, level, expected):
    assert capable(permission, powertrain, level) is expected


def test_special_test_logins():
    (vehicle,) = resolve_test_login("0SCABCDEFGH123456@bev.smartcar.com", "TESLA")
    assert (vehicle.vin, vehicle.level) == ("0SCABCDEFGH123456", "bev")
    fleet = resolve_test_login("7-vehicles@smartcar.com", "FORD")
    assert len(fleet) == 7 and len({v.vin for v in fleet}) == 7 and all(v.vin.startswith("0SC") for v in fleet)
    assert resolve_test_login("7-vehicles@smartcar.com", "FORD") == fleet  # stable
    assert resolve_test_login("a@b.com", "FORD", mode="simulated")[0].vin.startswith("3SC")
    (asleep,) = resolve_test_login("VEHICLE_STATE.ASLEEP@smartcar.com", "TESLA")
    assert asleep.test_error == "VEHICLE_STATE.ASLEEP"
    with pytest.raises(ConnectRedirectError) as error:
        resolve_test_login("SmartCar@Vehicle-Incompatible.com", "AUDI")
    assert error.value.error == "vehicle_incompatible" and error.value.extras["vin"] == "0SCAUDI012FE3B132"


def test_forced_errors_carry_the_v1_code():
    (vehicle,) = resolve_test_login("smartcar@vs-002.vehicle-state-error.com", "TESLA")
    error = forced_error(vehicle.test_error or "")
    assert (error.type, error.v1_type, error.v1_code, error.http_status) == (
        "VEHICLE_STATE", "vehicle_state_error", "VS_002", 409)
    assert error.v1_description == "Some of the vehicle's trunks are open."


def test_error_catalogue_defaults():
    error = ApiError("RATE_LIMIT", "VEHICLE")
    assert (error.http_status, error.resolution, error.retry_after) == (429, "RETRY_LATER", 60)
    assert ApiError("PERMISSION").doc_url == "https://smartcar.com/docs/errors/api-errors/permission-errors#null"
    assert ApiError("BILLING", "VEHICLE_LIMIT").http_status == 430


def test_state_changes_are_atomic_and_stamped(platform):
    params = run_connect(platform)
    pair = platform.exchange_code(platform.client("app", "secret"), params["code"], REDIRECT)
    (vehicle_id,) = platform.vehicle_ids(platform.user_token(pair.access_token))
    before = platform.vehicles.state(vehicle_id)
    platform.clock.advance(5)
    after = platform.set_lock(vehicle_id, not before.locked)
    assert after.locked is not before.locked and after.data_age > before.data_age
    assert platform.vehicles.state(vehicle_id) == after  # what was stored is what the command returned
    assert platform.state(vehicle_id).locked is after.locked


def test_units():
    imperial = Units(True)
    assert imperial.distance(100) == 62.14 and imperial.volume(10) == 2.64 and imperial.pressure(200) == 29.01
    assert Units(False).distance(100) == 100 and imperial.distance(None) is None


@pytest.mark.parametrize("path, routed, asked", [
    ("/v2.0/user/", "/v2.0/user", "2.0"), ("/v99999999.99/vehicles", "/v2.0/vehicles", "99999999.99"),
    ("/v1.5/user", "/v1.0/user", "1.5"), ("/oauth/token", "/oauth/token", None), ("/", "/", None)])
def test_path_normalisation(path, routed, asked):
    assert normalise_path(path) == (routed, asked)


def test_service_history_default_window_on_a_leap_day():
    leap_day = datetime(2028, 2, 29, 12, tzinfo=timezone.utc)
    record = {"serviceId": 1, "serviceDate": "2027-06-01T16:20:00.000Z"}
    old = {"serviceId": 2, "serviceDate": "2026-06-01T16:20:00.000Z"}
    state = VehicleState(service_history=[record, old])
    assert service_history(state, None, None, leap_day) == [record]
