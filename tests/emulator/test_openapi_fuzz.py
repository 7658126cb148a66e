"""Schemathesis over the emulator's own ``/openapi.json``: every documented operation gets generated (valid
and invalid) path parameters, queries, headers and bodies, sent for real to a dedicated emulator over
loopback; none may answer a 5xx (beyond the API's own 501 "vehicle not capable"), and every body must match what
the document says of it. Bounded: a few examples per operation, a few seconds in all.

So that the handlers behind authentication are fuzzed too, not only the refusal in front of them, an operation
whose document names one kind of credential gets a valid one: the application's Basic credentials
(compatibility), its management token (management API v2), an application token (Management API v3, compatible
vehicles), or a connected test vehicle's user token with that vehicle's id in place of the generated
``vehicle_id`` (vehicle API v1.0/v2.0; fault rules an earlier case added are cleared first, since an injected
SERVER fault answers 500 on purpose). The vehicle API v3 (which takes an application token with ``sc-user-id``, or a
user token) gets the application token and the connected user's id, or every third case that user's token; most
cases also get that vehicle's id, its user's id and connection id, a catalogue signal code, a documented command,
schedule type, and the ids of executions and schedules earlier cases created, so the handlers run past
authentication; every fifth case keeps its generated path parameters and headers, for the refusals. The other
operations keep the generated headers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import schemathesis
from schemathesis.checks import response_schema_conformance
from hypothesis import HealthCheck, Phase, settings

from smartcar_emulator.app import create_app
from smartcar_emulator.platform.commands import COMMANDS, SCHEDULE_TYPES
from smartcar_emulator.platform.errors import ApiError
from smartcar_emulator.platform.permissions import KNOWN
from smartcar_emulator.platform.signals import SIGNALS
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

schema = schemathesis.openapi.from_dict(create_app().openapi())

REDIRECT_URI = "http://localhost:8000/exchange"
APP = {"client_id": "fuzz", "client_secret": "fuzz-secret", "amt": "fuzz-amt"}


# Bodies the v3 commands and charge schedules accept, sent in every other case (the generated ones rarely are).
COMMAND_BODIES: dict[str, dict[str, Any]] = {
    "charge/set-limit": {"data": {"attributes": {"percent": 80}}},
    "navigation/set-destination": {"data": {"attributes": {"latitude": 37.77, "longitude": -122.42}}}}
SCHEDULE_BODY = {"data": {"attributes": {"location": {"latitude": 37.77, "longitude": -122.42}, "startTime": "22:00",
                                         "stopTime": "06:00", "days": ["MONDAY", "FRIDAY"]}}}


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Credentials:
    """Valid credentials for the operations that take exactly one kind, re-made when the run has destroyed them
    (``/_emulator/reset`` forgets the application, ``DELETE .../application`` disconnects the vehicle)."""

    def __init__(self, emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.session: dict[str, Any] | None = None
        self.cases: dict[str, int] = {}  # v3 cases seen per operation: which credentials and ids the next one gets
        # ids earlier answers named: executions of commands, of charge-schedule operations, and schedules
        self.known: dict[str, list[str]] = {"command-execution": [], "charge-schedule-execution": [],
                                            "schedule_id": []}

    def _application(self) -> None:
        app = self.emulator.platform.apps.get(APP["client_id"])
        if app is None or (app.client_secret, app.amt) != (APP["client_secret"], APP["amt"]):
            self.emulator.register_app(redirect_uris=[REDIRECT_URI], **APP)

    def _user(self) -> dict[str, Any]:
        platform = self.emulator.platform
        session = self.session
        if session is not None:
            try:
                platform.user_token(session["access_token"])
                alive = bool(platform.connections.search(APP["client_id"], session["user_id"],
                                                         session["vehicle_ids"][0]))
            except ApiError:
                alive = False
            if alive:
                return session
        self.session = connect(self.emulator.url, APP["client_id"], APP["client_secret"], REDIRECT_URI,
                               sorted(KNOWN), make="TESLA", mode="test", email="fuzz@example.com")
        return self.session

    def _v3_ids(self, case: schemathesis.Case, number: int, session: dict[str, Any]) -> None:
        """Path parameters made ones the handlers find: the connected vehicle, its user and connection, a catalogue
        signal, a documented command and schedule type, an execution or schedule an earlier case created."""
        params = case.path_parameters
        if not params:
            return
        vehicle_id, user_id = session["vehicle_ids"][0], session["user_id"]
        picks: dict[str, list[str]] = {
            "vehicle_id": [vehicle_id], "user_id": [user_id],
            "connection_id": [c.id for c in self.emulator.platform.connections.search(APP["client_id"], user_id,
                                                                                      vehicle_id)],
            "signal_code": [spec.code for spec in SIGNALS], "schedule_type": list(SCHEDULE_TYPES),
            "schedule_id": self.known["schedule_id"],
            "execution_id": self.known["command-execution" if "/command-executions/" in case.path
                                       else "charge-schedule-execution"]}
        for name, choices in picks.items():
            if name in params and choices:
                params[name] = choices[number * 17 % len(choices)]  # a stride, so six cases spread over a list
        if "domain" in params and "action" in params:
            params["domain"], params["action"] = list(COMMANDS)[number * 17 % len(COMMANDS)].split("/")
            if number % 4 != 3:  # and most a body the command takes
                case.body = COMMAND_BODIES.get(f"{params['domain']}/{params['action']}", {})
        if "schedule_type" in params and case.method == "POST" and number % 4 != 3:
            case.body = SCHEDULE_BODY

    def _v3(self, case: schemathesis.Case) -> dict[str, str]:
        """Vehicle API v3: the application token and ``sc-user-id``, or (every third case on a vehicle path) the
        user's token; connections and users take the application token alone."""
        self.emulator.platform.faults.clear()
        number = self.cases[case.operation.label] = self.cases.get(case.operation.label, -1) + 1
        session = self._user()
        # every third case asynchronous: the execution answers 202 PENDING and completes when next read
        self.emulator.platform.commands.async_seconds = 0.01 if number % 3 == 1 else 0.0
        if number % 5 == 4:  # the generated ids and headers: the refusals
            token, _ = self.emulator.platform.tokens.issue_application_token(APP["client_id"])
            return {"Authorization": f"Bearer {token}"}
        self._v3_ids(case, number, session)
        if number % 3 == 2 and case.path.startswith("/v3/vehicles/"):
            return {"Authorization": f"Bearer {session['access_token']}"}
        token, _ = self.emulator.platform.tokens.issue_application_token(APP["client_id"])
        return {"Authorization": f"Bearer {token}", "sc-user-id": session["user_id"]}

    def observe(self, response: Any) -> None:
        """Remember the execution and schedule ids an answer names, for later cases' path parameters."""
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError):
            return
        if isinstance(data, dict) and data.get("type") in ("command-execution", "charge-schedule-execution"):
            for name, value in ((data["type"], data.get("id")),
                                ("schedule_id", (data.get("attributes") or {}).get("scheduleId"))):
                if isinstance(value, str) and value not in self.known[name]:
                    self.known[name].append(value)

    def apply(self, case: schemathesis.Case) -> dict[str, str] | None:
        """The headers to send (replacing generated ones), and the case's vehicle id made a connected one."""
        security = case.operation.definition.raw.get("security") or []
        if sorted(map(list, security)) == [["applicationToken"], ["userToken"]]:
            self._application()
            return self._v3(case)
        if len(security) != 1 or len(security[0]) != 1:
            return None
        scheme = next(iter(security[0]))
        self._application()
        if scheme == "applicationToken" and case.path.startswith(("/v3/connections/", "/v3/users/")):
            return self._v3(case)
        if scheme == "clientCredentials":
            return {"Authorization": _basic(APP["client_id"], APP["client_secret"])}
        if scheme == "managementToken":
            return {"Authorization": _basic("default", APP["amt"])}
        if scheme == "applicationToken":
            token, _ = self.emulator.platform.tokens.issue_application_token(APP["client_id"])
            return {"Authorization": f"Bearer {token}"}
        if scheme == "userToken":
            self.emulator.platform.faults.clear()  # a fault rule the run added answers 5xx on purpose
            session = self._user()
            if "vehicle_id" in (case.path_parameters or {}):
                case.path_parameters["vehicle_id"] = session["vehicle_ids"][0]
            return {"Authorization": f"Bearer {session['access_token']}"}
        return None


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[EmulatorServer, Credentials]]:
    """An emulator of its own: the run adds faults, moves the clock and may reset everything."""
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT_URI], **APP)
        yield emulator, Credentials(emulator)


