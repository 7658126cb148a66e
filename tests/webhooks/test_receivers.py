"""The SDK's Flask and Starlette/FastAPI receivers on real loopback servers, fed by the emulator: VERIFY answered,
events handled once (a resend is a duplicate), a tampered body refused."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
import uvicorn
from werkzeug.serving import make_server

from smartcar import webhooks
from smartcar_emulator.server import free_port

from .conftest import AMT, Setup
from .receiver import wait_for


def serve_flask(handler: Callable[[webhooks.Event], None]) -> tuple[str, Callable[[], None]]:
    from flask import Flask

    from smartcar.webhooks.flask import register

    app = Flask("receiver")
    register(app, "/hooks", AMT, handler)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/hooks", server.shutdown


def serve_starlette(handler: Callable[[webhooks.Event], Any]) -> tuple[str, Callable[[], None]]:
    from fastapi import FastAPI

    from smartcar.webhooks.starlette import endpoint

    app = FastAPI()
    app.add_route("/hooks", endpoint(AMT, handler), methods=["POST"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn")

    def stop() -> None:
        server.should_exit = True
        thread.join(5)

    return f"http://127.0.0.1:{port}/hooks", stop


@pytest.fixture(params=["flask", "starlette-sync", "starlette-async"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[webhooks.Event]]]:
    handled: list[webhooks.Event] = []
    if request.param == "flask":
        url, stop = serve_flask(handled.append)
    elif request.param == "starlette-sync":
        url, stop = serve_starlette(handled.append)
    else:
        async def handler(event: webhooks.Event) -> None:
            await asyncio.sleep(0)
            handled.append(event)

        url, stop = serve_starlette(handler)
    yield url, handled
    stop()


def test_framework_receivers_verify_handle_once_and_refuse_tampering(setup: Setup, served) -> None:
    url, handled = served
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle], url=url)  # waits until VERIFY was answered correctly
    setup.control("POST", f"/vehicles/{vehicle}/security", {"action": "UNLOCK"})
    wait_for(lambda: handled, what="the event")
    event = handled[0]
    assert isinstance(event, webhooks.VehicleStateEvent) and event.vehicle_id == vehicle
    delivery = wait_for(lambda: [d for d in setup.log(webhook_id=hook["id"], status="delivered")
                                 if d["eventType"] == "VEHICLE_STATE"], what="logged")[0]
    setup.control("POST", f"/deliveries/{delivery['id']}/resend", status=202)
    wait_for(lambda: len([d for d in setup.log(webhook_id=hook["id"], status="delivered")
                          if d["eventType"] == "VEHICLE_STATE"]) == 2, what="the resend delivered")
    assert len(handled) == 1  # the resend carried the same event id
    body = delivery["body"].encode()
    signature = webhooks.sign(body, AMT)
    tampered = httpx2.post(url, content=body.replace(b"false", b"true"), headers={"SC-Signature": signature})
    assert tampered.status_code == 401 and tampered.json()["error"] == "invalid_signature"
    unsigned = httpx2.post(url, content=body)
    assert unsigned.status_code == 401
    assert len(handled) == 1
