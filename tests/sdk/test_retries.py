"""Retries: the pure policy, then real requests against an emulator of our own with injected faults (rate
limits, server errors), a local stub (Retry-After as an HTTP date) and httpx2 mock transports (connection
failures). Sleeps and clocks are injected: nothing here really waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from datetime import datetime, timezone
from typing import Any
from unittest import mock

import httpx2
import pytest

import smartcar
import smartcar.aio
from smartcar import _transport, config, helpers
from smartcar._retry import NO_RETRIES, RetryPolicy, retry_after_seconds
from smartcar.exception import SmartcarException, sdk_error
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

from .conftest import AMT, Reply, StubServer

REDIRECT = "http://localhost:8000/exchange"
SCOPES = ["read_vehicle_info", "read_odometer", "read_security", "control_security", "read_location"]


# -- The pure policy -----------------------------------------------------------------------------------------
def error(status: int | None = None, retry_after: Any = None, cause: BaseException | None = None) -> SmartcarException:
    if cause is not None:
        exc = sdk_error()
        exc.__cause__ = cause
        return exc
    kwargs: dict[str, Any] = {"status_code": status, "type": "X", "code": None, "description": "d"}
    if retry_after is not None:
        kwargs["retry_after"] = retry_after
    return SmartcarException(**kwargs)


POLICY = RetryPolicy(max_retries=3, budget=30, backoff=0.5, max_backoff=4, random=lambda: 1.0,
                     wall_clock=lambda: 1_000_000.0)
REQUEST = httpx2.Request("GET", "http://x")


@pytest.mark.parametrize(("exc", "repeatable", "expected"), [
    (error(429), True, 0.5),
    (error(503), True, 0.5),
    (error(500), True, 0.5),
    (error(501), True, None),  # COMPATIBILITY:VEHICLE_NOT_CAPABLE: a retry cannot help
    (error(409), True, None),  # VEHICLE_STATE
    (error(401), True, None),
    (error(429), False, None),  # a command is never repeated after it reached the server
    (error(500), False, None),
    (error(cause=httpx2.ConnectError("refused", request=REQUEST)), False, 0.5),  # never reached it: safe
    (error(cause=httpx2.ConnectTimeout("t", request=REQUEST)), False, 0.5),
    (error(cause=httpx2.ReadTimeout("t", request=REQUEST)), False, None),  # may have reached it
    (error(cause=httpx2.ReadTimeout("t", request=REQUEST)), True, 0.5),
    (error(cause=httpx2.RemoteProtocolError("eof", request=REQUEST)), True, 0.5),
    (error(cause=httpx2.UnsupportedProtocol("ftp", request=REQUEST)), True, None),
    (error(cause=ValueError("bad")), True, None),
    (sdk_error(), True, None),
])
def test_policy_decides_what_to_retry(exc: SmartcarException, repeatable: bool, expected: float | None) -> None:
    assert POLICY.delay(1, exc, repeatable, elapsed=0) == expected


def test_backoff_grows_is_capped_and_jittered() -> None:
    assert [POLICY.delay(n, error(503), True, 0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert POLICY.delay(4, error(503), True, 0) is None  # max_retries=3
    capped = POLICY.with_changes(max_retries=10)
    assert capped.delay(8, error(503), True, 0) == 4
    low = POLICY.with_changes(random=lambda: 0.0)
    assert low.delay(2, error(503), True, 0) == 0.5  # jitter keeps 50-100 % of the backoff


def test_retry_after_seconds_and_http_date_and_budget() -> None:
    assert POLICY.delay(1, error(429, "7"), True, 0) == 7.0
    date = format_datetime(datetime.fromtimestamp(1_000_012, timezone.utc), usegmt=True)
    assert POLICY.delay(1, error(429, date), True, 0) == 12.0
    assert POLICY.delay(1, error(429, "40"), True, 0) is None  # beyond the 30 s budget
    assert POLICY.delay(1, error(429, "7"), True, elapsed=25) is None  # 25 + 7 > 30
    assert POLICY.delay(1, error(429, "garbage"), True, 0) == 0.5  # unreadable: plain backoff
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 2_000_000_000) == 0.0  # past: now
    assert retry_after_seconds(3, 0) == 3.0 and retry_after_seconds(None, 0) is None
    assert NO_RETRIES.delay(1, error(503), True, 0) is None
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


# -- An emulator of our own, so faults never touch the shared one -----------------------------------------------
@dataclass
class Car:
    url: str
    vehicle_id: str
    access_token: str
    user_id: str
    client_id: str
    client_secret: str

    def fault(self, **spec: Any) -> dict[str, Any]:
        response = httpx2.post(f"{self.url}/_emulator/faults", json={"vehicle_id": self.vehicle_id, **spec})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def faults(self) -> list[dict[str, Any]]:
        return list(httpx2.get(f"{self.url}/_emulator/faults", params={"vehicle_id": self.vehicle_id}).json()["faults"])


@pytest.fixture(scope="module")
def own_emulator() -> Iterator[tuple[EmulatorServer, Car]]:
    with EmulatorServer() as server:
        app = server.register_app(redirect_uris=[REDIRECT])
        tokens = connect(server.url, app.client_id, app.client_secret, REDIRECT, SCOPES, make="TESLA",
                         mode="simulated", email="retries@example.com")
        vehicle_id = tokens["vehicle_ids"][0]
        saved = config.VEHICLE_API_ORIGIN, config.IAM_ORIGIN
        config.VEHICLE_API_ORIGIN = config.IAM_ORIGIN = server.url
        try:
            with smartcar.Client(app.client_id, app.client_secret) as client:
                user_id = next(client.connections.list(vehicle_id=vehicle_id)).user_id
        finally:
            config.VEHICLE_API_ORIGIN, config.IAM_ORIGIN = saved
        yield server, Car(server.url, vehicle_id, tokens["access_token"], user_id, app.client_id,
                          app.client_secret)


@pytest.fixture
def car(own_emulator: tuple[EmulatorServer, Car], monkeypatch: pytest.MonkeyPatch) -> Iterator[Car]:
    server, car = own_emulator
    for name in ("API_ORIGIN", "VEHICLE_API_ORIGIN", "IAM_ORIGIN", "MANAGEMENT_API_ORIGIN"):
        monkeypatch.setattr(config, name, server.url)
    yield car
    httpx2.delete(f"{server.url}/_emulator/faults")
    smartcar.configure_http()


class FakeTime:
    """Injected sleep (sync and async) that records waits and moves a fake monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def policy(self, **changes: Any) -> RetryPolicy:
        base = RetryPolicy(max_retries=2, budget=30, sleep=self.sleep, async_sleep=self.async_sleep,
                           clock=lambda: self.now, random=lambda: 1.0)
        return base.with_changes(**changes)


