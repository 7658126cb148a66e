#!/usr/bin/env python
"""Benchmark: read the odometer of 1,000 vehicles (one user token, API v2) against one emulator.

* ours: ``smartcar.fleet.Fleet.snapshot_v2`` (async API; sync httpx2.Client in a thread pool of ``--concurrency``);
* official ``smartcar==6.19.1`` in a plain loop (its own venv, ``bench/.venv-official``);
* official in a 32-thread pool;
* raw pooled ``httpx2.Client`` in a thread pool of ``--concurrency`` (the floor for ours), and the same with the
  legacy ``httpx`` when it is installed (for comparison);
* with ``--baseline-src DIR``: ours imported from another checkout (e.g. the last commit on httpx).

The emulator is served by uvicorn from a SQLite file (``--workers``, default 1) in its own process; each client
runs in its own process. Usage: ``.venv/bin/python bench/bench_fleet.py [--runs 3] [--concurrency 32]``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def client(kind: str, ids_file: str, token: str, runs: int, concurrency: int) -> None:
    """Time ``runs`` full passes over the vehicles; print ``{"seconds": [...], "ok": [...]}``."""
    ids = json.loads(Path(ids_file).read_text())
    seconds: list[float] = []
    oks: list[int] = []
    api = os.environ["SMARTCAR_API_ORIGIN"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(runs + 1):  # the first pass warms up (connections, imports, caches)
        start = time.perf_counter()
        if kind.startswith("raw-"):  # raw-httpx2 / raw-httpx: a pooled Client in a thread pool, no SDK
            from concurrent.futures import ThreadPoolExecutor

            library = importlib.import_module(kind[4:])
            limits = library.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            with library.Client(timeout=60, limits=limits) as http, ThreadPoolExecutor(concurrency) as pool:

                def raw(vid: str, http: Any = http) -> bool:
                    response = http.get(f"{api}/v2.0/vehicles/{vid}/odometer", headers=headers)
                    return response.status_code == 200 and response.json()["distance"] > 0

                ok = sum(pool.map(raw, ids))
        elif kind in ("ours", "ours-fixed", "ours-baseline"):
            import asyncio

            from smartcar import fleet

            async def run() -> int:
                options = {"adaptive": False} if kind == "ours-fixed" else {}
                async with fleet.Fleet(concurrency=concurrency, **options) as reader:
                    return sum([r.ok async for r in reader.snapshot_v2(ids, token, paths=["/odometer"])])

            ok = asyncio.run(run())
        else:
            import smartcar

            def read(vid: str) -> bool:
                try:
                    return smartcar.Vehicle(vid, token).odometer().distance > 0
                except Exception:  # noqa: BLE001 - counted as not ok
                    return False

            if kind == "official-loop":
                ok = sum(read(vid) for vid in ids)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(32) as pool:
                    ok = sum(pool.map(read, ids))
        seconds.append(time.perf_counter() - start)
        oks.append(ok)
    print(json.dumps({"seconds": seconds[1:], "ok": oks[1:]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--baseline-src", help="also time our fleet from this checkout (its src/ first on "
                        "PYTHONPATH), e.g. a worktree of the last commit on httpx")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return client(args.client, args.ids, args.token, args.runs, args.concurrency)

    sys.path.insert(0, str(HERE))
    import _emulator as emu

    official = str(emu.ensure_official_venv())
    fleets = [("500-vehicles@smartcar.com", "TESLA"), ("500-vehicles@smartcar.com", "BMW")]
    results: dict[str, dict[str, list[float]]] = {}
    with emu.temp_db() as db:
        info = emu.prepare(db, fleets)
        ids = info["fleet_ids"]
        assert len(ids) == 1000, len(ids)
        ids_file = Path(db).with_name("ids.json")
        ids_file.write_text(json.dumps(ids))
        kinds = [("ours", sys.executable), ("ours-fixed", sys.executable), ("official-loop", official),
                 ("official-threads", official),
                 ("raw-httpx2", sys.executable)]
        if importlib.util.find_spec("httpx") is not None:
            kinds.append(("raw-httpx", sys.executable))
        if args.baseline_src:
            kinds.append(("ours-baseline", sys.executable))
        with emu.served(db, args.workers) as url:
            for kind, python in kinds:
                argv = [python, str(Path(__file__).resolve()), "--client", kind, "--ids", str(ids_file),
                        "--token", info["fleet_token"], "--runs", str(args.runs), "--concurrency",
                        str(args.concurrency)]
                extra = emu.baseline_env(args.baseline_src) if kind == "ours-baseline" else None
                results[kind] = emu.run_json(argv, url, extra)
    for kind, result in results.items():
        if min(result["ok"]) != 1000:
            raise SystemExit(f"{kind}: only {min(result['ok'])} of 1000 reads succeeded")
    ours = emu.stats(results["ours"]["seconds"])[0]
    loop = emu.stats(results["official-loop"]["seconds"])[0]
    threads = emu.stats(results["official-threads"]["seconds"])[0]
    print(f"Fan-out: odometer of 1,000 vehicles (API v2, one token), {emu.machine()}; emulator: uvicorn, "
          f"{args.workers} worker(s), SQLite file; {args.runs} runs after a warm-up; seconds, median (min–max)\n")
    print("| client | seconds per 1,000 | vehicles/s | ours is faster by |")
    print("|---|---:|---:|---:|")
    labels = {"ours": f"ours: `fleet.Fleet.snapshot_v2`, concurrency {args.concurrency}",
              "ours-fixed": f"ours, `adaptive=False` (a fixed {args.concurrency} in flight)",
              "official-loop": "official 6.19.1, plain loop", "official-threads": "official 6.19.1, 32 threads",
              "raw-httpx2": f"raw `httpx2.Client`, {args.concurrency} threads (floor)",
              "raw-httpx": f"raw legacy `httpx.Client`, {args.concurrency} threads",
              "ours-baseline": f"ours from {args.baseline_src}, concurrency {args.concurrency}"}
    for kind, result in results.items():
        median = emu.stats(result["seconds"])[0]
        speedup = "—" if kind == "ours" else f"{median / ours:.1f}x"
        print(f"| {labels[kind]} | {emu.fmt(result['seconds'], 3)} | {1000 / median:.0f} | {speedup} |")
    print(f"\nTargets: >= 20x the official loop (measured {loop / ours:.1f}x), >= 2x its thread pool "
          f"(measured {threads / ours:.1f}x).")


if __name__ == "__main__":
    main()
