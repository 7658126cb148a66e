"""Fault injection: every family, per vehicle and global, in the v1.0, v2.0 and v3 formats; determinism."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from smartcar_emulator.clock import Clock
from smartcar_emulator.platform.errors import ApiError
from smartcar_emulator.platform.faults import FaultService
from tests.emulator.simkit import sim  # noqa: F401  (fixture)


@pytest.fixture()
def car(sim):  # noqa: F811
    yield sim.car("TESLA")
    sim.ok("DELETE", "/faults")


FAMILIES = [
    ({"kind": "rate_limit", "retry_after": 30}, 429, "RATE_LIMIT", "VEHICLE", "30"),
    ({"kind": "asleep"}, 409, "VEHICLE_STATE", "ASLEEP", None),
    ({"kind": "unreachable"}, 409, "VEHICLE_STATE", "UNREACHABLE", None),
    ({"kind": "upstream"}, 502, "UPSTREAM", "UNKNOWN_ISSUE", None),
    ({"kind": "upstream", "code": "INVALID_DATA"}, 502, "UPSTREAM", "INVALID_DATA", None),
    ({"kind": "server"}, 500, "SERVER", "INTERNAL", None),
    ({"kind": "billing"}, 430, "BILLING", "VEHICLE_REQUEST_LIMIT", None),
    ({"kind": "billing", "code": "ACCOUNT_SUSPENDED"}, 430, "BILLING", "ACCOUNT_SUSPENDED", None),
    ({"kind": "error", "type": "CONNECTED_SERVICES_ACCOUNT", "code": "ACCOUNT_ISSUE"}, 400,
     "CONNECTED_SERVICES_ACCOUNT", "ACCOUNT_ISSUE", None),
    ({"kind": "error", "type": "COMPATIBILITY", "code": "PLATFORM_NOT_CAPABLE"}, 501, "COMPATIBILITY",
     "PLATFORM_NOT_CAPABLE", None),
    ({"kind": "failure_rate", "rate": 1.0}, 500, "SERVER", "INTERNAL", None),
]


@pytest.mark.parametrize(("spec", "status", "type_", "code", "retry_after"), FAMILIES,
                         ids=[f"{f[0]['kind']}-{f[3]}" for f in FAMILIES])
def test_vehicle_fault_in_every_version(sim, car, spec, status, type_, code, retry_after):  # noqa: F811
    sim.ok("POST", "/faults", {**spec, "vehicle_id": car.id}, status=201)
    v2 = car.get("odometer")
    assert v2.status_code == status
    assert (v2.json()["type"], v2.json()["code"], v2.json()["statusCode"]) == (type_, code, status)
    assert v2.json()["requestId"] == v2.headers["sc-request-id"]
    assert v2.headers.get("retry-after") == retry_after

    v1 = car.get("odometer", version="1.0")
    assert v1.status_code == status and "error" in v1.json() and "type" not in v1.json()

    v3 = car.signal("odometer-traveleddistance")
    error = v3.json()["errors"][0]
    assert v3.status_code == status and (error["status"], error["type"], error["code"]) == (str(status), type_, code)


def test_global_rate_limit_is_the_application_limit(sim, car):  # noqa: F811
    other = sim.car("NISSAN")
    sim.ok("POST", "/faults", {"kind": "rate_limit"}, status=201)
    for vehicle in (car, other):
        response = vehicle.get("battery")
        assert response.status_code == 429 and response.json()["code"] == "SMARTCAR_API"
        assert response.headers["retry-after"] == "60"
    assert sim.http.get("/v2.0/vehicles", headers=car.auth).status_code == 200  # not a vehicle request


def test_vehicle_fault_leaves_other_vehicles_alone(sim, car):  # noqa: F811
    other = sim.car("NISSAN")
    sim.ok("POST", "/faults", {"kind": "asleep", "vehicle_id": car.id}, status=201)
    assert car.get("odometer").status_code == 409
    assert other.get("odometer").status_code == 200


def test_state_faults_spare_static_endpoints_but_rate_limits_do_not(sim, car):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "asleep", "vehicle_id": car.id}, status=201)
    assert car.get("vin").status_code == 200 and car.get("").status_code == 200
    sim.ok("DELETE", "/faults")
    sim.ok("POST", "/faults", {"kind": "rate_limit", "vehicle_id": car.id}, status=201)
    assert car.get("vin").status_code == 429


def test_faults_hit_commands_and_batch_items(sim, car):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "unreachable", "vehicle_id": car.id}, status=201)
    assert car.post("security", {"action": "UNLOCK"}).json()["code"] == "UNREACHABLE"
    assert car.command("security/unlock").json()["errors"][0]["code"] == "UNREACHABLE"
    assert car.state()["locked"] is True  # the command never reached the vehicle


def test_count_limits_a_fault_to_the_next_requests(sim, car):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "server", "vehicle_id": car.id, "count": 2}, status=201)
    codes = [car.get("odometer").status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert sim.ok("GET", f"/faults?vehicle_id={car.id}")["faults"] == []


def test_duration_expires_on_the_clock_and_sets_retry_after(sim, car):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "rate_limit", "vehicle_id": car.id, "duration_s": 120}, status=201)
    first = car.get("odometer")
    assert first.status_code == 429 and first.headers["retry-after"] == "120"
    sim.advance(90)
    assert car.get("odometer").headers["retry-after"] == "30"
    sim.advance(31)
    assert car.get("odometer").status_code == 200


def test_latency_is_awaited_and_reported(sim, car):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "latency", "vehicle_id": car.id, "latency_ms": 5}, status=201)
    slowed = car.get("odometer")
    assert slowed.status_code == 200 and slowed.headers["x-emulator-injected-latency-ms"] == "5"
    other = sim.car("NISSAN")
    assert "x-emulator-injected-latency-ms" not in other.get("odometer").headers


def test_failure_rate_is_deterministic_for_a_seed():
    def outcomes(seed: int) -> list[bool]:
        faults = FaultService(Clock(), seed)
        faults.add({"kind": "failure_rate", "rate": 0.5})
        return [faults.check("v", data=True) is not None for _ in range(40)]

    assert outcomes(1) == outcomes(1)
    assert outcomes(1) != outcomes(2)
    assert 8 < sum(outcomes(1)) < 32

    never = FaultService(Clock(), 1)
    never.add({"kind": "failure_rate", "rate": 0})
    assert all(never.check("v", data=True) is None for _ in range(20))


@pytest.mark.parametrize("spec", [
    {"kind": "meteor"}, {"kind": "error"}, {"kind": "error", "type": "NOPE", "code": "X"},
    {"kind": "latency"}, {"kind": "failure_rate", "rate": 2}, {"kind": "rate_limit", "retry_after": -1},
    {"kind": "server", "count": 0}, {"kind": "asleep", "vehicle_id": "no-such-vehicle"},
])
def test_bad_fault_specs_are_validation_errors(sim, spec):  # noqa: F811
    response = sim.control("POST", "/faults", spec)
    assert response.status_code in (400, 404)
    assert response.json()["type"] in ("VALIDATION", "RESOURCE_NOT_FOUND")


def test_fault_service_unit_rules():
    faults = FaultService(Clock(), 0)
    rule = faults.add({"kind": "asleep", "vehicle_id": "a"})
    assert isinstance(faults.check("a", data=True), ApiError)
    assert faults.check("a", data=False) is None and faults.check("b", data=True) is None
    assert faults.remove(rule.id) and not faults.remove(rule.id)
    assert faults.check("a", data=True) is None


# -- Token faults: the OAuth token endpoints answer an OAuth-format error ------------------------------------------
@pytest.fixture()
def token_faults(sim):  # noqa: F811
    yield
    sim.ok("DELETE", "/faults")


def _app_token(sim):  # noqa: F811
    return sim.http.post("/oauth2/token", data={"grant_type": "client_credentials"},
                         auth=(sim.app.client_id, sim.app.client_secret))


def _refresh(sim, refresh_token):  # noqa: F811
    return sim.http.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                         auth=(sim.app.client_id, sim.app.client_secret))


def test_token_fault_answers_in_the_oauth_format_then_expires(sim, token_faults):  # noqa: F811
    rule = sim.ok("POST", "/faults", {"kind": "token", "count": 1}, status=201)
    assert (rule["status"], rule["error"], rule["grant_type"]) == (503, "temporarily_unavailable", None)
    refused = _app_token(sim)
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json() == {"error": "temporarily_unavailable",
                              "error_description": "The token endpoint is temporarily unavailable (injected fault)."}
    assert refused.headers["sc-request-id"] and refused.headers["cache-control"] == "no-store"
    assert "retry-after" not in refused.headers
    assert sim.ok("GET", "/faults")["faults"] == []  # count 1: consumed
    assert _app_token(sim).status_code == 200


def test_token_fault_for_one_grant_leaves_the_grant_unused(sim, token_faults):  # noqa: F811
    email = f"token-fault-{uuid.uuid4().hex[:8]}@example.com"
    session = sim.connect(sim.create(email=email)["email"])
    sim.ok("POST", "/faults", {"kind": "token", "grant_type": "refresh_token", "status": 500,
                               "description": None, "retry_after": 7, "count": 1}, status=201)
    assert _app_token(sim).status_code == 200  # another grant: untouched, and the rule is not consumed
    refused = _refresh(sim, session["refresh_token"])
    assert refused.status_code == 500 and refused.json() == {"error": "server_error"}  # no error_description
    assert refused.headers["retry-after"] == "7"
    again = _refresh(sim, session["refresh_token"])  # the fault answered before the grant was used: not rotated
    assert again.status_code == 200 and again.json()["refresh_token"] != session["refresh_token"]


def test_token_faults_never_touch_vehicle_requests(sim, car, token_faults):  # noqa: F811
    sim.ok("POST", "/faults", {"kind": "token"}, status=201)
    assert car.get("odometer").status_code == 200
    assert car.signal("odometer-traveleddistance").status_code == 200
    assert sim.ok("GET", f"/faults?vehicle_id={car.id}")["faults"] == []  # not one of the vehicle's rules
    assert [f["kind"] for f in sim.ok("GET", "/faults")["faults"]] == ["token"]


def test_the_panel_lists_token_rules_as_what_they_are(sim, token_faults):  # noqa: F811
    """Token rules have no vehicle, type or code: the global list says kind, grant, status and error (it showed
    ``token None:None (all vehicles)``)."""
    sim.ok("POST", "/faults", {"kind": "token", "grant_type": "client_credentials", "count": 2}, status=201)
    sim.ok("POST", "/faults", {"kind": "token", "status": 500, "description": None, "retry_after": 7}, status=201)
    sim.ok("POST", "/faults", {"kind": "rate_limit", "retry_after": 30}, status=201)
    sim.ok("POST", "/faults", {"kind": "latency", "latency_ms": 250}, status=201)
    page = sim.http.get("/_emulator/panel")
    assert page.status_code == 200
    listed = re.search(r'<ul id="global-faults">(.*?)</ul>', page.text, re.S)
    assert listed is not None
    items = [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>", listed[1])]
    assert not [item for item in items if "None" in item], items
    assert items[0] == ("token: 503 temporarily_unavailable on client_credentials grants (token endpoints) · "
                        "“The token endpoint is temporarily unavailable (injected fault).” · 2 left")
    assert items[1] == "token: 500 server_error on every grant (token endpoints) · Retry-After 7 s"
    assert items[2] == "rate_limit RATE_LIMIT:SMARTCAR_API (all vehicles) · Retry-After 30 s"
    assert items[3] == "latency · 250 ms (all vehicles)"


@pytest.mark.parametrize(("spec", "field"), [
    ({"kind": "token", "status": 200}, "status"), ({"kind": "token", "status": 600}, "status"),
    ({"kind": "token", "error": "Not An OAuth Code"}, "error"), ({"kind": "token", "error": 5}, "error"),
    ({"kind": "token", "description": ""}, "description"), ({"kind": "token", "grant_type": "password"}, "grant_type"),
    ({"kind": "token", "type": "SERVER", "code": "INTERNAL"}, "type"), ({"kind": "server", "status": 503}, "status"),
    ({"kind": "rate_limit", "grant_type": "refresh_token"}, "grant_type"),
])
def test_bad_token_fault_specs_name_the_field(sim, spec, field):  # noqa: F811
    response = sim.control("POST", "/faults", spec)
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "VALIDATION" and response.json()["detail"][0]["field"] == field


def test_a_token_fault_is_not_per_vehicle(sim, car):  # noqa: F811
    response = sim.control("POST", "/faults", {"kind": "token", "vehicle_id": car.id})
    assert response.status_code == 400 and response.json()["detail"][0]["field"] == "vehicle_id"
    assert sim.ok("GET", "/faults")["faults"] == []
