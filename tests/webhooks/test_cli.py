"""`smartcar-emulator serve` (its lifespan starts the delivery worker) with a webhook added by the CLI on the same
database: the running server challenges it and delivers a test event."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx2

from smartcar_emulator.server import free_port
from tests.conftest import wait_until_serving

from .conftest import AMT
from .receiver import ReceiverServer, wait_for


def test_serve_delivers_to_a_webhook_added_by_the_cli(tmp_path, receiver: ReceiverServer) -> None:
    db = str(tmp_path / "emulator.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    cli = [sys.executable, "-m", "smartcar_emulator.cli"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--db", db, "--client-id", "cli-app",
                               "--client-secret", "s", "--amt", AMT], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/health")
        added = subprocess.run([*cli, "webhooks", "add", "--db", db, "--client-id", "cli-app", "--url", receiver.url],
                               env=env, capture_output=True, text=True, check=True)
        webhook_id = added.stdout.strip()
        wait_for(lambda: any(b"VERIFY" in body for _, body, _ in receiver.requests), what="VERIFY from serve")
        control = httpx2.Client(base_url=f"http://127.0.0.1:{port}/_emulator", timeout=30)
        wait_for(lambda: control.get(f"/webhooks/{webhook_id}").json()["verification"]["status"] == "verified",
                 what="verified")
        vehicle = control.post("/vehicles", json={"make": "FORD"}).json()["id"]
        control.post(f"/webhooks/{webhook_id}/subscriptions", json={"vehicleId": vehicle}).raise_for_status()
        event_id = control.post(f"/webhooks/{webhook_id}/test").json()["eventId"]
        wait_for(lambda: receiver.handled, what="the test event")
        assert receiver.handled[0].event_id == event_id
        control.close()
    finally:
        server.terminate()
        server.wait(15)
