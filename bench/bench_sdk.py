#!/usr/bin/env python
"""Benchmark: per-call latency of ``Vehicle.odometer()``, a 6-path ``batch()`` and a v3 signal
(``Vehicle.get_signal("odometer-traveleddistance")``).

Compares our SDK (sync ``Vehicle`` and ``AsyncVehicle``), the official ``smartcar==6.19.1`` (in
``bench/.venv-official``, created on first run), raw pooled ``httpx2`` (the floor: our HTTP client) and raw
pooled legacy ``httpx`` (for comparison, when installed), all against one emulator running in its own process.
Each client runs in its own process too, so nothing shares a GIL with the server. ``--baseline-src DIR`` also
times our sync SDK imported from another checkout (e.g. the last commit on httpx) in the same rounds.
Prints median, min and max of the per-round medians. Usage: ``.venv/bin/python bench/bench_sdk.py [-n 400]``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator import baseline_env, ensure_official_venv  # noqa: E402

HERE = Path(__file__).resolve().parent
BATCH_PATHS = ["/odometer", "/location", "/battery", "/charge", "/tires/pressure", "/vin"]
SCOPES = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
          "read_tires"]


# -- Server process ------------------------------------------------------------------------------------------
def serve() -> None:
    """Start the emulator, connect a vehicle, print its coordinates as JSON, run until stdin closes."""
    from smartcar_emulator.scripted import connect
    from smartcar_emulator.server import EmulatorServer

    with EmulatorServer() as emulator:
        app = emulator.register_app(redirect_uris=["http://localhost:8000/exchange"], client_id="bench",
                                    client_secret="bench-secret", amt="bench-amt")
        tokens = connect(emulator.url, app.client_id, "bench-secret", "http://localhost:8000/exchange", SCOPES,
                         make="TESLA", mode="test", email="bench@example.com", password="password")
        print(json.dumps({"url": emulator.url, "token": tokens["access_token"], "vid": tokens["vehicle_ids"][0]}),
              flush=True)
        sys.stdin.read()


# -- Client processes ------------------------------------------------------------------------------------------
def _time(calls: dict[str, Callable[[], object]], n: int, warmup: int) -> dict[str, list[float]]:
    """Time several callables *interleaved* call by call, so server-side drift hits them all alike."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    return samples


def client(kinds: list[str], url: str, token: str, vid: str, n: int, warmup: int) -> None:
    """Measure client kinds in this process; print ``{kind: {"odometer": [...], "batch": [...]}}`` (seconds)."""
    odometer: dict[str, Callable[[], object]] = {}
    batch: dict[str, Callable[[], object]] = {}
    signal: dict[str, Callable[[], object]] = {}
    code = "odometer-traveleddistance"
    headers = {"Authorization": f"Bearer {token}", "sc-unit-system": "metric"}
    base = f"{url}/v2.0/vehicles/{vid}"
    body = {"requests": [{"path": p} for p in BATCH_PATHS]}
    v3 = f"{url}/v3/vehicles/{vid}/signals/{code}"
    for library in ("httpx2", "httpx"):  # raw pooled clients: httpx2 (ours underneath) and legacy httpx
        if library not in kinds:
            continue
        http = importlib.import_module(library).Client(timeout=310)
        odometer[library] = lambda http=http: http.get(f"{base}/odometer", headers=headers).json()["distance"]
        batch[library] = lambda http=http: http.post(f"{base}/batch", headers=headers, json=body).json()["responses"]
        signal[library] = lambda http=http: http.get(v3, headers=headers).json()["attributes"]["body"]["value"]
    if "sdk" in kinds:  # ours or the official one: whichever ``smartcar`` this interpreter imports
        import smartcar

        vehicle = smartcar.Vehicle(vid, token)

        def run_batch() -> object:
            result = vehicle.batch(BATCH_PATHS)
            return [getattr(result, name)() for name in result._fields[:-1]]

        odometer["sdk"] = lambda: vehicle.odometer().distance
        batch["sdk"] = run_batch
        signal["sdk"] = lambda: vehicle.get_signal(code)["body"]
    if "async" in kinds:  # ours, asyncio: each call awaited on one running loop
        import asyncio

        import smartcar

        loop = asyncio.new_event_loop()
        avehicle = smartcar.AsyncVehicle(vid, token)

        async def abatch() -> object:
            result = await avehicle.batch(BATCH_PATHS)
            return [getattr(result, name)() for name in result._fields[:-1]]

        async def aodometer() -> object:
            return (await avehicle.odometer()).distance

        async def asignal() -> object:
            return (await avehicle.get_signal(code))["body"]

        odometer["async"] = lambda: loop.run_until_complete(aodometer())
        batch["async"] = lambda: loop.run_until_complete(abatch())
        signal["async"] = lambda: loop.run_until_complete(asignal())
    timed = {op: _time(calls, n, warmup) for op, calls in (("odometer", odometer), ("batch", batch),
                                                             ("signal", signal))}
    print(json.dumps({kind: {op: timed[op][kind] for op in timed} for kind in odometer}))


