"""Does a live login block the event loop? ``/health`` latency while live-mode Connect logins (PBKDF2 password
hashing) run concurrently, for this checkout and, with ``--baseline-src DIR``, for another one (e.g.
``git archive <commit> src | tar -x -C /tmp/before``).

Each emulator runs in its own process (one worker) on a database prepared with a live account; a probe
thread sends ``GET /health`` every 10 ms over one keep-alive connection while ``--logins`` threads walk
Connect in live mode (email + password) as fast as they can. Reported, not asserted.

Usage: ``.venv/bin/python bench/bench_login_loop.py [--baseline-src /tmp/before] [--duration 8] [--logins 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _emulator as emu  # noqa: E402

EMAIL, PASSWORD = "owner@bench.example", "bench-password"


def prepare(db: str) -> None:
    from smartcar_emulator.platform.core import Platform
    from smartcar_emulator.store import Database

    platform = Platform(Database(db))
    platform.apps.register(client_id="bench", client_secret="bench-secret", redirect_uris=[emu.REDIRECT],
                           amt="bench-amt")
    platform.accounts.add(EMAIL, PASSWORD, "FORD", 1)
    platform.db.close()


def serve(db: str, src: str | None) -> tuple[subprocess.Popen[bytes], str]:
    port = emu.free_port()
    code = ("import uvicorn; uvicorn.run('smartcar_emulator.app:app_from_env', factory=True, host='127.0.0.1', "
            f"port={port}, log_level='warning', access_log=False)")
    env = {**os.environ, "SMARTCAR_EMULATOR_DB": db}
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve() / "src")
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    url = f"http://127.0.0.1:{port}"
    import httpx2

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx2.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the emulator did not start")
        time.sleep(0.1)


def probe(url: str, seconds: float) -> list[float]:
    import httpx2

    latencies: list[float] = []
    with httpx2.Client(base_url=url) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            client.get("/health")
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
    return latencies


def logins(url: str, stop: threading.Event, done: list[int]) -> None:
    import httpx2

    from smartcar_emulator.scripted import authorize_url
    from smartcar_emulator.walker import walk

    with httpx2.Client(timeout=60) as client:
        while not stop.is_set():
            result = walk(authorize_url(url, "bench", emu.REDIRECT, ["read_odometer"], mode="live", make="FORD"),
                          email=EMAIL, password=PASSWORD, client=client)
            assert "code" in result.params, result.params
            done.append(1)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def measure(src: str | None, duration: float, threads: int) -> dict[str, Any]:
    with emu.temp_db() as db:
        prepare(db)
        process, url = serve(db, src)
        try:
            idle = probe(url, 2.0)
            stop, done = threading.Event(), []
            workers = [threading.Thread(target=logins, args=(url, stop, done)) for _ in range(threads)]
            for worker in workers:
                worker.start()
            time.sleep(0.5)
            busy = probe(url, duration)
            stop.set()
            for worker in workers:
                worker.join()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"idle_p50": statistics.median(idle), "idle_p99": percentile(idle, 99),
            "busy_p50": statistics.median(busy), "busy_p99": percentile(busy, 99), "busy_max": max(busy),
            "logins_per_s": len(done) / (duration + 0.5), "probes": len(busy)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-src", help="also measure the emulator of this checkout (its src/ first)")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--logins", type=int, default=3, help="concurrent login loops")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    variants = [("this checkout", None)] + ([(f"baseline {args.baseline_src}", args.baseline_src)]
                                           if args.baseline_src else [])
    print(f"# {emu.machine()}; {args.logins} login loops, {args.duration:g} s, {args.rounds} round(s)")
    print("| emulator | /health p50 idle | p99 idle | p50 during logins | **p99 during logins** | max | logins/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for _ in range(args.rounds):
        for name, src in variants:
            r = measure(src, args.duration, args.logins)
            print(f"| {name} | {r['idle_p50']:.2f} ms | {r['idle_p99']:.2f} ms | {r['busy_p50']:.2f} ms | "
                  f"**{r['busy_p99']:.2f} ms** | {r['busy_max']:.1f} ms | {r['logins_per_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
