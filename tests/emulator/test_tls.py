"""HTTPS: `serve --tls` and `running(tls=True)` with a local CA, trusted by each client through what `env` exports."""

from __future__ import annotations

import os
import shutil
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from smartcar_emulator.testing import running
from smartcar_emulator.tls import ensure

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_PYTHON = ROOT / ".venv-official" / "bin" / "python"


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith("SMARTCAR_") and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")}
    return {**keep, **extra}


def test_the_ca_is_made_once_and_the_certificate_follows_the_hosts(tmp_path: Path) -> None:
    first = ensure(["127.0.0.1"], tmp_path)
    ca, server = first.ca_cert.read_bytes(), first.server_cert.read_bytes()
    assert stat.S_IMODE(first.ca_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.server_key.stat().st_mode) == 0o600
    again = ensure(["127.0.0.1", "localhost"], tmp_path)
    assert again.ca_cert.read_bytes() == ca and again.server_cert.read_bytes() == server  # nothing new needed
    wider = ensure(["emulator.internal"], tmp_path)
    assert wider.ca_cert.read_bytes() == ca and wider.server_cert.read_bytes() != server  # a new name: re-issued
    bundle = wider.bundle.read_text()
    assert bundle.endswith(ca.decode()) and bundle.count("BEGIN CERTIFICATE") > 1  # the system's CAs, then ours


def test_running_with_tls_serves_https_that_only_the_exported_trust_accepts() -> None:
    with running(tls=True) as emulator:
        assert emulator.url.startswith("https://127.0.0.1:")
        env = emulator.env
        assert env["SMARTCAR_API_ORIGIN"] == emulator.url and env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"]
        with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx2.get(f"{emulator.url}/health", verify=True)
        assert httpx2.get(f"{emulator.url}/health", verify=ssl.create_default_context(cafile=env["SSL_CERT_FILE"])).json() == {"status": "ok"}

        # Our SDK in a fresh process, trusting the CA through SSL_CERT_FILE only.
        connected = emulator.connect()
        script = (f"import smartcar; print(smartcar.Vehicle({connected.vehicle_id!r}, "
                  f"{connected.access_token!r}).odometer().distance > 0)")
        done = subprocess.run([sys.executable, "-c", script], env=_clean_env(env), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
    folder = Path(env["SSL_CERT_FILE"]).parent
    assert not folder.exists()  # the temporary CA went with the emulator


@pytest.mark.skipif(not OFFICIAL_PYTHON.exists(), reason="the official SDK venv (.venv-official) is not installed")
def test_the_official_sdk_trusts_it_through_requests_ca_bundle() -> None:
    with running(tls=True) as emulator:
        connected = emulator.connect()
        script = (f"import smartcar; print(smartcar.get_user({connected.access_token!r}).id)")
        done = subprocess.run([str(OFFICIAL_PYTHON), "-c", script], env=_clean_env(emulator.env),
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == connected.user_id


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_node_trusts_it_through_node_extra_ca_certs() -> None:
    with running(tls=True) as emulator:
        script = f"fetch('{emulator.url}/health').then(r => r.json()).then(b => console.log(b.status))"
        done = subprocess.run(["node", "-e", script], env=_clean_env(emulator.env), capture_output=True, text=True,
                              timeout=60)
        refused = subprocess.run(["node", "-e", script + ".catch(e => { console.log('refused'); })"],
                                 env=_clean_env({}), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
    assert refused.stdout.strip() == "refused"


def test_serve_tls_and_env_tls_from_the_command_line(tmp_path: Path) -> None:
    from smartcar_emulator.server import free_port

    port = free_port()
    folder = tmp_path / "tls"
    server = subprocess.Popen([sys.executable, "-m", "smartcar_emulator.cli", "serve", "--port", str(port), "--db",
                               str(tmp_path / "e.db"), "--tls", "--tls-dir", str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=_clean_env({"XDG_DATA_HOME": str(tmp_path)}))
    try:
        health = f"https://127.0.0.1:{port}/health"
        _wait_https(server, health, str(folder / "ca.pem"))  # serve made the CA; env then reads it
        exported = subprocess.run([sys.executable, "-m", "smartcar_emulator.cli", "env", "--port", str(port), "--tls",
                                   "--tls-dir", str(folder)], capture_output=True, text=True, timeout=60,
                                  env=_clean_env({"XDG_DATA_HOME": str(tmp_path)}))
        assert exported.returncode == 0, exported.stderr
        variables = dict(line.removeprefix("export ").split("=", 1) for line in exported.stdout.splitlines())
        assert variables["SMARTCAR_API_ORIGIN"] == f"https://127.0.0.1:{port}"
        assert variables["NODE_EXTRA_CA_CERTS"] == str(folder / "ca.pem")
        _wait_https(server, health, variables["SSL_CERT_FILE"])
        assert httpx2.get(health, verify=ssl.create_default_context(cafile=variables["SSL_CERT_FILE"])).status_code == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _wait_https(process: subprocess.Popen[str], url: str, cafile: str) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url, verify=ssl.create_default_context(cafile=cafile)).status_code == 200:
                return
        except (httpx2.TransportError, OSError):  # not serving yet, or its CA not written yet
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"serve --tls did not start: {process.stdout.read() if process.stdout else ''}")

