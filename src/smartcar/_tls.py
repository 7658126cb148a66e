"""One TLS context per trust setting, shared by every HTTP client the SDK creates.

Building httpx2's default context loads the trust store: ~20 ms a client here, paid by each ``Fleet``, by the
async transport on every new event loop (each ``asyncio.run``) and after every ``configure_http()``; with the
context reused a client costs ~0.1 ms. A context is built again when the trust setting changes: the
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` variables httpx2 honours, or the file ``SSL_CERT_FILE`` names being
replaced. An ``ssl.SSLContext`` may be shared by connections in any thread and event loop.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx2

_lock = threading.Lock()
_current: tuple[tuple[object, ...], ssl.SSLContext] | None = None


def _trust_setting() -> tuple[object, ...]:
    """What httpx2's default context depends on, as read now (the system store is taken as fixed)."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    stamp: tuple[int, int] | None = None
    if cafile:
        try:
            info = os.stat(cafile)
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None  # httpx2 reports the missing file when the context is built
    return cafile, stamp, os.environ.get("SSL_CERT_DIR") or None


def shared_ssl_context() -> ssl.SSLContext:
    """httpx2's default verifying context for the current trust setting, built once and then reused."""
    global _current
    setting = _trust_setting()
    with _lock:
        if _current is None or _current[0] != setting:
            _current = (setting, httpx2.create_ssl_context())
        return _current[1]