# -- Orchestration ---------------------------------------------------------------------------------------------
def run_client(python: str, kinds: str, info: dict[str, str], n: int, warmup: int,
               extra_env: dict[str, str] | None = None) -> dict[str, dict[str, list[float]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    env.update({"SMARTCAR_API_ORIGIN": info["url"], "SMARTCAR_VEHICLE_API_V3_ORIGIN": info["url"],
                "PYTHONDONTWRITEBYTECODE": "1", **(extra_env or {})})
    out = subprocess.run([python, str(Path(__file__).resolve()), "--client", kinds, "--url", info["url"],
                          "--token", info["token"], "--vid", info["vid"], "-n", str(n), "--warmup", str(warmup)],
                         env=env, capture_output=True, text=True, check=True, cwd=str(HERE))
    result: dict[str, dict[str, list[float]]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=400, help="timed calls per client, per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; clients alternate within each round")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--baseline-src", help="also time our sync SDK from this checkout (its src/ first on "
                        "PYTHONPATH), e.g. a worktree of the last commit on httpx")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--vid")
    args = parser.parse_args()
    if args.serve:
        return serve()
    if args.client:
        return client(args.client.split(","), args.url, args.token, args.vid, args.n, args.warmup)

    official = str(ensure_official_venv())
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        legacy = importlib.util.find_spec("httpx") is not None
        names = {"sdk": "ours", "async": "ours async", "httpx2": "raw httpx2 (floor)", "httpx": "raw httpx (legacy)"}
        kinds_all = ["ours", "ours async", "official 6.19.1", "raw httpx2 (floor)"]
        kinds_all += ["raw httpx (legacy)"] if legacy else []
        kinds_all += ["ours @baseline"] if args.baseline_src else []
        # per round: the median of each client and operation
        rounds: dict[str, dict[str, list[float]]] = {name: {"odometer": [], "batch": [], "signal": []}
                                                     for name in kinds_all}
        ours_kinds = "sdk,async,httpx2" + (",httpx" if legacy else "")
        runs: list[tuple[str, str, str | None, dict[str, str]]] = [
            (sys.executable, ours_kinds, None, {}), (official, "sdk", "official 6.19.1", {})]
        if args.baseline_src:
            runs.append((sys.executable, "sdk", "ours @baseline", baseline_env(args.baseline_src)))
        for _ in range(args.rounds):
            # Ours (sync, async) and the raw clients share one process, interleaved call by call; the official
            # SDK needs its venv; the baseline its own PYTHONPATH.
            for python, kinds, label, extra_env in runs:
                for kind, ops in run_client(python, kinds, info, args.n, args.warmup, extra_env).items():
                    for op, values in ops.items():
                        rounds[label or names[kind]][op].append(statistics.median(values) * 1000)
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)

    def cell(name: str, op: str) -> str:
        values = rounds[name][op]
        return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"

    med = {name: {op: statistics.median(v) for op, v in ops.items()} for name, ops in rounds.items()}
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.rounds} rounds x {args.n} calls per "
          f"client; per-call latency in ms: median of the round medians (min–max)\n")
    extra = [k for k in ("raw httpx (legacy)", "ours @baseline") if k in kinds_all]
    print("| operation | ours sync | ours async | official 6.19.1 | raw httpx2 (floor) | "
          + "".join(f"{k} | " for k in extra)
          + "sync / official (target <= 0.55) | async / official | sync / httpx2 |"
          + (" httpx2 / httpx |" if "raw httpx (legacy)" in extra else "")
          + (" sync / baseline |" if "ours @baseline" in extra else ""))
    print("|---|" + "---:|" * (7 + 2 * len(extra)))
    for op, label in (("odometer", "`Vehicle.odometer()`"), ("batch", "6-path `batch()`"),
                      ("signal", "v3 `get_signal(odometer)`")):
        ours, aours, off, floor = (med[k][op] for k in ("ours", "ours async", "official 6.19.1",
                                                          "raw httpx2 (floor)"))
        row = (f"| {label} | {cell('ours', op)} | {cell('ours async', op)} | {cell('official 6.19.1', op)} "
               f"| {cell('raw httpx2 (floor)', op)} | " + "".join(f"{cell(k, op)} | " for k in extra)
               + f"{ours / off:.2f}x | {aours / off:.2f}x | {ours / floor:.3f}x |")
        if "raw httpx (legacy)" in extra:
            row += f" {floor / med['raw httpx (legacy)'][op]:.3f}x |"
        if "ours @baseline" in extra:
            row += f" {ours / med['ours @baseline'][op]:.3f}x |"
        print(row)


if __name__ == "__main__":
    main()
