"""``serve --workers N``: state each worker process keeps for itself (the clock offset, fault rules, rate and plan
limits, command timing, the delivery policy) cannot be changed through one worker, so the control API and the
panel refuse with a 409 that says why, rather than change one worker of N and leave the others as they were."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar_emulator.app import WORKERS_ENV, create_app
from smartcar_emulator.platform.core import Platform
from smartcar_emulator.testing.in_process import InProcessTransport

BASE = "http://127.0.0.1:8030"
CHANGES: list[tuple[str, str, Any]] = [
    ("PUT", "/_emulator/clock", {"timestamp": 1893484800}),
    ("POST", "/_emulator/clock/advance", {"seconds": 3600}),
    ("POST", "/_emulator/faults", {"kind": "rate_limit"}),
    ("DELETE", "/_emulator/faults", None),
    ("DELETE", "/_emulator/faults/f-1", None),
    ("PUT", "/_emulator/rate-limits", {"app": "50/s", "vehicle": None}),
    ("PUT", "/_emulator/commands", {"asyncSeconds": 5}),
    ("PUT", "/_emulator/plan-limits", {"clientId": "x", "requestsPerVehicle": 10}),
    ("PUT", "/_emulator/delivery-policy", {"retries": 1}),
]


def _client(workers: int) -> Iterator[httpx2.Client]:
    platform = Platform()
    platform.workers = workers
    with httpx2.Client(transport=InProcessTransport(create_app(platform)), base_url=BASE) as http:
        yield http


@pytest.fixture
def two_workers() -> Iterator[httpx2.Client]:
    yield from _client(2)


@pytest.fixture
def one_worker() -> Iterator[httpx2.Client]:
    yield from _client(1)


@pytest.mark.parametrize(("method", "path", "body"), CHANGES, ids=[f"{m} {p}" for m, p, _ in CHANGES])
def test_a_per_process_change_is_refused_with_two_workers(two_workers: httpx2.Client, method: str, path: str,
                                                          body: Any) -> None:
    before = {p: two_workers.get(p).json() for p in ("/_emulator/clock", "/_emulator/faults",
                                                     "/_emulator/rate-limits", "/_emulator/commands")}
    response = two_workers.request(method, path, json=body)
    assert response.status_code == 409, response.text
    error = response.json()
    assert error["type"] == "CONFLICT" and error["statusCode"] == 409 and "serve --workers 2" in error["description"]
    assert "Serve with one worker" in error["description"]
    after = {p: two_workers.get(p).json() for p in before}
    assert after["/_emulator/faults"] == before["/_emulator/faults"]
    assert after["/_emulator/rate-limits"] == before["/_emulator/rate-limits"]
    assert after["/_emulator/commands"] == before["/_emulator/commands"]
    assert abs(after["/_emulator/clock"]["timestamp"] - before["/_emulator/clock"]["timestamp"]) < 60


def test_one_worker_takes_the_same_changes(one_worker: httpx2.Client) -> None:
    for method, path, body in CHANGES:
        response = one_worker.request(method, path, json=body)
        assert response.status_code != 409, (method, path, response.text)
    assert one_worker.get("/_emulator/commands").json() == {"asyncSeconds": 5.0}


@pytest.mark.parametrize("action", ["advance", "fault_add", "faults_clear"])
def test_the_panel_says_why_it_cannot(two_workers: httpx2.Client, action: str) -> None:
    two_workers.get("/_emulator/panel")
    token = two_workers.cookies.get("smartcar_emulator_csrf")
    before = two_workers.get("/_emulator/clock").json()["timestamp"]
    answer = two_workers.post("/_emulator/panel/global", data={"do": action, "seconds": "3600", "kind": "rate_limit",
                                                               "csrf": token},
                              headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 303
    page = two_workers.get(answer.headers["location"]).text
    assert "CONFLICT" in page and "serve --workers 2" in page
    assert two_workers.get("/_emulator/faults").json()["faults"] == []
    assert two_workers.get("/_emulator/clock").json()["timestamp"] - before < 60


def test_a_worker_learns_the_count_from_serve(tmp_path: Any) -> None:
    """``serve --workers N`` exports the count; each worker's app reads it (a fresh process: the env is its own)."""
    code = ("from smartcar_emulator.app import app_from_env; import sys; "
            "sys.stdout.write(str(app_from_env().state.platform.workers))")
    for given, seen in (("3", "3"), ("1", "1"), ("", "1"), ("x", "1")):
        env = {**os.environ, "SMARTCAR_EMULATOR_DB": str(tmp_path / "w.db"), WORKERS_ENV: given}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout == seen
