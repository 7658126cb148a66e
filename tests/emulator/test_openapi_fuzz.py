"""Schemathesis over the emulator's own ``/openapi.json``: every documented operation gets generated (valid
and invalid) path parameters, queries, headers and bodies, sent for real to a dedicated emulator over
loopback; none may answer a 5xx, and every body must match what the document says of it. Bounded: a few examples per operation, a few seconds in all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis.checks import response_schema_conformance
from hypothesis import HealthCheck, Phase, settings

from smartcar_emulator.app import create_app
from smartcar_emulator.server import EmulatorServer

schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[EmulatorServer]:
    """An emulator of its own: the run adds faults, moves the clock and may reset everything."""
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=["http://localhost:8000/exchange"], client_id="fuzz",
                              client_secret="fuzz-secret", amt="fuzz-amt")
        yield emulator


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_5xx(case: schemathesis.Case, fuzzed: EmulatorServer) -> None:
    response = case.call(base_url=fuzzed.url, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    # What the document says of a body (success bodies and the API's error shapes) is what the body is.
    case.validate_response(response, checks=[response_schema_conformance])
