"""AuthClient: constructor rules, every ``get_auth_url`` option, and the token exchanges end to end."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import smartcar
from smartcar import config
from smartcar.exception import MissingCredentialsError, SmartcarException
from smartcar_emulator.walker import walk

from .conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

MISSING = ("AuthClient MUST have client_id and client_secret attributes.Either set these as environment variables, "
           "OR pass them in as arguments when instantiating AuthClient. The recommended course of action is to set "
           "up environment variables with your client credentials. i.e.: 'SMARTCAR_CLIENT_ID' and "
           "'SMARTCAR_CLIENT_SECRET'")


def test_constructor_positional_and_dict_order() -> None:
    with pytest.warns(DeprecationWarning, match='The "testMode" parameter is deprecated'):
        client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, True, "test")
    assert list(vars(client)) == ["client_id", "client_secret", "redirect_uri", "mode", "auth"]
    assert client.mode == "test" and client.auth == (CLIENT_ID, CLIENT_SECRET)


def test_constructor_env_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", "env-id")
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", "https://env/cb")
    client = smartcar.AuthClient("", None, mode="SIMULATED")
    assert (client.client_id, client.client_secret, client.redirect_uri) == ("env-id", CLIENT_SECRET,
                                                                             "https://env/cb")
    assert client.mode == "simulated"


def test_test_mode_overrides_mode() -> None:
    with pytest.warns(DeprecationWarning):
        assert smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, test_mode=False, mode="simulated").mode == "live"


def test_missing_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_CLIENT_SECRET")
    with pytest.raises(MissingCredentialsError) as info:
        smartcar.AuthClient(CLIENT_ID)
    assert str(info.value) == MISSING
    assert not isinstance(info.value, SmartcarException)


def test_redirect_uri_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_REDIRECT_URI")
    assert smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET).redirect_uri is None


def test_invalid_mode() -> None:
    with pytest.raises(Exception, match="The \"mode\" parameter MUST be one of the following: 'test', 'live', "
                                        "'simulated'"):
        smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, mode="prod")
    with pytest.raises(TypeError, match="mode must be a str"):
        smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, mode=None)  # type: ignore[arg-type]


@pytest.fixture
def official_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "CONNECT_URL", "https://connect.smartcar.com")


BASE = "https://connect.smartcar.com/oauth/authorize?"


@pytest.mark.usefixtures("official_connect")
def test_auth_url_basic() -> None:
    client = smartcar.AuthClient("cid", "csec", "https://ex.com/cb", mode="test")
    assert client.get_auth_url(["read_odometer", "read_vin"]) == (
        BASE + "response_type=code&client_id=cid&approval_prompt=auto&mode=test"
        "&redirect_uri=https%3A%2F%2Fex.com%2Fcb&scope=read_odometer+read_vin")


@pytest.mark.usefixtures("official_connect")
def test_auth_url_without_redirect_or_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_REDIRECT_URI")
    client = smartcar.AuthClient("cid", "csec")
    assert client.get_auth_url() == BASE + "response_type=code&client_id=cid&approval_prompt=auto&mode=live"
    assert client.get_auth_url([]) == client.get_auth_url(None)
    assert client.get_auth_url(options={"force_prompt": True}) == (
        BASE + "response_type=code&client_id=cid&approval_prompt=force&mode=live")


@pytest.mark.usefixtures("official_connect")
def test_auth_url_every_option() -> None:
    client = smartcar.AuthClient("cid", "csec", "https://ex.com/cb", mode="test")
    options = {"force_prompt": True, "state": "s t&x", "make_bypass": "TESLA",
               "single_select": {"enabled": True, "vin": "VIN1"},
               "flags": {"country": "DE", "x": True, "y": False, "n": 5}, "user": "u1"}
    assert client.get_auth_url(["read_odometer"], options) == (
        BASE + "response_type=code&client_id=cid&approval_prompt=force&mode=test"
        "&redirect_uri=https%3A%2F%2Fex.com%2Fcb&scope=read_odometer&state=s+t%26x&make=TESLA"
        "&single_select_vin=VIN1&single_select=true&flags=country%3ADE+x%3Atrue+y%3Afalse+n%3A5&user=u1")


@pytest.mark.usefixtures("official_connect")
@pytest.mark.parametrize(("single_select", "expected"), [
    ({"enabled": False, "vin": "V"}, "&single_select_vin=V&single_select=true"),
    ({"enabled": True}, "&single_select=true"),
    ({"enabled": False}, "&single_select=false"),
    ({}, ""),
])
def test_auth_url_single_select(single_select: dict[str, Any], expected: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_REDIRECT_URI")
    client = smartcar.AuthClient("cid", "csec", mode="live")
    url = client.get_auth_url(None, {"single_select": single_select, "force_prompt": False, "state": ""})
    assert url == BASE + "response_type=code&client_id=cid&approval_prompt=auto&mode=live" + expected


def test_auth_url_parses_with_response_type_first(client: smartcar.AuthClient) -> None:
    url = client.get_auth_url(["read_odometer"], {"state": "abc"})
    assert url.startswith(f"{config.CONNECT_ORIGIN}/oauth/authorize?response_type=code&")
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == ["abc"] and query["redirect_uri"] == [REDIRECT_URI]


def _assert_access(access: Any) -> None:
    assert type(access).__name__ == "Access"
    assert access.access_token and access.refresh_token and access.token_type == "Bearer"
    assert isinstance(access.expiration, datetime) and access.expiration.tzinfo is None
    assert timedelta(days=59) < access.refresh_expiration - access.expiration < timedelta(days=61)


def test_exchange_code_and_refresh_end_to_end(client: smartcar.AuthClient) -> None:
    url = client.get_auth_url(["read_odometer", "read_vehicle_info"],
                              {"state": "st8", "make_bypass": "TESLA", "flags": {"x": True}})
    result = walk(url, email="auth-e2e@example.com", make="TESLA")
    assert result.params["state"] == "st8"
    access = client.exchange_code(result.params["code"], {"flags": {"test_flag": True}})
    _assert_access(access)
    vehicles = smartcar.get_vehicles(access.access_token)
    assert len(vehicles.vehicles) >= 1
    refreshed = client.exchange_refresh_token(access.refresh_token, {"test_flag": True})
    _assert_access(refreshed)
    assert refreshed.access_token != access.access_token
    assert smartcar.get_user(refreshed.access_token).id == smartcar.get_user(access.access_token).id


def test_exchange_code_oauth_error(client: smartcar.AuthClient) -> None:
    with pytest.raises(SmartcarException) as info:
        client.exchange_code("THIS_SHOULD_NOT_WORK")
    e = info.value
    assert list(vars(e)) == ["status_code", "type", "message"]
    assert e.status_code in (400, 401) and e.type == "invalid_grant"
    assert str(e) == e.message and e.message


def test_exchange_with_bad_secret_is_an_oauth_error() -> None:
    client = smartcar.AuthClient(CLIENT_ID, "wrong-secret", REDIRECT_URI, mode="test")
    with pytest.raises(SmartcarException) as info:
        client.exchange_refresh_token("whatever")
    assert info.value.status_code == 401 and info.value.type == "invalid_client"
