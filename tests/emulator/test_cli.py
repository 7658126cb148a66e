"""The ``smartcar-emulator`` command: env, apps, users, webhooks, and serve + connect as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx2
import pytest
from click.testing import CliRunner

from smartcar_emulator.cli import main
from smartcar_emulator.server import free_port
from tests.conftest import wait_until_serving

REDIRECT = "http://localhost:8000/exchange"


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_env_prints_exports_for_every_origin():
    lines = run("env", "--port", "9123").splitlines()
    exports = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    assert exports["SMARTCAR_API_ORIGIN"] == "http://127.0.0.1:9123"
    assert exports["SMARTCAR_AUTH_ORIGIN"] == "http://127.0.0.1:9123/oauth/token"  # a full token URL
    for name in ("SMARTCAR_CONNECT_ORIGIN", "SMARTCAR_MANAGEMENT_API_ORIGIN", "SMARTCAR_VEHICLE_API_V3_ORIGIN",
                 "SMARTCAR_IAM_ORIGIN"):
        assert exports[name] == "http://127.0.0.1:9123"


def test_apps_users_and_webhooks_are_stored(tmp_path):
    db = str(tmp_path / "cli.db")
    added = run("apps", "add", "--db", db, "--client-id", "cli-app", "--client-secret", "cli-secret",
                "--redirect-uri", REDIRECT, "--redirect-uri", "http://localhost:9000/cb", "--connect-flow", "user",
                "--webhook", "http://localhost:9000/hook")
    assert "cli-app" in added and "webhook id:" in added
    listed = run("apps", "list", "--db", db)
    assert "cli-app" in listed and "http://localhost:9000/cb" in listed and "flow=user" in listed
    users = run("users", "add", "--db", db, "--email", "owner@example.com", "--password", "pw", "--make", "ford",
                "--vehicles", "2")
    assert users.count(" FORD ") == 2
    hook = run("webhooks", "add", "--db", db, "--client-id", "cli-app", "--url", "http://localhost:9000/h2")
    assert len(hook.strip()) == 36
    refused = CliRunner().invoke(main, ["users", "add", "--db", db, "--email", "x@example.com", "--password", "p",
                                        "--make", "DELOREAN"])
    assert refused.exit_code == 2 and "unknown make" in refused.output


@pytest.fixture()
def served(tmp_path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``smartcar-emulator serve`` as a process, its app given by SMARTCAR_* variables."""
    port = free_port()
    env = {**os.environ, "SMARTCAR_CLIENT_ID": "served-app", "SMARTCAR_CLIENT_SECRET": "served-secret",
           "SMARTCAR_REDIRECT_URI": REDIRECT}
    process = subprocess.Popen([sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port),
                                "--db", str(tmp_path / "served.db")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, f"{url}/health")
    yield url, process
    process.terminate()
    process.wait(timeout=15)


def test_serve_then_connect_prints_tokens_as_json(served):
    url, _ = served
    env = {"SMARTCAR_CLIENT_ID": "served-app", "SMARTCAR_CLIENT_SECRET": "served-secret",
           "SMARTCAR_REDIRECT_URI": REDIRECT}
    output = run("connect", "--url", url, "--scope", "read_vehicle_info read_odometer", "--scope", "read_vin",
                 "--make", "BMW", "--json", env=env)
    result = json.loads(output)
    assert {"access_token", "refresh_token", "expires_in", "user_id", "vehicle_ids"} <= result.keys()
    assert result["expires_in"] == 7200 and len(result["vehicle_ids"]) == 1
    vehicle = httpx2.get(f"{url}/v2.0/vehicles/{result['vehicle_ids'][0]}",
                        headers={"Authorization": f"Bearer {result['access_token']}"}).json()
    assert vehicle["make"] == "BMW"


def test_connect_reports_a_refused_login(served):
    url, _ = served
    result = CliRunner().invoke(main, ["connect", "--url", url, "--client-id", "served-app", "--client-secret",
                                       "served-secret", "--redirect-uri", REDIRECT, "--scope", "read_odometer",
                                       "--mode", "live", "--email", "nobody@example.com"])
    assert result.exit_code == 1 and "login was refused" in result.output


def test_serve_without_an_app_prints_development_credentials(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    process = subprocess.Popen([sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port),
                                "--db", str(tmp_path / "dev.db")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        assert process.stdout is not None
        while not any("Smartcar emulator on" in line for line in lines):
            line = process.stdout.readline()
            assert line, "serve exited early:\n" + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        assert "development application" in text and "client secret:" in text
        assert "http://localhost:8000/exchange" in text
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_serve_with_two_workers_shares_the_database(tmp_path):
    port = free_port()
    env = {**os.environ, "SMARTCAR_CLIENT_ID": "multi-app", "SMARTCAR_CLIENT_SECRET": "multi-secret",
           "SMARTCAR_REDIRECT_URI": REDIRECT}
    process = subprocess.Popen([sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port),
                                "--db", str(tmp_path / "multi.db"), "--workers", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, f"{url}/health")
        result = json.loads(run("connect", "--url", url, "--scope", "read_odometer", "--json",
                                env={k: env[k] for k in ("SMARTCAR_CLIENT_ID", "SMARTCAR_CLIENT_SECRET",
                                                         "SMARTCAR_REDIRECT_URI")}))
        headers = {"Authorization": f"Bearer {result['access_token']}"}
        odometers = {httpx2.get(f"{url}/v2.0/vehicles/{result['vehicle_ids'][0]}/odometer", headers=headers,
                               ).status_code for _ in range(10)}  # new connections: any worker answers
        assert odometers == {200}
        clock = httpx2.put(f"{url}/_emulator/clock", json={"timestamp": 1893484800})  # each worker keeps its own
        assert clock.status_code == 409 and "serve --workers 2" in clock.json()["description"]
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_workers_need_a_database_file():
    refused = CliRunner().invoke(main, ["serve", "--db", ":memory:", "--workers", "2"])
    assert refused.exit_code == 2 and "--workers > 1 needs a database file" in refused.output
