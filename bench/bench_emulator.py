#!/usr/bin/env python
"""Benchmark: emulator throughput and p50/p99 latency of a simple read, 1 and 2 uvicorn workers.

``GET /v2.0/vehicles/{id}/odometer`` with a valid token (test-mode Tesla), on a SQLite file shared by the
workers, driven by ``wrk`` on loopback (``apt-get install wrk``; without it, an async httpx2 load generator,
which needs a core of its own and so reports less). The load generator competes with the server for the
machine's cores. Usage: ``.venv/bin/python bench/bench_emulator.py [--runs 3] [--duration 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _emulator as emu  # noqa: E402


def _percentile(out: str, label: str) -> float:
    found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {label} latency in wrk's output:\n{out}")
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


def wrk(url: str, token: str, duration: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, p99 = _percentile(out, "50%"), _percentile(out, "99%")
    if "Non-2xx" in out:
        raise RuntimeError(f"errors during the run:\n{out}")
    return rps, p50, p99


def httpx2_load(url: str, token: str, duration: int, connections: int) -> tuple[float, float, float]:
    import httpx2

    async def run() -> tuple[float, float, float]:
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
                latencies[int(len(latencies) * 0.99)] * 1000)

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--load", choices=["wrk", "httpx2"], default="wrk" if shutil.which("wrk") else "httpx2")
    args = parser.parse_args()
    load = wrk if args.load == "wrk" else httpx2_load
    rows = []
    with emu.temp_db() as db:
        info = emu.prepare(db)
        for workers in (int(w) for w in args.workers.split(",")):
            with emu.served(db, workers) as url:
                target = f"{url}/v2.0/vehicles/{info['vid']}/odometer"
                load(target, info["token"], 2, args.connections)  # warm-up
                results = [load(target, info["token"], args.duration, args.connections) for _ in range(args.runs)]
            rows.append((workers, [r[0] for r in results], [r[1] for r in results], [r[2] for r in results]))
    print(f"Emulator throughput, `GET /v2.0/vehicles/{{id}}/odometer`: {emu.machine()}; load generator {args.load}, "
          f"{args.connections} connections, {args.runs} runs x {args.duration} s; median (min–max)\n")
    print("| workers | requests/s (target >= 1500 on 2 cores) | p50 ms | p99 ms (target < 50) |")
    print("|---:|---:|---:|---:|")
    for workers, rps, p50, p99 in rows:
        print(f"| {workers} | {emu.fmt(rps, 0)} | {emu.fmt(p50, 1)} | {emu.fmt(p99, 1)} |")


if __name__ == "__main__":
    main()
