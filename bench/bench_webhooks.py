"""Webhook delivery (issue 15): latency from a state change to the receiver, and deliveries/s to 1,000 vehicles.

The emulator runs as ``smartcar-emulator serve`` in its own process (its delivery worker started by the lifespan);
the receiver is the SDK's Starlette endpoint (signature check, de-duplication) under uvicorn in this process.

* latency: ``-n`` times, unlock or lock one subscribed vehicle through the control API and time from sending
  the request to the receiver's handler seeing the event (and from the API's answer to it);
* throughput: ``--vehicles`` vehicles subscribed to one v3 webhook with a schedule; one clock jump makes every
  vehicle due at once; deliveries/s from the jump until the receiver handled them all; then the same number
  of state-change events (a lock command per vehicle, 16 concurrent clients) as a second shape.

    .venv/bin/python bench/bench_webhooks.py -n 200 --vehicles 1000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import uvicorn
from starlette.applications import Starlette

from smartcar import webhooks
from smartcar.webhooks.starlette import endpoint
from smartcar_emulator.server import free_port

AMT = "bench-amt"


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}  # vehicle id -> monotonic time of its latest event
        self.count = 0
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        app = Starlette()
        app.add_route("/hooks", endpoint(AMT, self.handle), methods=["POST"])
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off", access_log=False))
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.01)

    def handle(self, event: webhooks.Event) -> None:
        now = time.monotonic()
        vehicle_id = getattr(event, "vehicle_id", None)
        with self.changed:
            self.count += 1
            if vehicle_id:
                self.arrivals[vehicle_id] = now
            self.changed.notify_all()

    def wait_count(self, count: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.count < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.count} of {count} events arrived")
                self.changed.wait(left)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200, help="latency samples")
    parser.add_argument("--vehicles", type=int, default=1000)
    args = parser.parse_args()

    receiver = Receiver()
    port = free_port()
    tmp = tempfile.TemporaryDirectory(prefix="bench-webhooks-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    emulator = subprocess.Popen(
        [sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port), "--db",
         str(Path(tmp.name) / "emulator.db"), "--client-id", "bench", "--client-secret", "secret", "--amt", AMT,
         "--redirect-uri", "http://localhost:8000/exchange"], env=env, stdout=subprocess.DEVNULL)
    control = httpx2.Client(base_url=f"http://127.0.0.1:{port}/_emulator", timeout=60)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                control.get("/clock").raise_for_status()
                break
            except httpx2.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        ids = [control.post("/vehicles", json={"make": "TESLA", "model": "Model 3", "email": f"o{i % 50}@x.io"})
               .json()["id"] for i in range(args.vehicles)]
        hook = control.post("/webhooks", json={"clientId": "bench", "callbackUri": f"http://127.0.0.1:"
                                               f"{receiver.port}/hooks", "data": ["closure-islocked"]}).json()
        for start in range(0, len(ids), 1000):
            control.post(f"/webhooks/{hook['id']}/subscriptions", json={"vehicleIds": ids[start:start + 1000]})
        while control.get(f"/webhooks/{hook['id']}").json()["verification"]["status"] != "verified":
            time.sleep(0.05)

        # Latency: one vehicle, one change at a time.
        from_send, from_answer = [], []
        vehicle = ids[0]
        for i in range(args.n):
            expected = receiver.count + 1
            sent = time.monotonic()
            control.post(f"/vehicles/{vehicle}/security", json={"action": "UNLOCK" if i % 2 == 0 else "LOCK"})
            answered = time.monotonic()
            receiver.wait_count(expected)
            arrived = receiver.arrivals[vehicle]
            from_send.append((arrived - sent) * 1000)
            from_answer.append((arrived - answered) * 1000)

        # API latency while idle, then during throughput 1: does sending slow requests down?
        def probe(samples: list[float], stop: threading.Event) -> None:
            with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as health:
                while not stop.is_set():
                    began = time.monotonic()
                    health.get("/health")
                    samples.append((time.monotonic() - began) * 1000)
                    time.sleep(0.005)

        idle: list[float] = []
        stop = threading.Event()
        prober = threading.Thread(target=probe, args=(idle, stop))
        prober.start()
        time.sleep(1.5)
        stop.set()
        prober.join()

        # Throughput 1: a schedule makes every subscribed vehicle due at once.
        control.patch(f"/webhooks/{hook['id']}", json={"intervalSeconds": 3600})
        expected = receiver.count + len(ids)
        busy: list[float] = []
        stop = threading.Event()
        prober = threading.Thread(target=probe, args=(busy, stop))
        prober.start()
        started = time.monotonic()
        control.post("/clock/advance", json={"seconds": 3600})
        receiver.wait_count(expected)
        scheduled_s = time.monotonic() - started
        stop.set()
        prober.join()
        control.patch(f"/webhooks/{hook['id']}", json={"intervalSeconds": None})

        # Throughput 2: a lock command per vehicle (16 concurrent API clients), events as the simulator raises them.
        expected = receiver.count + len(ids)
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda v: control.post(f"/vehicles/{v}/security", json={"action": "UNLOCK"}),
                          ids))
        api_s = time.monotonic() - started
        receiver.wait_count(expected)
        events_s = time.monotonic() - started

        # Throughput 3: time alone: every vehicle charging, then a clock jump completes every charge (the worker
        # advances charging subscribed vehicles and the simulator raises CHARGING_COMPLETED).
        expected = receiver.count + len(ids)
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda v: control.patch(f"/vehicles/{v}/state", json={
                "battery_soc": 0.5, "plugged_in": True, "charging": True}), ids))
        receiver.wait_count(expected)  # the CHARGING_STARTED events
        expected = receiver.count + len(ids)
        started = time.monotonic()
        control.post("/clock/advance", json={"seconds": 12 * 3600})
        receiver.wait_count(expected)
        completed_s = time.monotonic() - started
        failed = control.get("/deliveries", params={"status": "failed", "limit": 1000}).json()["deliveries"]
    finally:
        control.close()
        emulator.terminate()
        emulator.wait(15)
        receiver.server.should_exit = True
        tmp.cleanup()

    print(f"cores {os.cpu_count()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}\n")
    print("| measure | value |\n|---|---|")
    print(f"| latency, request sent → receiver handled (n={args.n}) | p50 {statistics.median(from_send):.1f} ms, "
          f"p99 {pct(from_send, 0.99):.1f} ms, max {max(from_send):.1f} ms |")
    print(f"| latency, API answered → receiver handled | p50 {statistics.median(from_answer):.1f} ms, "
          f"p99 {pct(from_answer, 0.99):.1f} ms |")
    print(f"| scheduled: {len(ids)} vehicles due at once | {len(ids) / scheduled_s:.0f} deliveries/s "
          f"({scheduled_s:.2f} s) |")
    print(f"| events: {len(ids)} lock commands (16 clients) | {len(ids) / events_s:.0f} deliveries/s "
          f"({events_s:.2f} s; the commands alone {api_s:.2f} s) |")
    print(f"| time-driven: {len(ids)} charges completed by one clock jump | {len(ids) / completed_s:.0f} "
          f"deliveries/s ({completed_s:.2f} s) |")
    print(f"| `GET /health` idle | p50 {statistics.median(idle):.1f} ms, p99 {pct(idle, 0.99):.1f} ms |")
    print(f"| `GET /health` while the {len(ids)} scheduled deliveries go out | p50 {statistics.median(busy):.1f} ms, "
          f"p99 {pct(busy, 0.99):.1f} ms, max {max(busy):.1f} ms |")
    print(f"| failed deliveries | {len(failed)} |")


if __name__ == "__main__":
    main()