def _not_capable(response: Any) -> bool:
    """The API's own 501: the vehicle lacks what the endpoint reads (a Tesla's fuel tank, another make's
    make-specific endpoint), in the request's error format; not a server failure."""
    if response.status_code != 501:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and (body.get("type") == "COMPATIBILITY"
                                       or body.get("error") == "vehicle_not_capable_error")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_5xx(case: schemathesis.Case, fuzzed: tuple[EmulatorServer, Credentials]) -> None:
    emulator, credentials = fuzzed
    response = case.call(base_url=emulator.url, timeout=30, headers=credentials.apply(case))
    credentials.observe(response)
    assert response.status_code < 500 or _not_capable(response), \
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    # What the document says of a body (success bodies and the API's error shapes) is what the body is.
    case.validate_response(response, checks=[response_schema_conformance])


# What the run found, each checked on its own (the shared emulator, real HTTP) -----------------------------------
def _app_token(emulator: EmulatorServer, application: Any) -> str:
    response = httpx2.post(f"{emulator.url}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": application.client_id,
        "client_secret": application.client_secret})
    return str(response.json()["access_token"])


def test_a_connection_is_answered_in_its_documented_shape(emulator, application, connect_vehicle):
    """``GET /v3/connections/{id}`` answers ``{"data": <connection>}`` (reference §8.1); the document said a bare
    resource."""
    session = connect_vehicle(make="TESLA", email="fuzz-connection@example.com")
    token = _app_token(emulator, application)
    connections = httpx2.get(f"{emulator.url}/v3/connections", headers={"Authorization": f"Bearer {token}"},
                             params={"filter[userId]": session["user_id"]}).json()["data"]
    response = httpx2.get(f"{emulator.url}/v3/connections/{connections[0]['id']}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["data"]["type"] == "connection"
    assert schema["/v3/connections/{connection_id}"]["GET"].is_valid_response(response)


@pytest.mark.parametrize(("method", "path"), [("GET", "/v3/connections"), ("GET", "/v3/connections/{connection_id}"),
                                              ("DELETE", "/v3/connections/{connection_id}"),
                                              ("DELETE", "/v3/users/{user_id}")])
def test_connections_and_users_are_documented_for_the_application_token_alone(emulator, connect_vehicle, method,
                                                                               path):
    """They take the application token and refuse a user's (401); the document offered both."""
    assert schema[path][method].definition.raw["security"] == [{"applicationToken": []}]
    session = connect_vehicle(make="TESLA", email="fuzz-user-token@example.com")
    url = path.format(connection_id="any", user_id=session["user_id"])
    response = httpx2.request(method, f"{emulator.url}{url}",
                              headers={"Authorization": f"Bearer {session['access_token']}"})
    assert response.status_code == 401 and response.json()["errors"][0]["type"] == "AUTHENTICATION"
