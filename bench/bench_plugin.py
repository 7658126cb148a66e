"""What the pytest plugin costs a user's test suite (issue 11).

* start-up of the session fixture (an emulator on a free port, the app registered);
* a reset between tests (what ``smartcar_env`` does before each test);
* one request through the SDK over loopback sockets vs in-process (no socket), for ``/health`` (transport only)
  and ``Vehicle.odometer()`` (a real read);
* 100 user tests, each a Connect walk and an odometer read, run by pytest in a fresh process (socket mode and
  in-process mode).

Prints a markdown table. Run: ``.venv/bin/python bench/bench_plugin.py --rounds 3``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

import smartcar
from smartcar_emulator.testing import start

USER_SUITE = '''
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_connect_and_read(n, {fixture}, smartcar_connect):
    assert smartcar_connect().vehicle().odometer().distance >= 0
'''


def timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(samples) * 1000:.3f} (p99 {p99 * 1000:.3f})"


def fixture_costs(rounds: int, n: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"start": [], "reset": [], "health socket": [], "health in-process": [],
                                       "odometer socket": [], "odometer in-process": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        emulator = start()
        results["start"].append(time.perf_counter() - t0)
        try:
            results["reset"] += timed(emulator.reset, n)
            connected = emulator.connect()
            vehicle = smartcar.Vehicle(connected.vehicle_id, connected.access_token)
            smartcar.config.API_ORIGIN = emulator.url
            socket_client = httpx2.Client(base_url=emulator.url)
            in_process = emulator.http_client(base_url=emulator.url)
            for client, label in ((socket_client, "socket"), (in_process, "in-process")):
                client.get("/health")
                results[f"health {label}"] += timed(lambda: client.get("/health"), n)
                smartcar.configure_http(http_client=client)
                vehicle.odometer()
                results[f"odometer {label}"] += timed(vehicle.odometer, n)
            smartcar.configure_http()
            socket_client.close()
            in_process.close()
        finally:
            emulator.close()
    return results


def suite_run(fixture: str, count: int) -> tuple[float, float]:
    """Wall time of ``python -m pytest`` on a user suite of ``count`` tests, and the time pytest reports."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_user.py").write_text(USER_SUITE.format(count=count, fixture=fixture))
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", folder], cwd=folder,
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    match = re.search(rf"{count} passed in ([\d.]+)s", done.stdout)
    if done.returncode != 0 or not match:
        raise SystemExit(f"the user suite failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall, float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-n", type=int, default=300, help="samples per round for resets and requests")
    parser.add_argument("--tests", type=int, default=100, help="tests in the user suite")
    args = parser.parse_args()

    costs = fixture_costs(args.rounds, args.n)
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}; "
          f"median (p99) over {args.rounds} rounds x {args.n}\n")
    print("| step | ms |\n|---|---:|")
    print(f"| session fixture start-up (emulator on a free port, app registered) | {ms(costs['start'])} |")
    print(f"| reset between tests (`smartcar_env`) | {ms(costs['reset'])} |")
    for what in ("health", "odometer"):
        socket_ms = statistics.median(costs[f"{what} socket"])
        local_ms = statistics.median(costs[f"{what} in-process"])
        label = "`GET /health` (transport only)" if what == "health" else "`Vehicle.odometer()` (SDK, a real read)"
        print(f"| {label}, loopback socket | {ms(costs[f'{what} socket'])} |")
        print(f"| {label}, in-process | {ms(costs[f'{what} in-process'])} ({socket_ms / local_ms:.1f}x faster) |")

    print(f"\n| user suite: {args.tests} tests, each a Connect walk + an odometer read | wall s (pytest's own s) |")
    print("|---|---:|")
    for fixture in ("smartcar_env", "smartcar_in_process"):
        runs = [suite_run(fixture, args.tests) for _ in range(args.rounds)]
        wall = statistics.median(r[0] for r in runs)
        inner = statistics.median(r[1] for r in runs)
        print(f"| `{fixture}` | {wall:.2f} ({inner:.2f}) |")


if __name__ == "__main__":
    main()
