"""A real webhook receiver on a loopback port (stdlib HTTP server + smartcar.webhooks.Receiver), for tests and
benchmarks: it records every request, can refuse the next N events with a 500, and can go down and come back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smartcar import webhooks


class ReceiverServer:
    def __init__(self, amt: str, port: int = 0, answer_verify: bool = True) -> None:
        self.amt = amt
        self.port = port
        self.answer_verify = answer_verify
        self.fail_next = 0
        self.hold: threading.Event | None = None  # set: event requests wait for it (a hung receiver)
        self.requests: list[tuple[dict[str, str], bytes, int]] = []  # headers, body, status answered
        self.handled: list[webhooks.Event] = []
        self.on_event: Callable[[webhooks.Event], None] | None = None
        self.receiver = webhooks.Receiver(amt, self._handle)
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    def _handle(self, event: webhooks.Event) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise RuntimeError("the receiver's database is down")
            self.handled.append(event)
        if self.on_event:
            self.on_event(event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def start(self) -> ReceiverServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.hold is not None and b"VERIFY" not in body and b'"verify"' not in body:
                    outer.hold.wait(30)
                signature = self.headers.get(webhooks.SIGNATURE_HEADER)
                reply = outer.receiver.handle(body, signature)
                if not outer.answer_verify and "challenge" in reply.body:
                    reply = webhooks.Reply(200, {"challenge": "0" * 64})
                data = json.dumps(reply.body).encode()
                with outer._lock:
                    outer.requests.append((dict(self.headers.items()), body, reply.status))
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Decoded bodies of the non-VERIFY requests received (optionally of one v3 event type)."""
        with self._lock:
            bodies = [json.loads(body) for _, body, _ in self.requests]
        return [b for b in bodies if b.get("eventType") != "VERIFY" and b.get("eventName") != "verify"
                and (event_type is None or b.get("eventType") == event_type)]


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
