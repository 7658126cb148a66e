"""The async transport: sends bytes over a pooled ``httpx2.AsyncClient``. No Smartcar logic.

An ``httpx2.AsyncClient`` belongs to the event loop it first ran on, so the transport keeps one client per
running loop (a script calling ``asyncio.run`` twice gets a fresh pool the second time; clients of closed
loops are dropped). A client you pass in is used as is, on whatever loop you use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx2

from ._http import DEFAULT_TIMEOUT, drop_none
from ._tls import shared_ssl_context


class AsyncTransport:
    """Owns lazily created ``httpx2.AsyncClient`` objects, one per event loop (or uses the one given)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, client: httpx2.AsyncClient | None = None) -> None:
        self.timeout = timeout
        self._given = client
        self._clients: dict[asyncio.AbstractEventLoop, httpx2.AsyncClient] = {}

    @property
    def client(self) -> httpx2.AsyncClient:
        """The client for the running loop (call from a coroutine)."""
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for stale in [other for other in self._clients if other.is_closed()]:
                del self._clients[stale]  # its loop is gone: nothing left to await its close on
            client = self._clients[loop] = httpx2.AsyncClient(timeout=self.timeout, follow_redirects=True,
                                                               verify=shared_ssl_context())
        return client

    async def send(self, method: str, url: str, *, headers: Mapping[str, str] | None = None, params: Any = None,
                   json: Any = None, data: Any = None, auth: tuple[str, str] | None = None,
                   timeout: float | None = None) -> httpx2.Response:
        """Send one request; ``None`` arguments are omitted (requests-compatible keyword names)."""
        return await self.client.request(
            method, url, headers=headers, params=drop_none(params), json=json, data=drop_none(data),
            auth=auth, timeout=httpx2.USE_CLIENT_DEFAULT if timeout is None else timeout)

    async def aclose(self) -> None:
        """Close the running loop's pooled client (a client passed in is left to its owner)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - called outside a loop
            return
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()


_default = AsyncTransport()


def get_transport() -> AsyncTransport:
    """The process-wide async transport used by ``smartcar.helpers.async_requester``."""
    return _default


def configure(timeout: float | None = None, http_client: httpx2.AsyncClient | None = None) -> AsyncTransport:
    """Replace the process-wide async transport (the old pools are dropped; close yours yourself)."""
    global _default
    _default = AsyncTransport(timeout=DEFAULT_TIMEOUT if timeout is None else timeout, client=http_client)
    return _default
