"""The HTTP client under the SDK (issue 18): httpx2 only, legacy httpx clients refused at once with a clear
TypeError, TLS trust as httpx2 gives it (SSL_CERT_FILE / SSL_CERT_DIR honoured), one import direction between
the transports."""

from __future__ import annotations

import ast
import asyncio
import shutil
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

import smartcar
import smartcar.aio
from smartcar import _tls, _transport, config
from smartcar.exception import SmartcarException
from smartcar.fleet import Fleet

from .conftest import Reply, StubServer

SRC = Path(__file__).resolve().parents[2] / "src"


# -- httpx2 only --------------------------------------------------------------------------------------------
def test_nothing_imports_legacy_httpx() -> None:
    """A fresh interpreter importing every package of ours never loads httpx, httpcore or certifi."""
    code = (
        "import sys\n"
        "import smartcar, smartcar.aio, smartcar.fleet, smartcar.cli, smartcar.v3\n"
        "import smartcar_emulator.app, smartcar_emulator.cli, smartcar_emulator.scripted, smartcar_emulator.walker\n"
        "import smartcar_demo.cli, smartcar_demo.webapp\n"
        "legacy = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore', 'certifi'))\n"
        "assert not legacy, legacy\n"
        "assert 'httpx2' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _imports(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.update(f"{base}.{alias.name}" if not node.module else base for alias in node.names)
    return names


def test_the_transports_import_in_one_direction() -> None:
    """``_transport`` -> ``_async_transport`` -> ``_http``: no cycle, and the shared module imports no HTTP
    library at all."""
    package = SRC / "smartcar"
    async_imports = _imports(package / "_async_transport.py")
    assert not any(name.endswith("_transport") and "async" not in name for name in async_imports), async_imports
    shared = _imports(package / "_http.py")
    assert not any("transport" in name or "httpx" in name for name in shared), shared


# -- Legacy httpx clients: refused with a TypeError naming the parameter ------------------------------------
def _fake_legacy(name: str) -> Any:
    """An object whose class claims the legacy package (``httpx`` sets ``__module__ = "httpx"`` on its public
    classes), so the refusal is covered even where httpx is not installed."""
    return type(name, (), {"__module__": "httpx"})()


ENTRY_POINTS: list[tuple[str, Callable[[Any], Any], str, str]] = [
    ("configure_http", lambda c: smartcar.configure_http(http_client=c),
     "smartcar.configure_http(http_client=...)", "Client"),
    ("configure_http async", lambda c: smartcar.configure_http(async_http_client=c),
     "smartcar.configure_http(async_http_client=...)", "AsyncClient"),
    ("Client", lambda c: smartcar.Client(http_client=c), "smartcar.Client(http_client=...)", "Client"),
    ("AsyncClient", lambda c: smartcar.AsyncClient(http_client=c),
     "smartcar.AsyncClient(http_client=...)", "AsyncClient"),
    ("Fleet sync", lambda c: Fleet(http_client=c), "smartcar.fleet.Fleet(http_client=...)", "Client"),
    ("Fleet async", lambda c: Fleet(http_client=c), "smartcar.fleet.Fleet(http_client=...)", "AsyncClient"),
]


@pytest.fixture
def restore_http() -> Iterator[None]:
    yield
    smartcar.configure_http()


@pytest.mark.parametrize(("create", "parameter", "kind"), [entry[1:] for entry in ENTRY_POINTS],
                         ids=[entry[0] for entry in ENTRY_POINTS])
def test_a_legacy_client_is_refused_at_once(create: Callable[[Any], Any], parameter: str, kind: str,
                                            restore_http: None) -> None:
    before = _transport.get_transport()
    with pytest.raises(TypeError) as info:
        create(_fake_legacy(kind))
    message = str(info.value)
    assert message.startswith(f"{parameter} got an httpx.{kind} from the legacy 'httpx' package")
    assert f"pass an httpx2.{kind} instead" in message
    assert _transport.get_transport() is before  # nothing was reconfigured


# A real legacy client: httpx is in the dev extra only for this test (pyproject.toml says so); skipped without.
@pytest.mark.parametrize(("create", "parameter", "kind"), [entry[1:] for entry in ENTRY_POINTS],
                         ids=[entry[0] for entry in ENTRY_POINTS])
def test_a_real_httpx_client_is_refused(create: Callable[[Any], Any], parameter: str, kind: str,
                                        restore_http: None) -> None:
    httpx = pytest.importorskip("httpx")
    legacy = httpx.AsyncClient() if kind == "AsyncClient" else httpx.Client()
    try:
        with pytest.raises(TypeError, match=rf"pass an httpx2\.{kind} instead") as info:
            create(legacy)
        assert str(info.value).startswith(parameter)
    finally:
        if kind == "AsyncClient":
            asyncio.run(legacy.aclose())
        else:
            legacy.close()


# -- Anything else that is not an httpx2 client of the right kind: refused at once too --------------------------
ACCEPTS = {"Client": "httpx2.Client", "AsyncClient": "httpx2.AsyncClient"}


def _accepted(parameter: str, kind: str) -> str:
    return "httpx2.Client or httpx2.AsyncClient" if parameter.startswith("smartcar.fleet.Fleet") else ACCEPTS[kind]


@pytest.mark.parametrize(("create", "parameter", "kind"), [entry[1:] for entry in ENTRY_POINTS],
                         ids=[entry[0] for entry in ENTRY_POINTS])
@pytest.mark.parametrize(("value", "named"), [("http://127.0.0.1:8030", "str"), (30, "int"),
                                              (object(), "object")], ids=["str", "int", "object"])
def test_a_non_client_is_refused_naming_the_parameter(create: Callable[[Any], Any], parameter: str, kind: str,
                                                      value: object, named: str, restore_http: None) -> None:
    before = _transport.get_transport()
    with pytest.raises(TypeError) as info:
        create(value)
    assert str(info.value) == f"{parameter} takes an {_accepted(parameter, kind)} (or None), not {named}"
    assert _transport.get_transport() is before  # nothing was reconfigured


@pytest.mark.parametrize(("create", "parameter", "kind"), [entry[1:] for entry in ENTRY_POINTS],
                         ids=[entry[0] for entry in ENTRY_POINTS])
def test_a_requests_session_is_refused(create: Callable[[Any], Any], parameter: str, kind: str,
                                       restore_http: None) -> None:
    """The official SDK's HTTP library: a ``requests.Session`` is not silently ignored (Fleet used to fall back
    to a pool of its own) nor accepted until the first request fails."""
    requests = pytest.importorskip("requests")
    with requests.Session() as session:
        with pytest.raises(TypeError) as info:
            create(session)
    assert str(info.value) == f"{parameter} takes an {_accepted(parameter, kind)} (or None), not requests.Session"


def test_an_httpx2_client_of_the_wrong_kind_is_refused(restore_http: None) -> None:
    """The sync parameters take an ``httpx2.Client``, the async ones an ``httpx2.AsyncClient``; Fleet either."""
    sync, asynchronous = httpx2.Client(), httpx2.AsyncClient()
    try:
        with pytest.raises(TypeError, match=r"^smartcar\.Client\(http_client=\.\.\.\) takes an httpx2\.Client "
                                            r"\(or None\), not httpx2\.AsyncClient$"):
            smartcar.Client("id", "secret", http_client=asynchronous)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"^smartcar\.AsyncClient\(http_client=\.\.\.\) takes an "
                                            r"httpx2\.AsyncClient \(or None\), not httpx2\.Client$"):
            smartcar.AsyncClient("id", "secret", http_client=sync)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"^smartcar\.configure_http\(http_client=\.\.\.\) takes an "
                                            r"httpx2\.Client \(or None\), not httpx2\.AsyncClient$"):
            smartcar.configure_http(http_client=asynchronous)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"configure_http\(async_http_client=\.\.\.\) takes an httpx2\.AsyncClient"):
            smartcar.configure_http(async_http_client=sync)  # type: ignore[arg-type]
        for given in (sync, asynchronous):  # Fleet takes both, and uses the one given
            fleet = Fleet(http_client=given)
            assert (fleet._http is given) if given is asynchronous else (fleet._sync_http is given)
    finally:
        sync.close()
        asyncio.run(asynchronous.aclose())


