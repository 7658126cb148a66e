"""Talking to the emulator without a socket: httpx2 transports that call its ASGI app in this process.

:class:`InProcessTransport` serves ``httpx2.Client`` (the SDK's synchronous objects), :class:`AsyncInProcessTransport`
serves ``httpx2.AsyncClient``. Each synchronous calling thread runs the app on an event loop of its own, so there
is no hand-off between threads on the way; a thread that already runs an event loop (a synchronous call made from
async code) is served by a helper thread instead.

Both call the app directly with one ASGI scope (``httpx2.ASGITransport`` works too, but probes for trio with an
import attempt on every request, which costs more than the rest of the bridge).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2

CLIENT_ADDRESS = ("127.0.0.1", 50000)  # what the app sees as the peer: loopback, as for a local socket
Reply = tuple[int, list[tuple[bytes, bytes]], bytes]


async def call_app(app: Any, request: httpx2.Request, body: bytes, client: tuple[str, int]) -> Reply:
    """Run one HTTP request through an ASGI app; returns status, raw headers and the whole body."""
    url = request.url
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
        "headers": [(k.lower(), v) for k, v in request.headers.raw], "scheme": url.scheme, "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0], "query_string": url.query, "server": (url.host, url.port),
        "client": client, "root_path": "",
    }
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    parts: list[bytes] = []
    body_sent = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()  # nothing more to read: the client "disconnects" once the response is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            if request.method != "HEAD":
                parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    finally:
        done.set()
    return status, headers, b"".join(parts)


class InProcessTransport(httpx2.BaseTransport):
    """A synchronous httpx2 transport that hands each request to an ASGI app in this process.

    >>> client = httpx2.Client(transport=InProcessTransport(app), base_url="http://127.0.0.1:8030")
    """

    def __init__(self, app: Any, client: tuple[str, int] = CLIENT_ADDRESS) -> None:
        self.app = app
        self.client = client
        self._local = threading.local()
        self._helper: ThreadPoolExecutor | None = None
        self._helper_lock = threading.Lock()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            status, headers, content = self._run(request, body)
        else:  # called from inside an event loop: run the app on a helper thread's loop
            status, headers, content = self._helper_pool().submit(self._run, request, body).result()
        return httpx2.Response(status, headers=headers, content=content, request=request)

    def _run(self, request: httpx2.Request, body: bytes) -> Reply:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(call_app(self.app, request, body, self.client))

    def _helper_pool(self) -> ThreadPoolExecutor:
        with self._helper_lock:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smartcar-emulator-in-process")
            return self._helper

    def close(self) -> None:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is not None and not loop.is_running():
            loop.close()
        if self._helper is not None:
            self._helper.shutdown(wait=False)
            self._helper = None


class AsyncInProcessTransport(httpx2.AsyncBaseTransport):
    """The ``httpx2.AsyncClient`` twin of :class:`InProcessTransport`: the app runs on the caller's event loop."""

    def __init__(self, app: Any, client: tuple[str, int] = CLIENT_ADDRESS) -> None:
        self.app = app
        self.client = client

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        status, headers, content = await call_app(self.app, request, body, self.client)
        return httpx2.Response(status, headers=headers, content=content, request=request)


def in_process_client(app: Any, base_url: str = "", **kwargs: Any) -> httpx2.Client:
    """An ``httpx2.Client`` whose every request goes to ``app`` in this process, whatever its URL's host."""
    return httpx2.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)


def in_process_async_client(app: Any, base_url: str = "", **kwargs: Any) -> httpx2.AsyncClient:
    """An ``httpx2.AsyncClient`` whose every request goes to ``app`` in this process."""
    return httpx2.AsyncClient(transport=AsyncInProcessTransport(app), base_url=base_url, **kwargs)
