"""Running the emulator: in the foreground (CLI) or in a background thread (tests, demos, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import create_app
from .origins import origin_env  # noqa: F401 - re-exported (cli, testing)
from .platform.apps import Application
from .platform.core import Platform
from .serving import GuardedHttpProtocol, uvicorn_options
from .store import Database
from .tls import TlsFiles


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class EmulatorServer:
    """An emulator on a loopback port, in a background thread.

    >>> with EmulatorServer() as emulator:
    ...     app = emulator.register_app(redirect_uris=["http://localhost:8000/exchange"])
    ...     emulator.url  # point SMARTCAR_* origins here
    """

    def __init__(self, db: str = ":memory:", host: str = "127.0.0.1", port: int | None = None,
                 platform: Platform | None = None, *, trust_proxy: bool = False,
                 protocol: type[GuardedHttpProtocol] = GuardedHttpProtocol, tls: TlsFiles | None = None) -> None:
        """``tls``: serve HTTPS with these files (:func:`smartcar_emulator.tls.ensure`)."""
        self.host = host
        self.tls = tls
        self.port = port or free_port(host)
        self.platform = platform or Platform(Database(db))
        self.platform.control_hosts = {host}
        self.app = create_app(self.platform)
        config = uvicorn.Config(self.app, host=host, port=self.port, lifespan="off",
                                ssl_certfile=str(tls.server_cert) if tls else None,
                                ssl_keyfile=str(tls.server_key) if tls else None,
                                **uvicorn_options(trust_proxy, protocol))
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment variables that point the SDKs at this emulator (and make them trust its CA)."""
        return {**origin_env(self.url), **(self.tls.env() if self.tls else {})}

    def register_app(self, redirect_uris: list[str] | None = None, **kwargs: str) -> Application:
        return self.platform.apps.register(redirect_uris=redirect_uris or ["http://localhost:8000/exchange"],
                                           **kwargs)

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self._server.run, name="smartcar-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start on {self.url}")
            time.sleep(0.01)
        self.app.state.delivery.start()  # webhook deliveries (uvicorn's lifespan is off here)
        return self

    def stop(self) -> None:
        self.app.state.delivery.stop()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.platform.db.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
