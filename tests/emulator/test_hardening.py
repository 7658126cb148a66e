"""Attacks on the emulator, each sent for real over loopback and refused: a web page driving the control API
or the panel (cross-site text/plain and form POSTs, foreign Origin, Sec-Fetch-Site, a missing or wrong CSRF
token), DNS rebinding (a foreign Host), spoofed proxy headers, header floods, slow clients, oversized
bodies; and after all of them the server still answers, without a 5xx."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar_emulator.serving import GuardedHttpProtocol
from smartcar_emulator.server import EmulatorServer

EVIL = "http://evil.example"
JSON = {"Content-Type": "application/json"}


class QuickProtocol(GuardedHttpProtocol):
    """Short slow-client timeouts, so the slow-client probes end quickly."""

    head_timeout = 0.5
    body_timeout = 0.5


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(protocol=QuickProtocol) as emulator:
        yield emulator


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=10) as client:
        yield client


def faults(http: httpx2.Client) -> list[Any]:
    return http.get("/_emulator/faults").json()["faults"]


def refused(response: httpx2.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert words in body["description"] and response.headers["sc-request-id"]


# -- Control API: a web page must not drive it ---------------------------------------------------------------
def test_scripts_and_sdks_still_work(http: httpx2.Client) -> None:
    """What the tests, the pytest plugin and bench send: JSON from loopback, no Origin, Host 127.0.0.1:<port>."""
    created = http.post("/_emulator/faults", json={"kind": "asleep"})
    assert created.status_code == 201
    assert http.delete(f"/_emulator/faults/{created.json()['id']}").status_code == 200
    assert http.post("/_emulator/clock/advance", json={"seconds": 1}).status_code == 200
    same_origin = {"Origin": str(http.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"}
    assert http.get("/_emulator/clock", headers=same_origin).status_code == 200
    assert http.post("/_emulator/faults", headers={"Sec-Fetch-Site": "none"}).status_code != 403  # typed URL


def test_cross_site_text_plain_post_cannot_add_a_fault(http: httpx2.Client) -> None:
    """``fetch(url, {method: "POST", mode: "no-cors", body: JSON})`` sends text/plain without a preflight."""
    before = faults(http)
    response = http.post("/_emulator/faults", content=b'{"kind": "rate_limit"}',
                         headers={"Content-Type": "text/plain;charset=UTF-8"})
    refused(response, 415, "application/json")
    response = http.post("/_emulator/faults", content=b'{"kind": "rate_limit"}',
                         headers={"Content-Type": "text/plain", "Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert faults(http) == before


def test_cross_site_form_cannot_advance_the_clock(http: httpx2.Client) -> None:
    before = http.get("/_emulator/clock").json()["timestamp"]
    form = http.post("/_emulator/clock/advance", data={"seconds": "3600"})  # a bare form: no JSON
    refused(form, 415, "application/json")
    browser = http.post("/_emulator/clock/advance", data={"seconds": "3600"},
                        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    refused(browser, 403, "Cross-origin")
    assert http.get("/_emulator/clock").json()["timestamp"] - before < 60


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:1"},
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
], ids=["foreign-origin", "null-origin", "other-port", "cross-site", "same-site"])
def test_cross_origin_json_is_refused_even_with_the_right_content_type(http: httpx2.Client,
                                                                        headers: dict[str, str]) -> None:
    response = http.post("/_emulator/faults", json={"kind": "rate_limit"}, headers=headers)
    assert response.status_code == 403 and response.json()["type"] == "PERMISSION"
    assert http.get("/_emulator/vehicles", headers=headers).status_code == 403  # reads leak state: refused too
    assert not [f for f in faults(http) if f["kind"] == "rate_limit"]


def test_following_a_link_to_the_panel_works_but_a_cross_site_fetch_does_not(http: httpx2.Client) -> None:
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert http.get("/_emulator/panel", headers=link).status_code == 200
    fetch = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    assert http.get("/_emulator/panel", headers=fetch).status_code == 403
    assert http.post("/_emulator/panel/global", headers=link, data={"do": "faults_clear"}).status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "attacker.test:{port}", "10.0.0.1:{port}"])
def test_dns_rebinding_foreign_host_is_refused_with_a_clear_error(http: httpx2.Client, server: EmulatorServer,
                                                                   host: str) -> None:
    response = http.get("/_emulator/vehicles", headers={"Host": host.format(port=server.port)})
    refused(response, 403, "DNS rebinding")
    assert "--allowed-host" in response.json()["description"]
    assert http.get("/_emulator/panel", headers={"Host": host.format(port=server.port)}).status_code == 403


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST"])
def test_loopback_names_are_allowed(http: httpx2.Client, server: EmulatorServer, host: str) -> None:
    assert http.get("/_emulator/vehicles", headers={"Host": host.format(port=server.port)}).status_code == 200


def test_the_smartcar_api_is_not_restricted_by_host(http: httpx2.Client) -> None:
    """Only the control surface is guarded: the emulated Smartcar hosts answer any Host (one origin plays all)."""
    assert http.get("/health", headers={"Host": "api.smartcar.com"}).status_code == 200


# -- Panel: CSRF ----------------------------------------------------------------------------------------------
def test_panel_forms_need_the_csrf_token(http: httpx2.Client) -> None:
    page = http.get("/_emulator/panel")
    token = http.cookies.get("smartcar_emulator_csrf")
    assert page.status_code == 200 and token and f'name="csrf" value="{token}"' in page.text
    before = http.get("/_emulator/clock").json()["timestamp"]
    missing = http.post("/_emulator/panel/global", data={"do": "advance", "seconds": "3600"})
    refused(missing, 403, "CSRF")
    wrong = http.post("/_emulator/panel/global", data={"do": "advance", "seconds": "3600", "csrf": "guess"})
    refused(wrong, 403, "CSRF")
    cross = http.post("/_emulator/panel/global", data={"do": "advance", "seconds": "3600", "csrf": token},
                      headers={"Origin": EVIL})
    assert cross.status_code == 403
    assert http.get("/_emulator/clock").json()["timestamp"] - before < 60
    ok = http.post("/_emulator/panel/global", data={"do": "advance", "seconds": "3600", "csrf": token},
                   headers={"Origin": str(http.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 303 and http.get("/_emulator/clock").json()["timestamp"] - before >= 3600
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_token_without_its_cookie_is_refused(server: EmulatorServer) -> None:
    """An attacker who knows a token (they do not) still cannot send the victim's cookie with it."""
    with httpx2.Client(base_url=server.url) as victim:
        victim.get("/_emulator/panel")
        token = victim.cookies["smartcar_emulator_csrf"]
    with httpx2.Client(base_url=server.url) as attacker:
        response = attacker.post("/_emulator/panel/global", data={"do": "faults_clear", "csrf": token})
    assert response.status_code == 403


