"""Talking to the emulator without a socket: httpx2 transports that call its ASGI app in this process.

``httpx2.ASGITransport`` already serves ``httpx2.AsyncClient``; :class:`InProcessTransport` is its synchronous
twin for ``httpx2.Client`` (the one the SDK's synchronous objects use). Each calling thread runs the app on an
event loop of its own, so there is no hand-off between threads on the way; a thread that already runs an event
loop (a synchronous call made from async code) is served by a helper thread instead.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2

CLIENT_ADDRESS = ("127.0.0.1", 50000)  # what the app sees as the peer: loopback, as for a local socket


class InProcessTransport(httpx2.BaseTransport):
    """A synchronous httpx2 transport that hands each request to an ASGI app in this process.

    >>> client = httpx2.Client(transport=InProcessTransport(app), base_url="http://127.0.0.1:8030")
    """

    def __init__(self, app: Any, client: tuple[str, int] = CLIENT_ADDRESS) -> None:
        self._asgi = httpx2.ASGITransport(app=app, client=client)
        self._local = threading.local()
        self._helper: ThreadPoolExecutor | None = None
        self._helper_lock = threading.Lock()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()  # the body as bytes, which the async transport can iterate too
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            status, headers, content = self._loop().run_until_complete(self._call(request))
        else:  # called from inside an event loop: run the app on a helper thread's loop
            status, headers, content = self._helper_pool().submit(self._run_on_helper, request).result()
        return httpx2.Response(status, headers=headers, content=content, request=request)

    async def _call(self, request: httpx2.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def _run_on_helper(self, request: httpx2.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return self._loop().run_until_complete(self._call(request))

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self._local.loop = loop
        return loop

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


def in_process_client(app: Any, base_url: str = "", **kwargs: Any) -> httpx2.Client:
    """An ``httpx2.Client`` whose every request goes to ``app`` in this process, whatever its URL's host."""
    return httpx2.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)


def in_process_async_client(app: Any, base_url: str = "", **kwargs: Any) -> httpx2.AsyncClient:
    """An ``httpx2.AsyncClient`` whose every request goes to ``app`` in this process."""
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app, client=CLIENT_ADDRESS), base_url=base_url,
                              **kwargs)
