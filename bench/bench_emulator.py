#!/usr/bin/env python
"""Benchmark: emulator throughput and p50/p99 latency of a simple read, 1 and 2 uvicorn workers.

``GET /v2.0/vehicles/{id}/odometer`` with a valid token (test-mode Tesla), on a SQLite file shared by the
workers, driven by ``wrk`` on loopback (``apt-get install wrk``; without it, an async httpx2 load generator,
which needs a core of its own and so reports less). The load generator competes with the server for the
machine's cores. The server runs with ``smartcar-emulator serve``'s options (``serving.uvicorn_options``);
``--loop asyncio,uvloop`` compares event loops. Usage:
``.venv/bin/python bench/bench_emulator.py [--runs 3] [--duration 8] [--loop asyncio,uvloop]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _emulator as emu  # noqa: E402


_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


def wrk(url: str, token: str, duration: int, connections: int) -> tuple[float, float, float, float, float]:
    """(reads/s, p50, p99, p99.9, max ms) of one wrk run; wrk opens its connections at the start of the run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_REPORT)
        script.flush()
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", script.name,
                              "-H", f"Authorization: Bearer {token}", url],
                             capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no result in wrk's output:\n{out}")
    requests, micros, p50, p99, p999, worst, errors = (int(g) for g in found.groups())
    if errors:
        raise RuntimeError(f"errors during the run:\n{out}")
    return requests / (micros / 1e6), p50 / 1000, p99 / 1000, p999 / 1000, worst / 1000


def httpx2_load(url: str, token: str, duration: int, connections: int) -> tuple[float, float, float, float, float]:
    import httpx2

    async def run() -> tuple[float, float, float, float, float]:
        latencies: list[float] = []
        limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx2.AsyncClient(limits=limits, headers={"Authorization": f"Bearer {token}"}) as http:
            end = time.perf_counter() + duration

            async def worker() -> None:
                while time.perf_counter() < end:
                    start = time.perf_counter()
                    response = await http.get(url)
                    response.raise_for_status()
                    latencies.append(time.perf_counter() - start)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - started
        latencies.sort()
        return (len(latencies) / elapsed, latencies[len(latencies) // 2] * 1000,
                latencies[int(len(latencies) * 0.99)] * 1000, latencies[int(len(latencies) * 0.999)] * 1000,
                latencies[-1] * 1000)

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--load", choices=["wrk", "httpx2"], default="wrk" if shutil.which("wrk") else "httpx2")
    parser.add_argument("--loop", default="", help="event loops to compare, e.g. asyncio,uvloop (default: serve's)")
    args = parser.parse_args()
    load = wrk if args.load == "wrk" else httpx2_load
    loops: list[str | None] = [loop for loop in args.loop.split(",") if loop] or [None]
    rows = []
    with emu.temp_db() as db:
        info = emu.prepare(db)
        for workers in (int(w) for w in args.workers.split(",")):
            for loop in loops:
                with emu.served(db, workers, loop) as url:
                    target = f"{url}/v2.0/vehicles/{info['vid']}/odometer"
                    load(target, info["token"], 2, args.connections)  # warm-up
                    results = [load(target, info["token"], args.duration, args.connections)
                               for _ in range(args.runs)]
                rows.append((workers, loop or "serve's", [list(r) for r in zip(*results)]))
    print(f"Emulator throughput, `GET /v2.0/vehicles/{{id}}/odometer`: {emu.machine()}; load generator {args.load}, "
          f"{args.connections} connections opened at the start of each run, {args.runs} runs x {args.duration} s; "
          "median (min–max)\n")
    print("| workers | loop | reads/s (target: 1 worker >= 1,200, 2 >= 2,000) | p50 ms | "
          "p99 ms (target: 1 worker < 50, 2 < 30) | p99.9 ms | max ms |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for workers, loop, (rps, p50, p99, p999, worst) in rows:
        print(f"| {workers} | {loop} | {emu.fmt(rps, 0)} | {emu.fmt(p50, 1)} | {emu.fmt(p99, 1)} | "
              f"{emu.fmt(p999, 1)} | {emu.fmt(worst, 1)} |")


if __name__ == "__main__":
    main()