def v3_client(car: Car, policy: RetryPolicy, asynchronous: bool) -> Any:
    cls = smartcar.AsyncClient if asynchronous else smartcar.Client
    return cls(car.client_id, car.client_secret, retry_policy=policy)


def run(asynchronous: bool, value: Any) -> Any:
    """The value of a sync call, or of a coroutine run to completion."""
    if not asynchronous:
        return value

    async def wait() -> Any:
        return await value

    return asyncio.run(wait())


MODES = pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])


@MODES
def test_v3_read_waits_for_retry_after_then_succeeds(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    car.fault(kind="rate_limit", retry_after=1, count=1)
    client = v3_client(car, fake.policy(), asynchronous)
    signal = run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).signal("odometer-traveleddistance"))
    assert signal.ok and signal.value > 0
    assert fake.slept == [1.0]  # Retry-After honoured (longer than the 0.5 s backoff)
    assert car.faults() == []  # the one rate-limited answer was consumed


@MODES
def test_v3_server_errors_are_retried_for_reads(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    car.fault(kind="server", count=2)
    client = v3_client(car, fake.policy(), asynchronous)
    attributes = run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).attributes())
    assert attributes.make == "TESLA" and attributes.id == car.vehicle_id
    assert fake.slept == [0.5, 1.0] and car.faults() == []


@MODES
def test_v3_command_is_not_retried(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    car.fault(kind="server", count=3)
    client = v3_client(car, fake.policy(), asynchronous)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).lock())
    assert caught.value.status_code == 500 and caught.value.type == "SERVER"
    (rule,) = car.faults()
    assert rule["hits"] == 1 and rule["remaining"] == 2  # exactly one request reached the emulator
    assert fake.slept == []


@MODES
def test_max_retries_zero_turns_retries_off(car: Car, asynchronous: bool) -> None:
    car.fault(kind="rate_limit", retry_after=1, count=2)
    cls = smartcar.AsyncClient if asynchronous else smartcar.Client
    client = cls(car.client_id, car.client_secret, max_retries=0)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).attributes())
    assert caught.value.status_code == 429 and caught.value.retry_after == "1"
    assert car.faults()[0]["hits"] == 1


