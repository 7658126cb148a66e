"""The SDKs as users meet the cloud: HTTPS over a link with real round-trip delay, vehicle latency, rate limits.

The emulator serves HTTPS from its local CA (``serve --tls``) behind ``wan_proxy.py``, which delays every byte by
half of ``--rtt-ms`` each way and a new connection's first bytes by one more round trip (its TCP handshake), so
TCP and TLS handshakes pay the delay as over a WAN. (Kernel netem would be the natural tool; this sandbox's
kernel has no sch_netem module.)

* per call: ``Vehicle.odometer()``, ours (pooled keep-alive client) vs the official SDK 6.19.1 (its own venv; a
  new connection and TLS handshake per call) vs raw pooled httpx2 (the floor);
* fleet: N vehicles with ``--vehicle-latency-ms`` on every read, with an application rate limit R (ours with its
  defaults vs the official SDK in a 32-thread pool: reads done, failed, seconds) and without one (ours vs the
  official SDK in a loop, timed over ``--loop-sample`` vehicles and scaled).

Run: ``.venv/bin/python bench/bench_wan.py`` (prints markdown). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator import ensure_official_venv, free_port, machine, prepare  # noqa: E402


PER_CALL = r'''
import json, os, statistics, sys, time
kind, vid, token, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import smartcar
if kind == "httpx2":
    import httpx2, ssl
    client = httpx2.Client(verify=ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"]))
    url = f"{os.environ['SMARTCAR_API_ORIGIN']}/v2.0/vehicles/{vid}/odometer"
    call = lambda: client.get(url, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
else:
    vehicle = smartcar.Vehicle(vid, token)
    call = vehicle.odometer
for _ in range(3):
    call()
samples = []
for _ in range(n):
    t0 = time.perf_counter(); call(); samples.append(time.perf_counter() - t0)
print(json.dumps(samples))
'''

FLEET = r'''
import json, sys, time
kind, ids_file, token = sys.argv[1], sys.argv[2], sys.argv[3]
ids = json.load(open(ids_file))
start = time.perf_counter()
errors = {}
if kind == "ours":
    import asyncio
    from smartcar import fleet
    async def run():
        async with fleet.Fleet() as reader:
            async for r in reader.snapshot_v2(ids, token, paths=["/odometer"]):
                if r.error is not None:
                    errors[fleet.error_kind(r.error)] = errors.get(fleet.error_kind(r.error), 0) + 1
            return reader.limit
    limit = asyncio.run(run())
    extra = {"rate_limited": limit.rate_limited if limit else 0}
else:
    import smartcar
    def read(vid):
        try:
            smartcar.Vehicle(vid, token).odometer()
            return None
        except Exception as error:
            return f"{getattr(error, 'type', None)}:{getattr(error, 'code', None)}"
    if kind == "official-loop":
        outcomes = [read(v) for v in ids]
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(32) as pool:
            outcomes = list(pool.map(read, ids))
    for outcome in outcomes:
        if outcome:
            errors[outcome] = errors.get(outcome, 0) + 1
    extra = {}
print(json.dumps({"seconds": time.perf_counter() - start, "reads": len(ids), "failed": sum(errors.values()),
                  "errors": errors, **extra}))
'''


@contextmanager
def wan_link(target_port: int, rtt_ms: float) -> Iterator[int]:
    """wan_proxy.py in its own process, in front of ``target_port``; yields the port to connect to."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("wan_proxy.py")), "--listen",
                                f"127.0.0.1:{port}", "--target", f"127.0.0.1:{target_port}", "--rtt-ms", f"{rtt_ms:g}"],
                               stderr=subprocess.DEVNULL)  # connections cut at shutdown are not news
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the WAN proxy did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def https_process(argv: list[str], url: str, tls_dir: str, what: str) -> Iterator[str]:
    """Start ``argv`` (a server), wait until ``url``/health answers over HTTPS trusting ``tls_dir``'s CA, yield
    ``url``, stop it after."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    context = ssl.create_default_context(cafile=str(Path(tls_dir) / "ca.pem"))
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx2.get(f"{url}/health", verify=context, timeout=5).status_code == 200:
                break
        except httpx2.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"{what} did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def served(db: str, tls_dir: str, port: int) -> Iterator[str]:
    """``serve --tls`` on loopback (the control API answers there, without the WAN delay)."""
    argv = [sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port), "--db", db, "--tls",
            "--tls-dir", tls_dir, "--client-id", "bench", "--client-secret", "bench-secret", "--redirect-uri",
            "http://localhost:8000/exchange"]
    with https_process(argv, f"https://127.0.0.1:{port}", tls_dir, "the emulator") as url:
        yield url


def client_env(url: str, tls_dir: str) -> dict[str, str]:
    bundle = str(Path(tls_dir) / "bundle.pem")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    env.update({"SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": bundle})
    for name in ("SMARTCAR_API_ORIGIN", "SMARTCAR_CONNECT_ORIGIN", "SMARTCAR_MANAGEMENT_API_ORIGIN",
                 "SMARTCAR_VEHICLE_API_V3_ORIGIN", "SMARTCAR_IAM_ORIGIN"):
        env[name] = url
    env["SMARTCAR_AUTH_ORIGIN"] = f"{url}/oauth/token"
    return env


def run(python: str, script: str, args: list[str], env: dict[str, str]) -> Any:
    done = subprocess.run([python, "-c", script, *args], env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{python} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def control(url: str, tls_dir: str, method: str, path: str, body: Any) -> None:
    context = ssl.create_default_context(cafile=str(Path(tls_dir) / "ca.pem"))
    reply = httpx2.request(method, f"{url}/_emulator{path}", json=body, verify=context, timeout=30)
    reply.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, default=20.0)
    parser.add_argument("-n", type=int, default=40, help="calls per client for the per-call figures")
    parser.add_argument("--vehicles", type=int, default=999, help="at most 999 (the <N>-vehicles@ test login)")
    parser.add_argument("--vehicle-latency-ms", type=int, default=250)
    parser.add_argument("--rate", type=float, default=40.0, help="application rate limit R (requests/s)")
    parser.add_argument("--loop-sample", type=int, default=100, help="vehicles the official loop is timed over")
    parser.add_argument("--skip-fleet", action="store_true")
    args = parser.parse_args()
    official = str(ensure_official_venv())
    ours = sys.executable

    with tempfile.TemporaryDirectory(prefix="smartcar-wan-") as folder:
        db = str(Path(folder) / "emulator.db")
        tls_dir = str(Path(folder) / "tls")
        info = prepare(db, fleets=[(f"{args.vehicles}-vehicles@smartcar.com", "TESLA")])
        ids_file = Path(folder) / "ids.json"
        ids_file.write_text(json.dumps(info["fleet_ids"]))
        sample_file = Path(folder) / "sample.json"
        sample_file.write_text(json.dumps(info["fleet_ids"][:args.loop_sample]))
        from smartcar_emulator.tls import ensure

        ensure(["127.0.0.1"], tls_dir)
        print(f"{machine()}; WAN proxy with RTT {args.rtt_ms:g} ms; HTTPS (local CA)\n")
        with served(db, tls_dir, free_port()) as direct, wan_link(int(direct.rsplit(":", 1)[1]), args.rtt_ms) as port:
            url = f"https://127.0.0.1:{port}"
            env = client_env(url, tls_dir)
            per_call = {kind: run(python, PER_CALL, [kind, info["vid"], info["token"], str(args.n)], env)
                        for kind, python in (("ours", ours), ("official", official), ("httpx2", ours))}
            medians = {k: statistics.median(v) * 1000 for k, v in per_call.items()}
            print(f"**Per call**, `Vehicle.odometer()`, median of {args.n} (ms):\n")
            print("| ours | official 6.19.1 | raw httpx2 (floor) | ours / official | ours / floor |")
            print("|---:|---:|---:|---:|---:|")
            print(f"| {medians['ours']:.1f} | {medians['official']:.1f} | {medians['httpx2']:.1f} | "
                  f"{medians['ours'] / medians['official']:.2f}x | {medians['ours'] / medians['httpx2']:.2f}x |\n")
            if args.skip_fleet:
                return
            control(direct, tls_dir, "POST", "/faults", {"kind": "latency", "latency_ms": args.vehicle_latency_ms})
            no_limit = run(ours, FLEET, ["ours", str(ids_file), info["fleet_token"]], env)
            loop = run(official, FLEET, ["official-loop", str(sample_file), info["fleet_token"]], env)
            control(direct, tls_dir, "PUT", "/rate-limits", {"app": f"{args.rate:g}/s", "vehicle": None})
            limited_ours = run(ours, FLEET, ["ours", str(ids_file), info["fleet_token"]], env)
            control(direct, tls_dir, "PUT", "/rate-limits", {"app": f"{args.rate:g}/s", "vehicle": None})
            limited_official = run(official, FLEET, ["official-32", str(ids_file), info["fleet_token"]], env)
        loop_scaled = loop["seconds"] * args.vehicles / max(1, loop["reads"])
        print(f"**Fleet**, {args.vehicles} vehicles, {args.vehicle_latency_ms} ms vehicle latency, "
              f"RTT {args.rtt_ms:g} ms, HTTPS:\n")
        print("| run | reads ok | failed | seconds | reads/s | vs R |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, result, rated in (
                ("ours, defaults, no rate limit", no_limit, False),
                (f"official loop ({loop['reads']} timed, scaled to {args.vehicles})",
                 {**loop, "seconds": loop_scaled, "reads": args.vehicles,
                  "failed": loop["failed"] * args.vehicles // max(1, loop["reads"])}, False),
                (f"ours, defaults, app limit R={args.rate:g}/s", limited_ours, True),
                (f"official, 32 threads, app limit R={args.rate:g}/s", limited_official, True)):
            ok = result["reads"] - result["failed"]
            rate = ok / result["seconds"]
            print(f"| {label} | {ok} | {result['failed']} | {result['seconds']:.1f} | {rate:.1f} | "
                  f"{f'{rate / args.rate:.0%}' if rated else '-'} |")
        print(f"\nours vs official loop without a limit: {loop_scaled / no_limit['seconds']:.1f}x; "
              f"ours under the limit: {limited_ours.get('rate_limited', 0)} rate-limit answers absorbed; "
              f"official errors: {limited_official['errors']}")


if __name__ == "__main__":
    main()
