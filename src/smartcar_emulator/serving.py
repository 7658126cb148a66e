"""How the emulator is served: uvicorn settings shared by ``serve`` and ``EmulatorServer``, a hardened HTTP
protocol (header limits, slow-client timeouts), and, for ``--workers N``, worker processes that die with
their parent.

* **Header limits**: a request head over ``MAX_HEAD_BYTES`` (64 KiB) or with more than ``MAX_HEADERS`` (100)
  header lines is answered ``431 Request Header Fields Too Large`` and the connection closed, before the
  app runs and before the rest is buffered.
* **Slow clients**: a request head not complete ``HEAD_TIMEOUT`` seconds after its first byte (or after the
  connection opened), or a body that stops arriving for ``BODY_TIMEOUT`` seconds, is answered
  ``408 Request Timeout`` (when no response has started) and the connection closed. Idle keep-alive
  connections close after uvicorn's ``timeout_keep_alive`` (5 s).
* **Proxy headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``, ``Forwarded``) are ignored unless
  ``trust_proxy`` (``serve --trust-proxy``): the client address the control API's loopback check sees is the
  socket's, whatever ``FORWARDED_ALLOW_IPS`` says.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0

_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header limits and slow-client timeouts (see the module docstring).
    Subclass and change the class attributes for other limits (tests use short timeouts)."""

    max_head_bytes = MAX_HEAD_BYTES
    max_headers = MAX_HEADERS
    head_timeout = HEAD_TIMEOUT
    body_timeout = BODY_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._header_count = 0
        self._in_head = True
        self._in_body = False
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    # -- timers ------------------------------------------------------------------------------------------------
    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self._in_head or self._in_body:
            self._refuse(408, b"The request did not arrive in time.")

    def _refuse(self, status: int, message: bytes) -> None:
        """Answer ``status`` (unless a response already started) and close the connection."""
        if self._refused or self.transport is None or self.transport.is_closing():
            return
        self._refused = True
        self._disarm()
        current = None if self._in_head else self.cycle  # in a head, self.cycle is the previous request's
        if current is None or not current.response_started:
            self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                 b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                                 % (status, _REASONS[status], len(message), message))
        if current is not None:
            current.disconnected = True
            current.message_event.set()
        self.transport.close()

    # -- protocol hooks -------------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes + 65536:  # far past the limit: stop buffering now
                self._refuse(431, b"The request headers are too large.")
                return
        elif self._in_body:
            self._arm(self.body_timeout)
        super().data_received(data)

    def on_message_begin(self) -> None:
        if self._refused:
            return
        super().on_message_begin()
        if not self._in_head:  # a new request on a kept-alive connection
            self._in_head = True
            self._head_bytes = 0
            self._arm(self.head_timeout)
        self._header_count = 0

    def on_url(self, url: bytes) -> None:
        if self._refused:
            return
        super().on_url(url)
        if len(self.url) > self.max_head_bytes:
            self._refuse(431, b"The request line is too long.")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        self._header_count += 1
        if self._header_count > self.max_headers:
            self._refuse(431, b"Too many request headers.")
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.max_head_bytes:
            self._refuse(431, b"The request headers are too large.")
            return
        self._in_head = False
        self._in_body = True
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._refused or self.cycle is None:
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused or self.cycle is None:
            return
        self._in_body = False
        self._disarm()
        super().on_message_complete()


def uvicorn_options(trust_proxy: bool = False, protocol: type[GuardedHttpProtocol] = GuardedHttpProtocol,
                    workers: int = 1) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` shared by ``serve`` and ``EmulatorServer``.

    The event loop depends on ``workers``, as measured (``bench/bench_emulator.py --loop asyncio,uvloop``,
    bench/RESULTS.md). libuv, under uvloop, accepts one connection per loop iteration (libuv PR #3696), and a
    busy emulator's iteration carries every in-flight request: a burst of 32 new connections under load had
    its last one accepted ~230 ms after the first, which alone made a 32-connection wrk run's p99 26-65 ms
    and its p99.9 ~150 ms. asyncio accepts every pending connection at once: p99 15-19 ms, p99.9 under 25 ms,
    same reads/s. So one process serves on asyncio. With several workers sharing the listening socket,
    asyncio's greedy accept hands a whole burst to whichever worker wakes first (two workers served no more
    than one), while accepting one at a time spreads the connections across them: ``--workers N`` keeps
    uvloop (when installed).
    """
    loop = "asyncio" if workers <= 1 else "auto"  # auto: uvloop if installed
    return {"http": protocol, "loop": loop, "proxy_headers": trust_proxy, "log_level": "warning",
            "access_log": False, "timeout_keep_alive": 5}


# -- Workers die with their parent -----------------------------------------------------------------------------
PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask Linux to send this process SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``), so that a
    ``kill -9`` of ``serve --workers N`` leaves no worker holding the port. If the parent is already gone
    (it died before the call), exit at once. Returns False where unsupported (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)
    return True


# -- ports ------------------------------------------------------------------------------------------------------
def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (in use: by which process when we can tell, and a free port to
    use instead; or the OS's reason), or None when it can."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return f"cannot listen on {host}:{port}: {error.strerror or error}"
        else:
            return None
    owner = listening_process(port)
    by = f" by {owner}" if owner else " by another process"
    return f"port {port} on {host} is already in use{by}: pick another with --port (e.g. --port {free_port(host)})"


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free now."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def listening_process(port: int) -> str | None:
    """``name (pid N)`` of the process listening on ``port`` (Linux /proc, our own user's processes), or None."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as file:
                next(file, None)
                for line in file:
                    fields = line.split()
                    if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{fields[9]}]")
        except (OSError, ValueError):
            return None
    if not inodes:
        return None
    try:
        pids = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    with open(f"/proc/{pid}/cmdline", "rb") as file:
                        command = " ".join(file.read().replace(b"\0", b" ").decode(errors="replace").split())
                    return f"{command[:80] or '?'} (pid {pid})"
        except OSError:
            continue
    return None