@MODES
def test_budget_exhausted_raises_with_retry_after(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    car.fault(kind="rate_limit", retry_after=60, count=5)
    client = v3_client(car, fake.policy(budget=30), asynchronous)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).attributes())
    assert (caught.value.status_code, caught.value.type, caught.value.code) == (429, "RATE_LIMIT", "VEHICLE")
    assert caught.value.retry_after == "60"
    assert fake.slept == [] and car.faults()[0]["hits"] == 1  # a 60 s wait never fits in 30 s


@MODES
def test_retries_stop_after_max_retries_with_the_last_error(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    car.fault(kind="rate_limit", retry_after=1, count=10)
    client = v3_client(car, fake.policy(max_retries=2), asynchronous)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).signals_page())
    assert caught.value.retry_after == "1" and fake.slept == [1.0, 1.0]
    assert car.faults()[0]["hits"] == 3


# -- The official surface: off by default, process-wide opt-in, every attempt through requester -------------------
def test_official_surface_does_not_retry_by_default(car: Car) -> None:
    assert _transport.retry_policy().max_retries == 0
    car.fault(kind="rate_limit", retry_after=1, count=1)
    with mock.patch("smartcar.helpers.requester", wraps=helpers.requester) as spy:
        with pytest.raises(SmartcarException) as caught:
            smartcar.Vehicle(car.vehicle_id, car.access_token).odometer()
    assert caught.value.status_code == 429 and caught.value.retry_after == "1" and spy.call_count == 1


@MODES
def test_configure_http_enables_retries_around_requester(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    smartcar.configure_http(retry_policy=fake.policy())
    car.fault(kind="rate_limit", retry_after=1, count=1)
    name = "async_requester" if asynchronous else "requester"
    with mock.patch(f"smartcar.helpers.{name}", wraps=getattr(helpers, name)) as spy:
        cls = smartcar.AsyncVehicle if asynchronous else smartcar.Vehicle
        odometer = run(asynchronous, cls(car.vehicle_id, car.access_token).odometer())
    assert odometer.distance > 0 and fake.slept == [1.0]
    assert spy.call_count == 2  # a patched requester sees each attempt
    car.fault(kind="server", count=2)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, (smartcar.AsyncVehicle if asynchronous else smartcar.Vehicle)(
            car.vehicle_id, car.access_token).lock())
    assert caught.value.status_code == 500 and car.faults()[0]["remaining"] == 1  # command: one request
    user = run(asynchronous, (smartcar.aio.get_user if asynchronous else smartcar.get_user)(car.access_token))
    assert user.id == car.user_id


def test_configure_http_max_retries_keeps_the_pool_and_resets() -> None:
    pool = _transport.get_transport()
    smartcar.configure_http(max_retries=3, retry_budget=10)
    try:
        assert _transport.get_transport() is pool
        assert (_transport.retry_policy().max_retries, _transport.retry_policy().budget) == (3, 10)
    finally:
        smartcar.configure_http()
    assert _transport.retry_policy().max_retries == 0


# -- Retry-After as an HTTP date (stub) and connection failures (mock transports) --------------------------------
def test_retry_after_http_date_from_a_stub(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "API_ORIGIN", stub.url)
    now = 1_700_000_000.0
    date = format_datetime(datetime.fromtimestamp(now + 3, timezone.utc), usegmt=True)
    stub.reply = Reply(429, {"type": "RATE_LIMIT", "code": "SMARTCAR_API", "description": "slow down",
                             "statusCode": 429, "requestId": "r"}, {"Retry-After": date})
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        stub.reply = Reply(200, {"id": "the-user"}, {"sc-request-id": "r2"})

    smartcar.configure_http(retry_policy=RetryPolicy(sleep=sleep, wall_clock=lambda: now, random=lambda: 1.0))
    try:
        assert smartcar.get_user("tok").id == "the-user"
    finally:
        smartcar.configure_http()
    assert slept == [3.0] and len(stub.seen) == 2


def mock_client(asynchronous: bool, failure: type[httpx2.TransportError], calls: list[str]) -> Any:
    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/oauth2/token"):
            return httpx2.Response(200, json={"access_token": "app-token", "expires_in": 3600})
        raise failure("injected", request=request)

    transport: Any = httpx2.MockTransport(handler)
    return httpx2.AsyncClient(transport=transport) if asynchronous else httpx2.Client(transport=transport)


