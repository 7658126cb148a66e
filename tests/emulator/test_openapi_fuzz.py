"""Schemathesis over the emulator's own ``/openapi.json``: every documented operation gets generated (valid
and invalid) path parameters, queries, headers and bodies, sent for real to a dedicated emulator over
loopback; none may answer a 5xx (beyond the API's own 501 "vehicle not capable"), and every body must match what
the document says of it. Bounded: a few examples per operation, a few seconds in all.

So that the handlers behind authentication are fuzzed too, not only the refusal in front of them, an operation
whose document names one kind of credential gets a valid one: the application's Basic credentials
(compatibility), its management token (management API v2), an application token (Management API v3, compatible
vehicles), or a connected test vehicle's user token with that vehicle's id in place of the generated
``vehicle_id`` (vehicle API v1.0/v2.0; fault rules an earlier case added are cleared first, since an injected
SERVER fault answers 500 on purpose). The other operations keep the generated headers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import response_schema_conformance
from hypothesis import HealthCheck, Phase, settings

from smartcar_emulator.app import create_app
from smartcar_emulator.platform.errors import ApiError
from smartcar_emulator.platform.permissions import KNOWN
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

schema = schemathesis.openapi.from_dict(create_app().openapi())

REDIRECT_URI = "http://localhost:8000/exchange"
APP = {"client_id": "fuzz", "client_secret": "fuzz-secret", "amt": "fuzz-amt"}


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Credentials:
    """Valid credentials for the operations that take exactly one kind, re-made when the run has destroyed them
    (``/_emulator/reset`` forgets the application, ``DELETE .../application`` disconnects the vehicle)."""

    def __init__(self, emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.session: dict[str, Any] | None = None

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

    def apply(self, case: schemathesis.Case) -> dict[str, str] | None:
        """The headers to send (replacing generated ones), and the case's vehicle id made a connected one."""
        security = case.operation.definition.raw.get("security") or []
        if len(security) != 1 or len(security[0]) != 1:
            return None
        scheme = next(iter(security[0]))
        self._application()
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
    assert response.status_code < 500 or _not_capable(response), \
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    # What the document says of a body (success bodies and the API's error shapes) is what the body is.
    case.validate_response(response, checks=[response_schema_conformance])
