"""The platform's rate limits (per application, per vehicle) and Connect with 999 vehicles, over loopback HTTP.

A module-scoped emulator of its own: limits are global to an emulator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from click.testing import CliRunner

from smartcar_emulator.cli import main
from smartcar_emulator.clock import Clock
from smartcar_emulator.platform.errors import ApiError
from smartcar_emulator.platform.ratelimit import PLATFORM, Limit, RateLimiter, limit_from
from smartcar_emulator.testing import Connected, Emulator, running


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running() as emulator:
        yield emulator


@pytest.fixture()
def fresh(emulator: Emulator) -> Iterator[tuple[Emulator, httpx2.Client]]:
    emulator.reset()
    with httpx2.Client(base_url=emulator.url, timeout=30) as http:
        yield emulator, http


def _odometer(http: httpx2.Client, connected: Connected, index: int = 0) -> httpx2.Response:
    return http.get(f"/v2.0/vehicles/{connected.vehicle_ids[index]}/odometer",
                    headers={"Authorization": f"Bearer {connected.access_token}"})


def test_the_application_bucket_empties_answers_429_with_retry_after_and_refills_on_the_clock(fresh):
    emulator, http = fresh
    connected = emulator.connect(email="2-vehicles@smartcar.com")
    assert emulator.rate_limits.set(app="2/min,burst=3") == {"app": {"requestsPerSecond": 2 / 60, "burst": 3},
                                                             "vehicle": None}
    assert [_odometer(http, connected, i % 2).status_code for i in range(3)] == [200, 200, 200]

    refused = _odometer(http, connected, 1)  # another vehicle: the application's bucket is what is empty
    assert refused.status_code == 429
    body = refused.json()
    assert (body["type"], body["code"], body["resolution"]) == ("RATE_LIMIT", "SMARTCAR_API", {"type": "RETRY_LATER"})
    assert refused.headers["retry-after"] == "30"  # one token every 30 s
    assert _odometer(http, connected).status_code == 429  # a refused request took nothing, refilled nothing

    emulator.clock.advance(30)
    assert _odometer(http, connected).status_code == 200
    assert _odometer(http, connected).status_code == 429


def test_the_vehicle_bucket_is_per_vehicle(fresh):
    emulator, http = fresh
    connected = emulator.connect(email="2-vehicles@smartcar.com")
    emulator.rate_limits.set(vehicle="1/min,burst=2")
    assert [_odometer(http, connected, 0).status_code for _ in range(2)] == [200, 200]
    refused = _odometer(http, connected, 0)
    assert refused.status_code == 429 and refused.json()["code"] == "VEHICLE"
    assert refused.headers["retry-after"] == "60"
    assert _odometer(http, connected, 1).status_code == 200  # the other car has its own bucket


def test_batch_items_each_count(fresh):
    emulator, http = fresh
    connected = emulator.connect()
    emulator.rate_limits.set(app="1/hour,burst=3")
    batch = http.post(f"/v2.0/vehicles/{connected.vehicle_id}/batch",
                      headers={"Authorization": f"Bearer {connected.access_token}"},
                      json={"requests": [{"path": "/odometer"}, {"path": "/battery"}, {"path": "/location"},
                                         {"path": "/odometer"}]})
    codes = [item["code"] for item in batch.json()["responses"]]
    assert codes == [200, 200, 200, 429]
    assert _odometer(http, connected).status_code == 429


def test_v3_answers_in_its_own_error_format(fresh):
    emulator, http = fresh
    connected = emulator.connect(flow="user")
    token = http.post("/oauth2/token", auth=(emulator.app.client_id, emulator.app.client_secret),
                      data={"grant_type": "client_credentials"}).json()["access_token"]
    emulator.rate_limits.set(vehicle="1/min,burst=1")
    headers = {"Authorization": f"Bearer {token}", "sc-user-id": connected.user_id}
    path = f"/v3/vehicles/{connected.vehicle_id}/signals/odometer-traveleddistance"
    assert http.get(path, headers=headers).status_code == 200
    refused = http.get(path, headers=headers)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    error = refused.json()["errors"][0]
    assert error["type"] == "RATE_LIMIT" and error["code"] == "VEHICLE"


def test_reset_turns_runtime_limits_off(fresh):
    emulator, http = fresh
    emulator.rate_limits.set(app="1/hour,burst=1", vehicle="platform")
    assert emulator.rate_limits.get()["vehicle"] == {"requestsPerSecond": 1 / 6, "burst": 10}
    emulator.reset()
    assert emulator.rate_limits.get() == {"app": None, "vehicle": None}
    connected = emulator.connect()
    assert all(_odometer(http, connected).status_code == 200 for _ in range(5))


@pytest.mark.parametrize("body, field", [
    ({"app": "fast"}, "app"), ({"app": "0/s"}, "app"), ({"vehicle": {"requestsPerSecond": "1"}}, "vehicle"),
    ({"vehicle": {"requestsPerSecond": 1, "burst": 0}}, "vehicle"), ({"app": 5}, "app"), ({"bus": "1/s"}, "bus"),
    ({"app": {"requestsPerSecond": "INF"}}, "app"),  # sent as the bare number 1e309, which json reads as infinity
])
def test_bad_limits_are_validation_errors_and_change_nothing(fresh, body, field):
    emulator, http = fresh
    emulator.rate_limits.set(app="5/s")
    content = httpx2.Request("PUT", "/", json=body).content.replace(b'"INF"', b"1e309")
    reply = http.put("/_emulator/rate-limits", content=content, headers={"content-type": "application/json"})
    assert reply.status_code == 400 and reply.json()["type"] == "VALIDATION", reply.text
    assert reply.json()["detail"][0]["field"] == field
    assert emulator.rate_limits.get()["app"] == {"requestsPerSecond": 5.0, "burst": 5}


def test_limit_syntax() -> None:
    assert Limit.parse("50/s") == Limit(50.0, 50)
    assert Limit.parse("600 / min") == Limit(10.0, 600)
    assert Limit.parse("2/min,burst=120") == PLATFORM["app"] == limit_from("platform", "app")
    assert limit_from("off", "vehicle") is None
    for bad in ("", "50", "50/fortnight", "-1/s", "1/s,burst=0", "1/s,burst=x"):
        with pytest.raises(ValueError):
            Limit.parse(bad)


def test_server_limits_survive_a_reset_and_the_clock_going_back() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.configure(Limit(1.0, 1), None, default=True)
    limiter.take("app", "car")
    with pytest.raises(ApiError) as refused:
        limiter.take("app", "car")
    assert refused.value.retry_after == 1
    limiter.configure(None, None)
    limiter.reset()
    assert limiter.app == Limit(1.0, 1)  # back to what the server was started with
    limiter.take("app", "car")
    from datetime import datetime, timezone
    clock.set(datetime(2001, 1, 1, tzinfo=timezone.utc))  # back in time: no refill, and no crash
    with pytest.raises(ApiError):
        limiter.take("app", "car")


def test_serve_refuses_a_bad_rate_limit_in_one_line() -> None:
    result = CliRunner().invoke(main, ["serve", "--rate-limit", "app=fast"])
    assert result.exit_code == 2 and "--rate-limit" in result.output and "50/s" in result.output


def test_connect_grants_999_vehicles_and_every_list_pages_through_them(fresh):
    emulator, http = fresh
    connected = emulator.connect(email="999-vehicles@smartcar.com")
    assert len(connected.vehicle_ids) == len(set(connected.vehicle_ids)) == 999  # v2 /vehicles, 50 a page

    ids: list[str] = []
    cursor = None
    while True:
        page = http.get("/v2.0/management/connections", auth=("default", emulator.app.amt),
                        params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        ids += [c["vehicleId"] for c in page["connections"]]
        cursor = page["paging"]["cursor"]
        if not cursor:
            break
    assert sorted(ids) == sorted(connected.vehicle_ids)