@MODES
@pytest.mark.parametrize(("failure", "command_attempts"), [(httpx2.ConnectError, 3), (httpx2.ReadTimeout, 1)])
def test_connection_failures(asynchronous: bool, failure: type[httpx2.TransportError], command_attempts: int,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads retry either failure; a command only when it never reached the server (connect error)."""
    monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", "http://smartcar.invalid")
    monkeypatch.setattr(config, "IAM_ORIGIN", "http://smartcar.invalid")
    fake, calls = FakeTime(), []
    http = mock_client(asynchronous, failure, calls)
    cls = smartcar.AsyncClient if asynchronous else smartcar.Client
    client = cls("id", "secret", retry_policy=fake.policy(), http_client=http)
    vehicle = client.vehicle("vid", "uid")
    with pytest.raises(SmartcarException) as read:
        run(asynchronous, vehicle.attributes())
    assert read.value.message == "SDK_ERROR" and isinstance(read.value.__cause__, failure)
    assert calls.count("GET /v3/vehicles/vid") == 3
    with pytest.raises(SmartcarException) as command:
        run(asynchronous, vehicle.lock())
    assert isinstance(command.value.__cause__, failure)
    assert calls.count("POST /v3/vehicles/vid/commands/security/lock") == command_attempts


def test_retries_are_logged_at_debug_without_tokens(car: Car, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime()
    car.fault(kind="rate_limit", retry_after=1, count=1)
    smartcar.configure_http(retry_policy=fake.policy())
    with caplog.at_level(logging.DEBUG, logger="smartcar.retry"):
        smartcar.Vehicle(car.vehicle_id, car.access_token, {"flags": {"secret": "x"}}).odometer()
    (record,) = [r for r in caplog.records if r.name == "smartcar.retry"]
    text = record.getMessage()
    assert record.levelno == logging.DEBUG and text.startswith("smartcar: retrying GET ")
    assert "429 RATE_LIMIT:VEHICLE (Retry-After 1)" in text and "attempt 2 of 3" in text
    assert car.access_token not in text and "flags" not in text


def test_which_requests_are_repeatable_is_decided_in_the_shared_builders() -> None:
    car = smartcar.Vehicle("vid", "tok")
    assert car.read_call("odometer").spec.is_repeatable and car.batch_call(["/odometer"]).spec.is_repeatable
    assert not car.action_call("security", "lock", {"action": "LOCK"}).spec.is_repeatable
    assert not car.disconnect_call().spec.is_repeatable and not car.subscribe_call("wh").spec.is_repeatable
    assert car.request_call("GET", "x").spec.is_repeatable and not car.request_call("POST", "x").spec.is_repeatable
    auth = smartcar.AuthClient("id", "secret", "https://ex.com/cb")
    # A code works once and a refresh token rotates: those grants are sent again only when they never left.
    assert not auth.exchange_code_call("code").spec.is_repeatable
    assert not auth.exchange_refresh_token_call("rt").spec.is_repeatable
    assert smartcar.Client("id", "secret")._token_spec().is_repeatable  # client credentials: safe to repeat
    assert smartcar.smartcar.user_call("tok").spec.is_repeatable
    assert not smartcar.smartcar.delete_connections_call(AMT, {"user_id": "u"}).spec.is_repeatable



# -- Token grants are not sent twice once they may have reached the platform ----------------------------------
@pytest.mark.parametrize("grant", ["refresh_token", "authorization_code"])
def test_a_rotating_grant_is_not_resent_after_a_server_answer(grant: str, stub: StubServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A 503 may come after the platform rotated the refresh token (or used the code): resending would be a
    replay, which a strict server answers by revoking the chain. The application token grant is a read."""
    monkeypatch.setattr(config, "AUTH_ORIGIN", f"{stub.url}/oauth/token")
    stub.reply = Reply(503, {"error": "server_error", "error_description": "try later"})
    fake = FakeTime()
    smartcar.configure_http(retry_policy=fake.policy())
    try:
        client = smartcar.AuthClient("id", "secret", "http://localhost:8000/exchange", mode="test")
        with pytest.raises(SmartcarException):
            if grant == "refresh_token":
                client.exchange_refresh_token("a-refresh-token")
            else:
                client.exchange_code("a-code")
    finally:
        smartcar.configure_http()
    assert len(stub.seen) == 1


def test_a_grant_that_never_left_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcar_emulator.server import free_port

    monkeypatch.setattr(config, "AUTH_ORIGIN", f"http://127.0.0.1:{free_port()}/oauth/token")  # refused
    fake = FakeTime()
    attempts: list[float] = []
    smartcar.configure_http(retry_policy=fake.policy(sleep=attempts.append))
    try:
        with pytest.raises(SmartcarException) as refused:
            smartcar.AuthClient("id", "secret", "http://x/cb", mode="test").exchange_refresh_token("rt")
    finally:
        smartcar.configure_http()
    assert isinstance(refused.value.__cause__, httpx2.ConnectError)
    assert len(attempts) == 2  # two waits: three attempts, none of which reached a server


def test_the_application_token_grant_is_retried_as_a_read(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "IAM_ORIGIN", stub.url)
    monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", stub.url)
    stub.reply = Reply(503, {"type": "SERVER", "code": "INTERNAL", "description": "down", "statusCode": 503,
                             "requestId": "r"})
    fake = FakeTime()
    client = smartcar.Client("id", "secret", retry_policy=fake.policy())
    with pytest.raises(SmartcarException):
        client.vehicle("vid", "uid").attributes()
    assert len(stub.seen) == 3 and all(s.path.endswith("/oauth2/token") for s in stub.seen)


# -- OAuth-format 5xx from the token endpoints (the emulator's `token` fault rules) --------------------------------
def token_fault(car: Car, **spec: Any) -> dict[str, Any]:
    response = httpx2.post(f"{car.url}/_emulator/faults", json={"kind": "token", **spec})
    assert response.status_code == 201, response.text
    return dict(response.json())


def token_rules(car: Car) -> list[dict[str, Any]]:
    return [rule for rule in httpx2.get(f"{car.url}/_emulator/faults").json()["faults"] if rule["kind"] == "token"]


@MODES
@pytest.mark.parametrize("description", ["Try again later.", None], ids=["with-description", "without"])
def test_an_oauth_format_5xx_on_the_application_token_is_retried(car: Car, asynchronous: bool,
                                                                 description: str | None) -> None:
    """``{"error": "temporarily_unavailable"}`` with a 503 is a 5xx like any other: the application token
    request (a read) is retried, and the read behind it succeeds. Without ``error_description`` it used to be
    a bare SDK_ERROR with no status, which the policy could not classify (one attempt)."""
    fake = FakeTime()
    token_fault(car, grant_type="client_credentials", status=503, description=description, count=2)
    client = v3_client(car, fake.policy(), asynchronous)
    attributes = run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).attributes())
    assert attributes.id == car.vehicle_id
    assert fake.slept == [0.5, 1.0] and token_rules(car) == []  # two 503s, then the token


