"""Property-based tests of the emulator's input parsers: whatever arrives, the answer is the platform's error
format with a 4xx status, never a 500 (bounded example counts keep CI fast)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcar_emulator.http.common import parse_int
from smartcar_emulator.server import EmulatorServer

from .conftest import Car, bearer, unique_email

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# JSON values of every type, nested a little: what a careless or hostile client sends where a string is expected.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
# Query values that trip naive integer parsing: other scripts' digits, superscripts, signs, spaces, underscores.
tricky_numbers = st.one_of(
    st.text(alphabet="0123456789²³¹١٢٣৪߀٠+-_ .e", min_size=1, max_size=8),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.text(max_size=8),
)


@given(st.text(max_size=24))
@settings(max_examples=300, deadline=None)
def test_parse_int_accepts_exactly_ascii_decimals(raw):
    value = parse_int(raw)
    digits = raw.removeprefix("-")
    if digits and len(digits) <= 18 and all(c in "0123456789" for c in digits):
        assert value == int(raw)
    else:
        assert value is None


@pytest.mark.parametrize("raw", ["²", "١٢", " 1", "1 ", "+1", "1_0", "0x10", "1e3", "", "-"])
def test_parse_int_refuses_what_int_or_isdigit_would_take(raw):
    assert parse_int(raw) is None


def assert_4xx_in_format(response: httpx2.Response, version: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    if version == "3":
        assert body["errors"][0]["status"] == str(response.status_code)
    else:
        assert body["statusCode"] == response.status_code and body["type"]


@pytest.fixture(scope="module")
def car(http, connect_vehicle) -> Car:
    return Car(http, connect_vehicle(make="TESLA", email=unique_email("fuzz")))


@pytest.fixture(scope="module")
def app_token(http, application) -> str:
    response = http.post("/oauth2/token", data={"grant_type": "client_credentials",
                                                "client_id": application.client_id,
                                                "client_secret": application.client_secret})
    return str(response.json()["access_token"])


@given(value=tricky_numbers)
@FAST
def test_v2_paging_parameters(car, value):
    for path, name in (("/v2.0/vehicles", "limit"), ("/v2.0/vehicles", "offset"),
                       (car.url("permissions"), "limit"), (car.url("permissions"), "offset")):
        response = car.http.get(path, params={name: value}, headers=bearer(car.token))
        if response.status_code != 200:
            assert_4xx_in_format(response, "2.0")


@given(value=tricky_numbers)
@FAST
def test_v3_paging_parameters(car, app_token, value):
    for name in ("page[number]", "page[size]", "page", "pageSize"):
        response = car.http.get("/v3/connections", params={name: value}, headers=bearer(app_token))
        if response.status_code != 200:
            assert_4xx_in_format(response, "3")


@given(value=tricky_numbers)
@FAST
def test_management_paging_parameters(car, application, value):
    response = car.http.get("/v2.0/management/connections", params={"limit": value, "cursor": value},
                            auth=("default", application.amt))
    if response.status_code != 200:
        assert_4xx_in_format(response, "2.0")


@given(body=st.dictionaries(st.sampled_from(["kind", "vehicle_id", "type", "code", "retry_after", "rate",
                                              "latency_ms", "count", "duration_s"]), json_values, max_size=5))
@FAST
def test_fault_rules_with_any_json_values(emulator, car, body):
    response = car.http.post("/_emulator/faults", json=body)
    try:
        if response.status_code != 201:
            assert_4xx_in_format(response, "2.0")
    finally:
        car.http.delete("/_emulator/faults")


@given(body=st.dictionaries(st.sampled_from(["make", "model", "year", "mode", "email", "vin"]), json_values,
                            max_size=5))
@FAST
def test_control_vehicle_creation_with_any_json_values(car, body):
    response = car.http.post("/_emulator/vehicles", json=body)
    if response.status_code != 201:
        assert_4xx_in_format(response, "2.0")


COMMANDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("2.0", "security", ("action",)), ("2.0", "charge", ("action",)), ("2.0", "charge/limit", ("limit",)),
    ("2.0", "navigation/destination", ("latitude", "longitude")), ("2.0", "batch", ("requests",)),
    ("3", "commands/charge/set-limit", ("data",)), ("3", "commands/navigation/set-destination", ("data",)),
]


@pytest.mark.parametrize("version, path, keys", COMMANDS, ids=[c[1] for c in COMMANDS])
def test_vehicle_commands_with_any_json_values(car, app_token, version, path, keys):
    @given(body=st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys)) | json_values)
    @settings(max_examples=25, deadline=None)
    def check(body: Any) -> None:
        if version == "3":
            response = car.http.post(f"/v3/vehicles/{car.id}/{path}", json=body,
                                     headers={**bearer(app_token), "sc-user-id": car.session["user_id"]})
        else:
            response = car.post(path, body)
        if response.status_code not in (200, 202):
            assert_4xx_in_format(response, version)

    check()


@pytest.fixture(scope="module")
def plain_server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@given(fields=st.dictionaries(st.sampled_from(["grant_type", "code", "redirect_uri", "refresh_token",
                                                "client_id", "client_secret", "code_verifier"]),
                              st.text(max_size=20), max_size=5),
       header=st.none() | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
@FAST
def test_token_endpoint_with_any_form(plain_server, fields, header):
    header = header.strip() if header else None  # a header value cannot start or end with a space on the wire
    headers = {"Authorization": header} if header else {}
    for path in ("/oauth/token", "/oauth2/token"):
        response = httpx2.post(plain_server.url + path, data=fields, headers=headers)
        assert response.status_code in (400, 401), response.text
        body = response.json()
        assert set(body) == {"error", "error_description"} and body["error"]
