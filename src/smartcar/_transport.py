"""The transport: sends bytes over one pooled, keep-alive ``httpx2.Client`` per process. No Smartcar logic.

Imports go one way: ``_transport`` -> ``_async_transport`` -> ``_http`` (what both share).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import httpx2

from . import _async_transport
from ._http import DEFAULT_TIMEOUT, check_http_client, drop_none
from ._retry import NO_RETRIES, RetryPolicy
from ._tls import shared_ssl_context


class Response:
    """A thin view of an ``httpx2.Response`` adding ``.ok`` (as ``requests`` has); other attributes delegate."""

    __slots__ = ("raw",)

    def __init__(self, raw: httpx2.Response) -> None:
        self.raw = raw

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def ok(self) -> bool:
        return self.raw.status_code < 400

    @property
    def headers(self) -> httpx2.Headers:
        return self.raw.headers

    @property
    def text(self) -> str:
        return self.raw.text

    @property
    def content(self) -> bytes:
        return self.raw.content

    def json(self, **kwargs: Any) -> Any:
        return self.raw.json(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"<smartcar Response [{self.raw.status_code}]>"


class SyncTransport:
    """Owns a lazily created ``httpx2.Client`` (re-created in a forked child process)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, client: httpx2.Client | None = None) -> None:
        self.timeout = timeout
        self._client = client
        self._pid = os.getpid() if client is not None else -1
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx2.Client:
        client = self._client
        if client is None or self._pid != os.getpid():
            with self._lock:
                if self._client is None or self._pid != os.getpid():
                    self._client = httpx2.Client(timeout=self.timeout, follow_redirects=True, verify=shared_ssl_context())
                    self._pid = os.getpid()
                client = self._client
        return client

    def send(self, method: str, url: str, *, headers: Mapping[str, str] | None = None, params: Any = None,
             json: Any = None, data: Any = None, auth: tuple[str, str] | None = None,
             timeout: float | None = None) -> httpx2.Response:
        """Send one request; ``None`` arguments are omitted (requests-compatible keyword names)."""
        return self.client.request(
            method, url, headers=headers, params=drop_none(params), json=json, data=drop_none(data),
            auth=auth, timeout=httpx2.USE_CLIENT_DEFAULT if timeout is None else timeout)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


_default = SyncTransport()
_policy: RetryPolicy = NO_RETRIES  # the official surface never retried: opt in with configure(max_retries=...)


def get_transport() -> SyncTransport:
    """The process-wide transport used by ``smartcar.helpers.requester``."""
    return _default


def retry_policy() -> RetryPolicy:
    """The process-wide retry policy of the official-surface objects (module functions, ``Vehicle``,
    ``AuthClient`` and their async twins). Off (``max_retries=0``) unless configured."""
    return _policy


def configure(timeout: float | None = None, http_client: httpx2.Client | None = None, *,
              max_retries: int | None = None, retry_budget: float | None = None,
              retry_policy: RetryPolicy | None = None,
              async_http_client: httpx2.AsyncClient | None = None) -> SyncTransport:
    """Process-wide HTTP settings of the official-surface objects (module functions, ``Vehicle``,
    ``AuthClient``, ``smartcar.aio``, ``AsyncVehicle``, ``AsyncAuthClient``).

    ``timeout``/``http_client``/``async_http_client`` replace the pooled clients; ``max_retries``,
    ``retry_budget`` (seconds) or a whole ``retry_policy`` change retries and leave the pools alone.
    Called without arguments it restores every default (new pools, retries off). Anything but an
    ``httpx2.Client`` / ``httpx2.AsyncClient`` (or None) raises ``TypeError`` before anything changes (a legacy
    ``httpx`` client with what to import instead).
    """
    global _default, _policy
    check_http_client(http_client, "smartcar.configure_http(http_client=...)", (httpx2.Client,))
    check_http_client(async_http_client, "smartcar.configure_http(async_http_client=...)", (httpx2.AsyncClient,))
    reset = all(value is None for value in (timeout, http_client, max_retries, retry_budget, retry_policy,
                                            async_http_client))
    if reset or timeout is not None or http_client is not None or async_http_client is not None:
        old = _default
        _default = SyncTransport(timeout=DEFAULT_TIMEOUT if timeout is None else timeout, client=http_client)
        if old is not _default and old._client is not http_client:
            old.close()
        _async_transport.configure(timeout, async_http_client)
    if reset:
        _policy = NO_RETRIES
    if retry_policy is not None:
        _policy = retry_policy
    if max_retries is not None or retry_budget is not None:
        base = _policy if _policy is not NO_RETRIES or max_retries is None else RetryPolicy()
        _policy = base.with_changes(max_retries=max_retries, budget=retry_budget)
    return _default
