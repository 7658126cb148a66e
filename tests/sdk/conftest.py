"""SDK test fixtures: point ``smartcar.config`` (both name sets) and the credential env vars at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import smartcar
from smartcar import config
from smartcar_emulator.server import EmulatorServer

CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"
AMT = "test-amt"
REDIRECT_URI = "http://localhost:8000/exchange"


@pytest.fixture(autouse=True)
def sdk_env(emulator: EmulatorServer, application: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """Every SDK test talks to the emulator; origins are patched through the 6.19 names (the 6.17 ones follow)."""
    env = emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(config, "API_ORIGIN", env["SMARTCAR_API_ORIGIN"])
    monkeypatch.setattr(config, "AUTH_ORIGIN", env["SMARTCAR_AUTH_ORIGIN"])
    monkeypatch.setattr(config, "CONNECT_ORIGIN", env["SMARTCAR_CONNECT_ORIGIN"])
    monkeypatch.setattr(config, "MANAGEMENT_API_ORIGIN", env["SMARTCAR_MANAGEMENT_API_ORIGIN"])
    monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", env["SMARTCAR_VEHICLE_API_V3_ORIGIN"])
    monkeypatch.setattr(config, "IAM_ORIGIN", env["SMARTCAR_IAM_ORIGIN"])
    monkeypatch.setattr(config, "MANAGEMENT_API_V3_ORIGIN", env["SMARTCAR_MANAGEMENT_API_V3_ORIGIN"])
    monkeypatch.setattr(config, "COMPATIBILITY_API_ORIGIN", env["SMARTCAR_COMPATIBILITY_API_ORIGIN"])
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", REDIRECT_URI)
    monkeypatch.setattr(smartcar.smartcar, "API_VERSION", "2.0")
    yield emulator


@pytest.fixture(scope="session")
def tesla(connect_vehicle: Any) -> dict[str, Any]:
    """A test-mode Tesla connected with every scope (shared: tests must not disconnect it)."""
    return connect_vehicle(email="sdk-shared-tesla@example.com")


@pytest.fixture
def vehicle(tesla: dict[str, Any]) -> smartcar.Vehicle:
    return smartcar.Vehicle(tesla["vehicle_ids"][0], tesla["access_token"])


@pytest.fixture
def client() -> smartcar.AuthClient:
    return smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, mode="test")


# -- A tiny local HTTP stub, only for cases the emulator cannot produce ---------------------------------------
import json as _json  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # str/bytes sent as is, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer (until the test ends): for timeouts


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    port: int


class StubServer:
    """Answers every request with ``self.reply`` and records what it saw (including the client port).
    With ``tls`` (a server-side ``ssl.SSLContext``) it serves HTTPS (handshakes in the handler threads)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.reply = Reply()
        self.seen: list[Seen] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body,
                                      self.client_address[1]))
                reply = stub.reply
                if reply.hang:
                    stub.release.wait(30)
                    return
                if isinstance(reply.body, bytes):
                    payload = reply.body
                elif isinstance(reply.body, str):
                    payload = reply.body.encode()
                else:
                    payload = _json.dumps(reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for key, value in headers.items():
                    if value is not None:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()
