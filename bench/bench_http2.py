"""Does HTTP/2 help the SDK over a WAN? The same emulator app served by hypercorn (HTTP/1.1 and HTTP/2 over TLS,
ALPN) behind wan_proxy.py; ours with an HTTP/1.1 pool vs one HTTP/2 connection, per call and for a fleet.

uvicorn (what ``serve`` uses) speaks HTTP/1.1 only, so both sides here run on hypercorn to compare the protocol
and not the server. Needs ``pip install hypercorn h2`` (bench only: not a dependency of the toolkit).
Run: ``.venv/bin/python bench/bench_http2.py``.
"""

from __future__ import annotations

import argparse
import json
import ssl
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator import free_port, machine, prepare  # noqa: E402
from bench_wan import client_env, https_process, wan_link  # noqa: E402

SERVE = r'''
import asyncio, os, sys
from hypercorn.asyncio import serve
from hypercorn.config import Config
from smartcar_emulator.app import create_app
from smartcar_emulator.platform.core import Platform
from smartcar_emulator.store import Database
db, port, cert, key = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
config = Config()
config.bind = [f"127.0.0.1:{port}"]
config.certfile, config.keyfile = cert, key
config.alpn_protocols = ["h2", "http/1.1"]
config.loglevel = "WARNING"
asyncio.run(serve(create_app(Platform(Database(db))), config))
'''

CLIENT = r'''
import asyncio, json, os, ssl, statistics, sys, time
import httpx2, smartcar
from smartcar import fleet
http2, vid, token, n, ids_file, fleet_token = sys.argv[1] == "h2", sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
client = httpx2.Client(http2=http2, verify=context, limits=httpx2.Limits(max_connections=32, max_keepalive_connections=32))
smartcar.configure_http(http_client=client)
vehicle = smartcar.Vehicle(vid, token)
for _ in range(3):
    vehicle.odometer()
samples = []
for _ in range(n):
    t0 = time.perf_counter(); vehicle.odometer(); samples.append(time.perf_counter() - t0)
ids = json.load(open(ids_file))
async def run():
    async with fleet.Fleet(http_client=client) as reader:
        return [r async for r in reader.snapshot_v2(ids, fleet_token, paths=["/odometer"])]
t0 = time.perf_counter()
results = asyncio.run(run())
seconds = time.perf_counter() - t0
version = client.get(os.environ["SMARTCAR_API_ORIGIN"] + "/health").http_version
print(json.dumps({"per_call": statistics.median(samples), "fleet_seconds": seconds,
                  "fleet_ok": sum(r.ok for r in results), "version": version}))
'''


@contextmanager
def hypercorn(db: str, tls_dir: str) -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-c", SERVE, db, str(port), str(Path(tls_dir) / "server.pem"),
            str(Path(tls_dir) / "server-key.pem")]
    with https_process(argv, f"https://127.0.0.1:{port}", tls_dir, "hypercorn") as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, default=20.0)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--vehicle-latency-ms", type=int, default=250)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smartcar-h2-") as folder:
        db = str(Path(folder) / "emulator.db")
        tls_dir = str(Path(folder) / "tls")
        info = prepare(db, fleets=[(f"{args.vehicles}-vehicles@smartcar.com", "TESLA")])
        ids_file = Path(folder) / "ids.json"
        ids_file.write_text(json.dumps(info["fleet_ids"]))
        from smartcar_emulator.tls import ensure

        ensure(["127.0.0.1"], tls_dir)
        rows = []
        with hypercorn(db, tls_dir) as direct, wan_link(int(direct.rsplit(":", 1)[1]), args.rtt_ms) as port:
            context = ssl.create_default_context(cafile=str(Path(tls_dir) / "ca.pem"))
            httpx2.post(f"{direct}/_emulator/faults", json={"kind": "latency", "latency_ms": args.vehicle_latency_ms},
                        verify=context).raise_for_status()
            env = client_env(f"https://127.0.0.1:{port}", tls_dir)
            for protocol in ("h1", "h2"):
                done = subprocess.run([sys.executable, "-c", CLIENT, protocol, info["vid"], info["token"], str(args.n),
                                       str(ids_file), info["fleet_token"]], env=env, capture_output=True, text=True,
                                      timeout=1800)
                if done.returncode != 0:
                    raise SystemExit(done.stderr[-3000:])
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{machine()}; hypercorn (TLS, ALPN h2 + http/1.1) behind the WAN proxy, RTT {args.rtt_ms:g} ms; "
          f"per call: `Vehicle.odometer()` median of {args.n} (the latency fault applies to it too); fleet: "
          f"{args.vehicles} vehicles, {args.vehicle_latency_ms} ms vehicle latency, concurrency 32\n")
    print("| client | protocol seen | per call ms | fleet s | fleet reads ok |")
    print("|---|---|---:|---:|---:|")
    for row, label in zip(rows, ("HTTP/1.1 pool (32 connections)", "HTTP/2 (one connection, multiplexed)")):
        print(f"| {label} | {row['version']} | {row['per_call'] * 1000:.1f} | {row['fleet_seconds']:.2f} | "
              f"{row['fleet_ok']} |")


if __name__ == "__main__":
    main()
