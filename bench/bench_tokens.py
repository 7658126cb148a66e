"""Tokens at scale: H hosts x P processes x T threads hammer U users whose tokens all expire at the same moment,
against the emulator with strict refresh rotation (a reused refresh token is refused and logs the user out).

Timeline (each phase lasts ``--phase`` seconds, or longer until every user's expiry was handled): warm-up with
valid tokens; then every stored access token reaches the manager's refresh margin at the same instant (proactive
refreshes); next the emulator's clock jumps 3 hours, so every access token is rejected with a 401 (refresh after
401); then the workers stop. Expected: every request succeeds, exactly 2 refreshes per user reach the token
endpoint (counted from the emulator's issued refresh tokens), no token revoked (nobody logged out).

    .venv/bin/python bench/bench_tokens.py --store sqlite                      # 1 host x 4 processes x 8 threads
    .venv/bin/python bench/bench_tokens.py --store postgres --hosts 2          # 2 hosts (process groups)
    .venv/bin/python bench/bench_tokens.py --store sqlite --stall 3 --lock-timeout 1   # a write stalled 3 s

With ``--stall S``, the first refresh of one worker after the clock jump stalls S seconds between the token
endpoint's answer and the store write, while it holds the lock: the others time out (``LockTimeout``, nothing
refreshed) and retry the request until the stalled worker commits.

``--json`` prints one JSON object (used by tests/tokens/test_hammer.py). "Hosts" are separate process trees
sharing nothing but the store and the emulator. Not a test module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
CLIENT_ID, CLIENT_SECRET = "bench-tokens", "bench-tokens-secret"
REDIRECT = "http://localhost:8000/exchange"
MARGIN = 120.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


# -- Worker: one process, T threads, one TokenManager ---------------------------------------------------------
def open_store(config: dict[str, Any], stall: float) -> Any:
    from smartcar.tokens import PostgresTokenStore, SQLiteTokenStore, TokenLock, TokenRecord

    base: Any = SQLiteTokenStore if config["store"] == "sqlite" else PostgresTokenStore
    target = config["sqlite_path"] if config["store"] == "sqlite" else config["pg_dsn"]
    options: dict[str, Any] = {"lock_timeout": config["lock_timeout"]}
    if config["store"] == "postgres":
        options.update(schema=config["pg_schema"], max_connections=config["threads"] + 2)

    class Stalling(base):  # type: ignore[misc, valid-type]
        """The first locked write of this process after the clock jump stalls ``stall`` seconds (a slow disk,
        a network hiccup), so waiting workers hold only rejected tokens and must wait it out."""

        pending = stall

        def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
            inner = super().lock(user_id, timeout)
            store = self

            class Wrapped(TokenLock):
                record = inner.record

                def save(self, record: TokenRecord) -> None:
                    if store.pending and Path(config["folder"], "jumped").exists():
                        pause, store.pending = store.pending, 0.0
                        time.sleep(pause)
                    inner.save(record)

                def delete(self) -> None:
                    inner.delete()

                def commit(self) -> None:
                    inner.commit()

                def rollback(self) -> None:
                    inner.rollback()
            return Wrapped()

    return Stalling(target, **options)


def worker(config: dict[str, Any], stall: float) -> dict[str, Any]:
    import smartcar
    from smartcar.tokens import CountingMetrics, LockTimeout, TokenManager

    metrics = CountingMetrics()
    store = open_store(config, stall)
    manager = TokenManager(store, smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, mode="test"),
                           margin=MARGIN, metrics=metrics)
    users: list[str] = config["users"]
    counts: Counter[str] = Counter()
    mutex = threading.Lock()
    # Ready; then wait for the parent's start signal (the timeline begins once every worker is ready).
    folder = Path(config["folder"])
    (folder / f"ready-{os.getpid()}").touch()
    while not (folder / "go.json").exists():
        time.sleep(0.01)
    timeline = json.loads((folder / "go.json").read_text())
    start_at = timeline["start_at"]
    stop = threading.Event()

    def watch() -> None:  # the parent ends the run by creating the file "stop"
        while not (folder / "stop").exists():
            time.sleep(0.02)
        stop.set()
    threading.Thread(target=watch, daemon=True).start()

    def run(index: int) -> None:
        local: Counter[str] = Counter()
        time.sleep(max(0.0, start_at - time.time()))
        i = index
        while not stop.is_set():
            user_id = users[i % len(users)]
            i += 1
            while True:  # a request is retried only after a LockTimeout (nothing was refreshed)
                try:
                    if manager.call(user_id, lambda token: smartcar.get_user(token).id) != user_id:
                        local["wrong_user"] += 1
                    local["ok"] += 1
                    break
                except LockTimeout:
                    local["lock_timeout_retries"] += 1
                    time.sleep(0.05)
                except Exception as error:  # noqa: BLE001 - counted and reported
                    local[f"failed:{type(error).__name__}"] += 1
                    break
        with mutex:
            counts.update(local)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(config["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    return {"counts": dict(counts), "refreshes": metrics.summary()["refreshes"], "reuses": metrics.reuses,
            "lock_waits": metrics.lock_waits, "lock_timeouts": metrics.lock_timeouts}


def host(config: dict[str, Any], host_index: int, stall: float) -> list[dict[str, Any]]:
    """One "host": P worker processes; the first worker of host 0 carries the stall."""
    procs = []
    for p in range(config["processes"]):
        worker_stall = stall if host_index == 0 and p == 0 else 0.0
        procs.append(subprocess.Popen([sys.executable, str(HERE), "_worker", json.dumps(config), str(worker_stall)],
                                      stdout=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a worker failed (exit {proc.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


# -- Parent: emulator, users, store, hosts, verdict ------------------------------------------------------------
def start_emulator(port: int, folder: str) -> subprocess.Popen[bytes]:
    import httpx2

    log = open(Path(folder) / "emulator.log", "wb")  # noqa: SIM115 - kept open for the child's lifetime
    process = subprocess.Popen([sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port),
                                "--db", ":memory:", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
                                "--redirect-uri", REDIRECT], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx2.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = (Path(folder) / "emulator.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"the emulator did not start:\n{output}")
        time.sleep(0.1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx2

    from smartcar.tokens import TokenRecord
    from smartcar_emulator.scripted import connect
    from smartcar_emulator.server import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env_origins = {name: url for name in ("SMARTCAR_API_ORIGIN", "SMARTCAR_VEHICLE_API_V3_ORIGIN",
                                          "SMARTCAR_IAM_ORIGIN", "SMARTCAR_MANAGEMENT_API_ORIGIN",
                                          "SMARTCAR_CONNECT_ORIGIN")}
    env_origins["SMARTCAR_AUTH_ORIGIN"] = f"{url}/oauth/token"
    os.environ.update(env_origins)  # inherited by the hosts and workers (the SDK reads them at import)
    import smartcar.config

    smartcar.config.reload()  # this process imported smartcar already
    folder = tempfile.mkdtemp(prefix="smartcar-bench-tokens-")
    emulator = start_emulator(port, folder)
    store: Any = None
    try:
        users = [connect(url, CLIENT_ID, CLIENT_SECRET, REDIRECT, ["read_vehicle_info"],
                         email=f"bench-{n}-{uuid.uuid4().hex[:6]}@example.com") for n in range(args.users)]
        config: dict[str, Any] = {
            "store": args.store, "sqlite_path": str(Path(folder) / "tokens.db"), "pg_dsn": args.pg_dsn,
            "pg_schema": f"sc_tokens_bench_{uuid.uuid4().hex[:10]}", "lock_timeout": args.lock_timeout,
            "threads": args.threads, "processes": args.processes, "users": [u["user_id"] for u in users]}
        store = open_store(config, 0.0)
        for session in users:  # valid for now; the real expiry moment is set once every worker is ready
            store.put(TokenRecord(session["user_id"], session["access_token"], session["refresh_token"],
                                  time.time() + 3600, time.time() + 59 * 86400))
        config["folder"] = folder
        hosts = [subprocess.Popen([sys.executable, str(HERE), "_host", json.dumps(config), str(h), str(args.stall)],
                                  stdout=subprocess.PIPE, text=True) for h in range(args.hosts)]
        deadline = time.monotonic() + 120
        while len(list(Path(folder).glob("ready-*"))) < args.hosts * args.processes:
            if time.monotonic() > deadline or any(proc.poll() is not None for proc in hosts):
                raise SystemExit("the workers did not start")
            time.sleep(0.02)
        start_at = time.time() + 0.2
        expire_at = start_at + args.phase  # every user reaches the refresh margin at this instant
        for session in users:
            store.put(TokenRecord(session["user_id"], session["access_token"], session["refresh_token"],
                                  expire_at + MARGIN, time.time() + 59 * 86400))
        # The last phase outlasts a stall, so that every user is requested again after it.
        timeline = {"start_at": start_at}
        (Path(folder) / "go.tmp").write_text(json.dumps(timeline))
        (Path(folder) / "go.tmp").rename(Path(folder) / "go.json")
        # Each phase lasts at least --phase seconds, and until every user's expiry has been handled (the stored
        # version moved on), so that a loaded machine cannot make the workers skip an expiry.
        def wait_for_versions(version: int, not_before: float) -> None:
            time.sleep(max(0.0, not_before - time.time()))
            deadline = time.monotonic() + 120
            while any((store.get(uid) or TokenRecord(uid, "", "", 0, 0, version)).version < version
                      for uid in config["users"]):
                if time.monotonic() > deadline:
                    raise SystemExit("some users were never refreshed")
                time.sleep(0.05)
        first_version = store.get(users[0]["user_id"]).version
        wait_for_versions(first_version + 1, start_at + 2 * args.phase)
        (Path(folder) / "jumped").touch()  # before the jump: a stalled write then holds a rejected user's lock
        httpx2.post(f"{url}/_emulator/clock/advance", json={"seconds": 3 * 3600}).raise_for_status()
        wait_for_versions(first_version + 2, time.time() + args.phase + args.stall)
        ended_at = time.time()
        (Path(folder) / "stop").touch()
        results: list[dict[str, Any]] = []
        for proc in hosts:
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"a host failed (exit {proc.returncode})")
            results.extend(json.loads(out.strip().splitlines()[-1]))
        issued = httpx2.get(f"{url}/_emulator/tokens", params={"client_id": CLIENT_ID}).json()["tokens"]
        per_user = Counter(row["user_id"] for row in issued if row["kind"] == "refresh")
        revoked = sum(1 for row in issued if row["revoked_at"])
        # Every user still works after the run (a fresh manager, as a new process would).
        import smartcar
        from smartcar.tokens import TokenManager

        manager = TokenManager(store, smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, mode="test"))
        alive = 0
        for user_id in config["users"]:
            try:
                alive += manager.call(user_id, lambda token: smartcar.get_user(token).id) == user_id
            except Exception:  # noqa: BLE001 - a lost user is what this counts
                pass
    finally:
        emulator.terminate()
        emulator.wait(30)
        if store is not None and args.store == "postgres":
            store.drop()
        if store is not None:
            store.close()
        shutil.rmtree(folder, ignore_errors=True)
    counts: Counter[str] = Counter()
    for result in results:
        counts.update(result["counts"])
    waits = [w for result in results for w in result["lock_waits"]]
    refreshes_endpoint = {uid: per_user[uid] - 1 for uid in config["users"]}
    return {
        "store": args.store, "hosts": args.hosts, "processes": args.processes, "threads": args.threads,
        "users": args.users, "phase_s": args.phase, "stall_s": args.stall, "lock_timeout_s": args.lock_timeout,
        "requests_ok": counts["ok"], "requests_failed": sum(v for k, v in counts.items() if k.startswith("failed:")),
        "failures": {k: v for k, v in counts.items() if k.startswith("failed:")},
        "wrong_user": counts["wrong_user"], "lock_timeout_retries": counts["lock_timeout_retries"],
        "refreshes_manager": sum(r["refreshes"] for r in results), "reuses": sum(r["reuses"] for r in results),
        "refreshes_at_endpoint": sum(refreshes_endpoint.values()), "expiries": 2,
        "users_with_exactly_one_refresh_per_expiry": sum(1 for v in refreshes_endpoint.values() if v == 2),
        "revoked_tokens": revoked, "users_alive_after": alive,
        "odd_users": {uid: sorted(round(row["created_at"] - start_at, 2) for row in issued
                                  if row["user_id"] == uid and row["kind"] == "refresh")
                      for uid, n in refreshes_endpoint.items() if n != 2},
        "lock_waits": len(waits), "lock_wait_p50_ms": round(1000 * percentile(waits, 0.5), 2),
        "lock_wait_p99_ms": round(1000 * percentile(waits, 0.99), 2),
        "lock_wait_max_ms": round(1000 * max(waits, default=0.0), 2),
        "seconds": round(ended_at - start_at, 1),
        "requests_per_s": round(counts["ok"] / (ended_at - start_at), 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        print(json.dumps(worker(json.loads(sys.argv[2]), float(sys.argv[3]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_host":
        print(json.dumps(host(json.loads(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument("--processes", type=int, default=4, help="per host")
    parser.add_argument("--threads", type=int, default=8, help="per process")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--phase", type=float, default=4.0, help="seconds per phase (3 phases)")
    parser.add_argument("--stall", type=float, default=0.0, help="the first locked write of one worker stalls")
    parser.add_argument("--lock-timeout", type=float, default=10.0)
    parser.add_argument("--pg-dsn", default=os.environ.get("SMARTCAR_TEST_POSTGRES", DEFAULT_PG))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:45} {value}")
    ok = (result["requests_failed"] == 0 and result["revoked_tokens"] == 0 and result["wrong_user"] == 0
          and result["users_with_exactly_one_refresh_per_expiry"] == args.users
          and result["users_alive_after"] == args.users)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