def test_subclasses_of_legacy_clients_are_refused_and_httpx2_clients_accepted(restore_http: None) -> None:
    legacy_base = type("Client", (), {"__module__": "httpx"})
    custom = type("MyClient", (legacy_base,), {"__module__": "myapp.http"})()
    with pytest.raises(TypeError, match=r"got an httpx\.Client from the legacy 'httpx' package"):
        smartcar.Client("id", "secret", http_client=custom)
    own = httpx2.Client()
    try:
        smartcar.configure_http(http_client=own)
        assert _transport.get_transport().client is own
        with smartcar.Client("id", "secret", http_client=own) as client:
            assert client._transport.client is own
    finally:
        own.close()


def test_httpx2_alias_httpx_clients_are_httpx2_clients() -> None:
    """``httpx2.alias_httpx()`` (``import httpx`` gives httpx2) yields httpx2 classes: accepted. In a fresh
    interpreter, since the alias must come before any ``import httpx``."""
    code = ("import httpx2; httpx2.alias_httpx()\n"
            "import httpx, smartcar\n"
            "assert httpx.Client is httpx2.Client\n"
            "with httpx.Client() as own, smartcar.Client('id', 'secret', http_client=own) as client:\n"
            "    assert client._transport.client is own\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- TLS trust: httpx2's, with SSL_CERT_FILE / SSL_CERT_DIR honoured (a private CA, on loopback, offline) --
OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it (openssl CLI)."""
    if OPENSSL is None:
        pytest.skip("no openssl command")
    d = tmp_path_factory.mktemp("tls")

    def run(*args: str) -> str:
        return subprocess.run([OPENSSL, *args], cwd=d, check=True, capture_output=True, text=True).stdout

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=smartcar test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                               "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                               "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    certs = d / "certs"  # an OpenSSL hashed directory, for SSL_CERT_DIR
    certs.mkdir()
    shutil.copy(d / "ca.pem", certs / f"{run('x509', '-hash', '-noout', '-in', 'ca.pem').strip()}.0")
    return {"ca": d / "ca.pem", "dir": certs, "cert": d / "server.pem", "key": d / "server.key"}


@pytest.fixture
def https_stub(private_ca: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    """An HTTPS stub answering ``GET /v2.0/user``, the API origin pointed at it, the trust variables unset
    (this machine may set them) and fresh pools before and after."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(private_ca["cert"], private_ca["key"])
    server = StubServer(tls)
    server.server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # refused handshakes
    server.reply = Reply(200, {"id": "tls-user"})
    monkeypatch.setattr(config, "API_ORIGIN", server.url)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    smartcar.configure_http()
    yield server
    smartcar.configure_http()
    server.close()


def _fresh_pools() -> None:
    smartcar.configure_http()  # the trust store is read when a client is created: new clients read it again


def test_an_unknown_ca_is_refused(https_stub: StubServer) -> None:
    with pytest.raises(SmartcarException) as info:
        smartcar.get_user("token")
    assert info.value.message == "SDK_ERROR"
    assert isinstance(info.value.__cause__, httpx2.ConnectError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value.__cause__)
    assert info.value.reason == "tls" and str(info.value).startswith("SDK_ERROR: TLS failure talking to https://")
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)  # the cause, in the message


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_ssl_cert_file_and_dir_are_honoured(variable: str, https_stub: StubServer, private_ca: dict[str, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, str(private_ca["ca" if variable == "SSL_CERT_FILE" else "dir"]))
    _fresh_pools()
    assert smartcar.get_user("token").id == "tls-user"
    assert asyncio.run(smartcar.aio.get_user("token")).id == "tls-user"
    with smartcar.Client("id", "secret", http_client=httpx2.Client()) as client:  # a client you create, too
        assert client._transport.client.get(f"{https_stub.url}/v2.0/user").json() == {"id": "tls-user"}


def test_ssl_cert_file_replaces_the_system_store(https_stub: StubServer, private_ca: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx2 builds ``ssl.create_default_context(cafile=SSL_CERT_FILE)``: only that file is trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(private_ca["ca"]))
    context = httpx2.create_ssl_context()
    assert [cert["subject"] for cert in context.get_ca_certs()] == [((("commonName", "smartcar test CA"),),)]


def test_trust_env_false_ignores_the_variables_and_verify_takes_a_context(
        https_stub: StubServer, private_ca: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(private_ca["ca"]))
    with httpx2.Client(trust_env=False) as strict:
        smartcar.configure_http(http_client=strict)
        with pytest.raises(SmartcarException) as info:
            smartcar.get_user("token")
        assert "CERTIFICATE_VERIFY_FAILED" in str(info.value.__cause__)
    pinned = ssl.create_default_context(cafile=str(private_ca["ca"]))
    with httpx2.Client(verify=pinned, trust_env=False) as own:
        smartcar.configure_http(http_client=own)
        assert smartcar.get_user("token").id == "tls-user"


# -- One TLS context per trust setting (smartcar._tls): loading the trust store costs ~20 ms a client --------
@pytest.fixture
def contexts_built(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every TLS context httpx2 builds from now on (the real function runs; this only counts)."""
    built: list[object] = []
    real = httpx2.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        context = real(*args, **kwargs)
        built.append(context)
        return context

    monkeypatch.setattr(httpx2, "create_ssl_context", counting)
    monkeypatch.setattr(_tls, "_current", None)
    return built


def test_the_sdks_clients_share_one_tls_context(https_stub: StubServer, private_ca: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch, contexts_built: list[object]
                                                 ) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(private_ca["ca"]))
    _fresh_pools()
    assert smartcar.get_user("token").id == "tls-user"
    for _ in range(3):  # a new event loop each time: a new async client each time
        assert asyncio.run(smartcar.aio.get_user("token")).id == "tls-user"
    fleets = [Fleet(), Fleet()]
    try:
        assert len(contexts_built) == 1
        shared = contexts_built[0]
        assert all(f._sync_http is not None and f._sync_http._transport._pool._ssl_context is shared for f in fleets)
    finally:
        for fleet in fleets:
            asyncio.run(fleet.aclose())


def test_a_new_trust_setting_builds_a_new_context(https_stub: StubServer, private_ca: dict[str, Path],
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  contexts_built: list[object]) -> None:
    """Another variable, or the file SSL_CERT_FILE names replaced (a CA made again), is read on the next client."""
    bundle = tmp_path / "bundle.pem"
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run([str(OPENSSL), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(other / "ca.key"), "-out", str(bundle), "-days", "2",
                    "-subj", "/CN=another CA"], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    _fresh_pools()
    with pytest.raises(SmartcarException) as info:  # the bundle holds another CA only
        smartcar.get_user("token")
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value.__cause__)
    bundle.write_bytes(private_ca["ca"].read_bytes())  # the same path, now the right CA
    _fresh_pools()
    assert smartcar.get_user("token").id == "tls-user"
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(private_ca["dir"]))
    _fresh_pools()
    assert asyncio.run(smartcar.aio.get_user("token")).id == "tls-user"
    assert len(contexts_built) == 3 and len({id(c) for c in contexts_built}) == 3
