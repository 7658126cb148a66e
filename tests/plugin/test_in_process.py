"""The in-process transports: the same answers as over a socket, for every kind of request, sync and async."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from smartcar_emulator.testing import Emulator, running


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    with running() as emulator:
        yield emulator


def test_in_process_and_socket_answer_alike(emulator: Emulator) -> None:
    connected = emulator.connect()
    path = f"/v2.0/vehicles/{connected.vehicle_id}"  # the attributes: the same on every read
    headers = {"Authorization": f"Bearer {connected.access_token}"}
    with httpx2.Client(base_url=emulator.url) as socket, emulator.http_client(base_url=emulator.url) as local:
        over_socket, in_process = socket.get(path, headers=headers), local.get(path, headers=headers)
        assert in_process.status_code == over_socket.status_code == 200
        assert in_process.json() == over_socket.json()
        assert in_process.headers["content-type"] == over_socket.headers["content-type"]
        # Errors, form bodies and HEAD travel too.
        refused = local.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "nope"},
                             auth=(emulator.app.client_id, emulator.app.client_secret))
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
        head, socket_head = local.head("/health"), socket.head("/health")
        assert head.status_code == socket_head.status_code and head.content == b""


def test_a_sync_call_from_inside_an_event_loop_is_served(emulator: Emulator) -> None:
    client = emulator.http_client(base_url=emulator.url)

    async def inside() -> int:
        return client.get("/health").status_code  # blocking call on a thread that runs a loop

    assert asyncio.run(inside()) == 200
    client.close()


def test_the_async_client_runs_on_the_callers_loop(emulator: Emulator) -> None:
    async def many() -> list[int]:
        async with emulator.async_http_client(base_url=emulator.url) as client:
            replies = await asyncio.gather(*(client.get("/health") for _ in range(20)))
            return [r.status_code for r in replies]

    assert asyncio.run(many()) == [200] * 20


def test_an_attached_emulator_has_no_in_process_client(emulator: Emulator) -> None:
    attached = Emulator.attach(emulator.url)
    with pytest.raises(RuntimeError, match="in-process clients need an emulator started in this process"):
        attached.http_client()
    attached.close()
