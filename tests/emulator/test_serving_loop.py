"""The event loop `serve` picks (serving.uvicorn_options): measured in bench/RESULTS.md, kept here on purpose."""

from __future__ import annotations

import asyncio

import httpx2

from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.serving import uvicorn_options


def test_one_process_serves_on_asyncio_and_workers_on_uvloop_when_installed() -> None:
    # One process: asyncio accepts a burst of connections at once (uvloop: one per loop iteration, ~230 ms for
    # the 32nd under load). Several workers on one socket: accepting one at a time spreads connections.
    assert uvicorn_options()["loop"] == "asyncio"
    assert uvicorn_options(workers=1)["loop"] == "asyncio"
    assert uvicorn_options(workers=2)["loop"] == "auto"


def test_embedded_server_runs_on_asyncio_and_answers_a_burst_of_new_connections() -> None:
    with EmulatorServer() as emulator:
        factory = emulator._server.config.get_loop_factory()  # noqa: SLF001 - the loop uvicorn runs it on
        assert factory is not None
        loop = factory()
        try:
            assert type(loop).__module__.startswith("asyncio")
        finally:
            loop.close()

        async def burst() -> list[int]:
            async with httpx2.AsyncClient(limits=httpx2.Limits(max_connections=32)) as http:
                answers = await asyncio.gather(*(http.get(f"{emulator.url}/health") for _ in range(32)))
            return [a.status_code for a in answers]

        assert asyncio.run(burst()) == [200] * 32