# -- Proxy headers ------------------------------------------------------------------------------------------
def test_spoofed_proxy_headers_are_ignored(http: httpx2.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn trusts X-Forwarded-For from FORWARDED_ALLOW_IPS by default; the emulator does not (the client
    address stays the socket's), unless started with --trust-proxy."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    spoof = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "Forwarded": "for=203.0.113.9"}
    assert http.get("/_emulator/vehicles", headers=spoof).status_code == 200  # still loopback: not rewritten
    with EmulatorServer(trust_proxy=True) as trusting, httpx2.Client(base_url=trusting.url) as client:
        assert client.get("/_emulator/vehicles", headers=spoof).status_code == 403  # honoured: now "remote"


# -- Limits ---------------------------------------------------------------------------------------------------
def raw(server: EmulatorServer, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes; everything the server answers until it closes (or the bound passes)."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:  # the server closed while we were still sending: read what it said
            pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def status_of(reply: bytes) -> int | None:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None


def test_header_floods_get_431(server: EmulatorServer) -> None:
    big = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    assert status_of(raw(server, big)) == 431
    many = (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(20_000))
            + b"\r\n")
    assert status_of(raw(server, many)) == 431
    huge = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: " + b"a" * (8 * 1024 * 1024) + b"\r\n\r\n"
    assert status_of(raw(server, huge)) in (431, None)  # refused early: the answer may be lost to the reset
    long_url = b"GET /health?" + b"q" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    assert status_of(raw(server, long_url)) == 431
    normal = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + b"X-A: b\r\n" * 50 + b"\r\n"
    assert status_of(raw(server, normal)) == 200


def second_request(server: EmulatorServer, data: bytes) -> tuple[bytes, bytes]:
    """One request answered on a connection, then ``data`` on the same (kept-alive) connection."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while not first.endswith(b'"ok"}'):
            first += sock.recv(65536)
        sock.sendall(data)
        second = b""
        try:
            while chunk := sock.recv(65536):
                second += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return first, second


def test_limits_hold_on_a_kept_alive_connection(server: EmulatorServer) -> None:
    """The second request on a connection gets the same limits (and its own 431 or 408) as the first."""
    first, flood = second_request(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X: y\r\n" * 300
                                  + b"\r\n")
    assert status_of(first) == 200 and status_of(flood) == 431
    first, slow = second_request(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert status_of(first) == 200 and status_of(slow) == 408


def test_body_limit_is_kept(http: httpx2.Client) -> None:
    response = http.post("/_emulator/faults", content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers=JSON)
    assert response.status_code == 413


def test_slow_clients_are_timed_out(server: EmulatorServer) -> None:
    """A head that never completes and a body that stops arriving both get 408 and a closed connection."""
    slow_head = raw(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert status_of(slow_head) == 408
    slow_body = raw(server, b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                            b"\r\nContent-Length: 100\r\n\r\n{\"kind\":")
    assert status_of(slow_body) == 408
    idle = raw(server, b"")  # connects and says nothing
    assert status_of(idle) in (408, None) and b"200" not in idle


def test_a_few_dozen_hostile_sockets_do_not_hang_the_server(server: EmulatorServer, http: httpx2.Client) -> None:
    """Bounded probe: 36 sockets at once (slow heads, slow bodies, floods); meanwhile and afterwards the server
    answers, and no probe got a 5xx."""
    probes = [b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
              b"POST /_emulator/clock/advance HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: 50\r\n\r\n{",
              b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X: y\r\n" * 500 + b"\r\n",
              b"GET /_emulator/vehicles HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
              b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close"
              b"\r\n\r\nhello",
              b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]  # a TLS ClientHello on the plain port
    results: list[bytes] = []
    lock = threading.Lock()

    def probe(data: bytes) -> None:
        reply = raw(server, data)
        with lock:
            results.append(reply)

    threads = [threading.Thread(target=probe, args=(probes[i % len(probes)],)) for i in range(36)]
    for thread in threads:
        thread.start()
    assert http.get("/health").status_code == 200  # answered while the probes hold their sockets
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    statuses = [status_of(reply) for reply in results]
    assert len(statuses) == 36 and not [s for s in statuses if s is not None and s >= 500], statuses
    assert {408, 431, 403, 415, 400} >= {s for s in statuses if s is not None}
    assert http.get("/health").status_code == 200
