"""The pytest plugin (entry point ``smartcar_emulator``): the emulator as fixtures of a user's test suite.

Fixtures:

* ``smartcar_emulator`` (session): a running emulator (:class:`Emulator`) on a free port with an in-memory
  database and one registered application.
* ``smartcar_env``: resets the emulator, then points every Smartcar SDK at it for the test (``SMARTCAR_*``
  origins and credentials in the environment, ``smartcar.config`` patched). Returns the emulator.
* ``smartcar_connect``: a function that walks Connect for a new user and returns :class:`Connected`.
* ``smartcar_vehicle``: a connected ``smartcar.Vehicle``.
* ``smartcar_in_process``: like ``smartcar_env``, with the SDK's HTTP clients reaching the emulator with no socket.

``@pytest.mark.smartcar(make=..., mode=..., scopes=..., flow=..., email=...)`` sets what ``smartcar_connect``
and ``smartcar_vehicle`` connect by default. Options: ``--smartcar-emulator-url URL`` (or the ini value
``smartcar_emulator_url``) uses an emulator you started instead of starting one.

This module imports only pytest at load time: it is loaded by every pytest run where the package is installed,
also without the ``emulator`` extra, and only the fixtures need the extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import smartcar

    from .emulator import Connected, Emulator

MARKER = "smartcar"
CONNECT_OPTIONS = ("scopes", "make", "mode", "email", "password", "flow")
# smartcar.config names of the official SDK 6.19 and 6.17 (and ours, which has both), with the variable each reads.
CONFIG_NAMES = {"API_ORIGIN": "SMARTCAR_API_ORIGIN", "API_URL": "SMARTCAR_API_ORIGIN",
                "AUTH_ORIGIN": "SMARTCAR_AUTH_ORIGIN", "AUTH_URL": "SMARTCAR_AUTH_ORIGIN",
                "CONNECT_ORIGIN": "SMARTCAR_CONNECT_ORIGIN", "CONNECT_URL": "SMARTCAR_CONNECT_ORIGIN",
                "MANAGEMENT_API_ORIGIN": "SMARTCAR_MANAGEMENT_API_ORIGIN",
                "MANAGEMENT_API_URL": "SMARTCAR_MANAGEMENT_API_ORIGIN",
                "VEHICLE_API_ORIGIN": "SMARTCAR_VEHICLE_API_V3_ORIGIN", "IAM_ORIGIN": "SMARTCAR_IAM_ORIGIN",
                "MANAGEMENT_API_V3_ORIGIN": "SMARTCAR_MANAGEMENT_API_V3_ORIGIN",
                "COMPATIBILITY_API_ORIGIN": "SMARTCAR_COMPATIBILITY_API_ORIGIN"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smartcar-emulator", "Smartcar emulator")
    group.addoption("--smartcar-emulator-url", default=None,
                    help="Use the emulator running at this URL instead of starting one (its control API must "
                         "answer this machine).")
    parser.addini("smartcar_emulator_url", "Use the emulator running at this URL instead of starting one.")
    parser.addini("smartcar_client_id", "client_id of the application the fixtures register.")
    parser.addini("smartcar_client_secret", "client_secret of the application the fixtures register.")
    parser.addini("smartcar_redirect_uri", "redirect URI of the application the fixtures register.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "smartcar(make='TESLA', mode='test', scopes=[...], flow='code', email=None): what the "
                   "smartcar_connect and smartcar_vehicle fixtures connect by default")


def _require_extra() -> None:
    missing = [name for name in ("fastapi", "uvicorn", "jinja2", "multipart") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"the smartcar emulator fixtures need the 'emulator' extra (missing: {', '.join(missing)}): "
                    "pip install 'smartcar-toolkit[emulator]'", pytrace=False)


@pytest.fixture(scope="session")
def smartcar_emulator(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """A running emulator for the whole session (in-memory database, one registered application)."""
    from .emulator import AppCredentials, Emulator, start

    changes = {field: pytestconfig.getini(f"smartcar_{field}")
               for field in ("client_id", "client_secret", "redirect_uri")}
    app = AppCredentials(**{k: v for k, v in changes.items() if v})
    url = pytestconfig.getoption("smartcar_emulator_url") or pytestconfig.getini("smartcar_emulator_url")
    if url:
        emulator = Emulator.attach(url, app)
    else:
        _require_extra()
        emulator = start(app=app)
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture
def smartcar_env(smartcar_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The emulator, reset, with every SDK pointed at it for this test: ``smartcar.AuthClient()``,
    ``smartcar.Client()`` and the official SDK work with no arguments."""
    smartcar_emulator.reset()
    env = smartcar_emulator.env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        import smartcar.config as config
    except ImportError:  # no SDK installed: the environment is all other programs need
        return smartcar_emulator
    for attribute, variable in CONFIG_NAMES.items():
        if hasattr(config, attribute):
            monkeypatch.setattr(config, attribute, env[variable])
    return smartcar_emulator


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # the closest marker wins
        unknown = set(marker.kwargs) - set(CONNECT_OPTIONS)
        if marker.args or unknown:
            raise pytest.UsageError(f"@pytest.mark.smartcar takes keywords {', '.join(CONNECT_OPTIONS)}; "
                                    f"got {', '.join(map(repr, marker.args)) or ', '.join(sorted(unknown))}")
        options.update(marker.kwargs)
    return options


@pytest.fixture
def smartcar_connect(smartcar_env: Emulator, request: pytest.FixtureRequest) -> Callable[..., Connected]:
    """``smartcar_connect(make=..., mode=..., scopes=..., flow="code"|"user", email=...)`` walks Connect for a
    new user and returns :class:`Connected` (tokens, ``user_id``, ``vehicle_ids``, ``.vehicle()``).
    Defaults come from ``@pytest.mark.smartcar(...)``."""
    defaults = _marker_options(request)

    def connect(**options: Any) -> Connected:
        return smartcar_env.connect(**{**defaults, **options})

    return connect


@pytest.fixture
def smartcar_vehicle(smartcar_connect: Callable[..., Connected]) -> smartcar.Vehicle:
    """A connected ``smartcar.Vehicle`` (code flow; make, mode and scopes from ``@pytest.mark.smartcar``)."""
    return smartcar_connect().vehicle()


@pytest.fixture
def smartcar_in_process(smartcar_env: Emulator) -> Iterator[Emulator]:
    """``smartcar_env`` with the SDK's process-wide HTTP clients (official surface, sync and async) reaching the
    emulator in this process, with no socket. For ``smartcar.Client``, pass ``http_client=emulator.http_client()``."""
    import smartcar

    if not hasattr(smartcar, "configure_http"):
        pytest.fail("smartcar_in_process needs smartcar-toolkit's SDK (smartcar.configure_http)", pytrace=False)
    sync_client, async_client = smartcar_env.http_client(), smartcar_env.async_http_client()
    smartcar.configure_http(http_client=sync_client, async_http_client=async_client)
    try:
        yield smartcar_env
    finally:
        smartcar.configure_http()
        sync_client.close()
