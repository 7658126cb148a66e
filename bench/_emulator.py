"""Bench helpers: an emulator prepared on a SQLite file, served by uvicorn (1 or more workers) in a subprocess,
and the official SDK's venv. Not a test module."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OFFICIAL_VENV = HERE / ".venv-official"
REDIRECT = "http://localhost:8000/exchange"
SCOPES = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
          "read_tires", "control_security", "read_security"]


def machine() -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
            f"uvicorn loop/http: {uvicorn_impl()}")


def uvicorn_impl() -> str:
    from smartcar_emulator.serving import uvicorn_options

    one, several = uvicorn_options(workers=1), uvicorn_options(workers=2)
    return f"{one['loop']} (workers: {several['loop']})/{one['http'].__name__}"


def stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def fmt(values: list[float], digits: int = 2) -> str:
    med, low, high = stats(values)
    return f"{med:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def prepare(db: str, fleets: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Register the ``bench`` app and connect vehicles: one single-vehicle user, plus ``fleets``
    (``(email, make)`` pairs, e.g. ``("500-vehicles@smartcar.com", "TESLA")``). Returns tokens and ids."""
    from smartcar_emulator.platform.core import Platform
    from smartcar_emulator.scripted import connect
    from smartcar_emulator.server import EmulatorServer
    from smartcar_emulator.store import Database

    with EmulatorServer(platform=Platform(Database(db))) as emulator:
        emulator.register_app(redirect_uris=[REDIRECT], client_id="bench", client_secret="bench-secret",
                              amt="bench-amt")
        one = connect(emulator.url, "bench", "bench-secret", REDIRECT, SCOPES, make="TESLA",
                      email="bench@example.com")
        info: dict[str, Any] = {"token": one["access_token"], "vid": one["vehicle_ids"][0], "user_id": one["user_id"]}
        fleet_ids: list[str] = []
        token = None
        for email, make in fleets or []:
            result = connect(emulator.url, "bench", "bench-secret", REDIRECT, ["read_odometer", "read_vehicle_info"],
                             make=make, email=email)
            fleet_ids = result["vehicle_ids"]  # every vehicle of the login so far (one user)
            token = result["access_token"]
        info["fleet_token"], info["fleet_ids"] = token, fleet_ids
        return info


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(db: str, workers: int = 1, loop: str | None = None) -> Iterator[str]:
    """uvicorn on ``db`` with ``workers`` processes (the app factory ``smartcar_emulator.app:app_from_env``) and
    the options ``smartcar-emulator serve`` uses (``serving.uvicorn_options``); ``loop`` overrides its event
    loop (``"uvloop"``, ``"asyncio"``)."""
    port = free_port()
    override = f"options['loop'] = {loop!r}; " if loop else ""
    code = ("import uvicorn; from smartcar_emulator.serving import uvicorn_options; "
            f"options = uvicorn_options(workers={workers}); "
            f"{override}uvicorn.run('smartcar_emulator.app:app_from_env', factory=True, host='127.0.0.1', "
            f"port={port}, workers={workers}, **options)")
    env = {**os.environ, "SMARTCAR_EMULATOR_DB": db}
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx2

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.1)
        time.sleep(0.5 * workers)  # let every worker finish starting
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def temp_db() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="smartcar-bench-") as folder:
        yield str(Path(folder) / "emulator.db")


def ensure_official_venv() -> Path:
    python = OFFICIAL_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OFFICIAL_VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import smartcar; print(smartcar.__version__)"],
                           capture_output=True, text=True)
    if check.stdout.strip() != "6.19.1":
        subprocess.run([str(python), "-m", "pip", "install", "-q", "smartcar==6.19.1"], check=True)
    return python


def baseline_env(src: str | None) -> dict[str, str]:
    """Environment that makes a client process import ``smartcar`` from another checkout's ``src`` (e.g. the last
    commit on httpx, ``git worktree add /tmp/before <commit>``), ahead of the installed one."""
    if not src:
        return {}
    path = str(Path(src).resolve() / "src")
    if not (Path(path) / "smartcar" / "__init__.py").exists():
        raise SystemExit(f"--baseline-src: no src/smartcar in {src}")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [path, os.environ.get("PYTHONPATH")]))}


def run_json(argv: list[str], url: str, extra_env: dict[str, str] | None = None) -> Any:
    """Run a client script with every SMARTCAR_* origin pointing at ``url``; its last stdout line is JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    env.update({name: url for name in ("SMARTCAR_API_ORIGIN", "SMARTCAR_VEHICLE_API_V3_ORIGIN", "SMARTCAR_IAM_ORIGIN",
                                       "SMARTCAR_MANAGEMENT_API_ORIGIN", "SMARTCAR_CONNECT_ORIGIN")})
    env.update({"SMARTCAR_AUTH_ORIGIN": f"{url}/oauth/token", "PYTHONDONTWRITEBYTECODE": "1",
                "SMARTCAR_CLIENT_ID": "bench", "SMARTCAR_CLIENT_SECRET": "bench-secret", **(extra_env or {})})
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True, cwd=str(HERE))
    return json.loads(out.stdout.strip().splitlines()[-1])
