"""Crash recovery with ``serve --workers 2``: ``kill -9`` of the parent takes its workers down with it (they
would otherwise keep the port), a restart on the same port and database works, and every grant and token
the emulator acknowledged before the crash is still there and still works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from smartcar_emulator.scripted import connect
from smartcar_emulator.server import free_port
from tests.conftest import REDIRECT_URI

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")

CLI = str(Path(sys.executable).with_name("smartcar-emulator"))
CLIENT_ID, CLIENT_SECRET = "crash-client", "crash-secret"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(predicate: Any, what: str, bound: float = 45.0) -> None:
    """Poll ``predicate`` (a liveness bound, not a timing assertion)."""
    deadline = time.monotonic() + bound
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def healthy(url: str) -> bool:
    try:
        return httpx2.get(f"{url}/health", timeout=2).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []
    port = free_port()

    def start() -> tuple[subprocess.Popen[bytes], str]:
        process = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--db", str(tmp_path / "emulator.db"), "--workers", "2",
             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--redirect-uri", REDIRECT_URI],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(url) or process.poll() is not None, "the emulator to start")
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        return process, url

    yield start
    for process in started:  # only what this test started: its own process groups
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def test_kill_9_of_the_parent_takes_the_workers_and_loses_no_acknowledged_write(serve: Any) -> None:
    first, url = serve()
    wait_until(lambda: len(children(first.pid)) >= 2, "two workers")
    workers = children(first.pid)
    grants = [connect(url, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, ["read_vehicle_info", "read_odometer"],
                      email=f"crash-{i}@example.com") for i in range(4)]
    for grant in grants[:2]:  # a refresh rotates: the new pair is what was acknowledged
        reply = httpx2.post(f"{url}/oauth/token", auth=(CLIENT_ID, CLIENT_SECRET),
                            data={"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]})
        assert reply.status_code == 200
        grant.update(reply.json())

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    wait_until(lambda: not any(alive(pid) for pid in workers), "the workers to die with their parent")

    _, url = serve()  # same port, same database
    for grant in grants:
        vehicles = httpx2.get(f"{url}/v2.0/vehicles", headers={"Authorization": f"Bearer {grant['access_token']}"})
        assert vehicles.status_code == 200 and vehicles.json()["vehicles"] == grant["vehicle_ids"]
        reply = httpx2.post(f"{url}/oauth/token", auth=(CLIENT_ID, CLIENT_SECRET),
                            data={"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]})
        assert reply.status_code == 200, reply.text
    connections = httpx2.get(f"{url}/_emulator/connections").json()["connections"]
    connected_users = {c["userId"] for c in connections}
    assert {grant["user_id"] for grant in grants} <= connected_users