@MODES
def test_an_oauth_format_5xx_carries_status_request_id_and_retry_after(car: Car, asynchronous: bool) -> None:
    fake = FakeTime()
    token_fault(car, grant_type="client_credentials", status=503, description=None, retry_after=3, count=5)
    client = v3_client(car, fake.policy(max_retries=1), asynchronous)
    with pytest.raises(SmartcarException) as caught:
        run(asynchronous, client.vehicle(car.vehicle_id, car.user_id).attributes())
    error = caught.value
    assert (error.status_code, error.type, error.message) == (503, "temporarily_unavailable", "temporarily_unavailable")
    assert error.request_id and len(error.request_id) == 36  # the emulator's SC-Request-Id (a UUID)
    assert error.retry_after == "3" and fake.slept == [3.0]  # Retry-After honoured over the 0.5 s backoff
    assert token_rules(car)[0]["hits"] == 2


@MODES
@pytest.mark.parametrize("grant", ["refresh_token", "authorization_code"])
def test_an_oauth_format_5xx_on_a_rotating_grant_is_not_resent(car: Car, asynchronous: bool, grant: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Same status, same classification, but a code or refresh token grant that got an answer reached the
    platform: it is not sent again (see AuthClient._token_call), as for a 5xx in any other format."""
    monkeypatch.setattr(config, "AUTH_ORIGIN", f"{car.url}/oauth/token")
    fake = FakeTime()
    token_fault(car, grant_type=grant, status=503, count=3)
    smartcar.configure_http(retry_policy=fake.policy())
    cls = smartcar.AsyncAuthClient if asynchronous else smartcar.AuthClient
    client = cls(car.client_id, car.client_secret, REDIRECT, mode="simulated")
    with pytest.raises(SmartcarException) as caught:
        if grant == "refresh_token":
            run(asynchronous, client.exchange_refresh_token("a-refresh-token"))
        else:
            run(asynchronous, client.exchange_code("a-code"))
    error = caught.value
    assert (error.status_code, error.type) == (503, "temporarily_unavailable") and error.request_id
    assert error.message == "The token endpoint is temporarily unavailable (injected fault)."
    assert token_rules(car)[0]["hits"] == 1 and fake.slept == []  # one request reached the emulator
