"""The control surface's guard: ``/_emulator`` (control API and panel) answers the developer's own tools, never
a web page they happen to visit.

* **Host allow-list** (DNS rebinding): the ``Host`` header must name ``localhost``, ``127.0.0.1`` or ``::1``
  (or the ``--host`` it binds, or a name given with ``serve --allowed-host``); a page on ``evil.example``
  whose name was re-pointed at 127.0.0.1 still sends ``Host: evil.example``. ``--allow-remote-control``
  (the developer trusts the network) lifts this check, not the others.
* **Same origin only**: a request with an ``Origin`` other than the emulator's own, or a ``Sec-Fetch-Site``
  other than ``same-origin``/``none``, is refused (browsers send these on cross-site requests; scripts and
  SDKs do not). Following a link to the panel from another page (a top-level ``GET`` navigation, which
  changes nothing and whose answer the other page cannot read) is allowed.
* **JSON only**: a control API request with a body must say ``Content-Type: application/json``: a cross-site
  ``text/plain`` or form POST (which a browser sends without a CORS preflight) is refused.
* The panel's forms carry a CSRF token (double-submit cookie, checked in ``panel``).

Refusals are v2.0 error bodies: ``403 PERMISSION`` or ``415 VALIDATION``, saying why.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_emulator"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
CSRF_COOKIE = "smartcar_emulator_csrf"
CSRF_FIELD = "csrf"
_SAFE_FETCH_SITES = frozenset({b"same-origin", b"none"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(host: str) -> str:
    """``"127.0.0.1:8030"`` → ``"127.0.0.1"``, ``"[::1]:8030"`` → ``"::1"``, lowercased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _origin_host(origin: str) -> str | None:
    """The ``host[:port]`` of an ``Origin`` value, or None when it is not ``scheme://host[:port]``."""
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https") or not rest or "/" in rest:
        return None
    return rest.lower()


class ControlGuard:
    """ASGI middleware applying the rules above to every path under ``/_emulator``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, error_type, description = refusal
        state = scope.get("state") or {}
        body = json.dumps({"type": error_type, "code": None, "description": description,
                           "docURL": None, "statusCode": status, "requestId": state.get("request_id"),
                           "resolution": {"type": None}, "detail": None}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def refusal(scope: Scope) -> tuple[int, str, str] | None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope.get("headers", []):
            headers.setdefault(name, value)
        host = headers.get(b"host", b"").decode("latin-1")
        platform: Any = getattr(getattr(scope.get("app"), "state", None), "platform", None)
        allowed = LOOPBACK_HOSTS | {h.lower() for h in getattr(platform, "control_hosts", ()) or ()}
        client = (scope.get("client") or ("",))[0]
        if client == "testclient":  # Starlette's in-process TestClient: no network, no browser
            allowed = allowed | {"testserver"}
        remote_allowed = bool(getattr(platform, "allow_remote_control", False))  # the network is trusted
        if host_name(host) not in allowed and not remote_allowed:
            return (403, "PERMISSION",
                    f"The emulator control API does not answer requests for host {host!r} (allowed: "
                    f"{', '.join(sorted(allowed))}): a web page may be trying DNS rebinding. Use "
                    f"http://127.0.0.1:<port>, or start the emulator with --allowed-host NAME.")
        origin = headers.get(b"origin")
        if origin is not None and _origin_host(origin.decode("latin-1")) != host.lower():
            return (403, "PERMISSION",
                    f"Cross-origin request refused: the emulator control API only answers pages it served "
                    f"itself (Origin {origin.decode('latin-1')!r}, Host {host!r}).")
        fetch_site = headers.get(b"sec-fetch-site")
        navigation = scope.get("method") in ("GET", "HEAD") and headers.get(b"sec-fetch-mode") == b"navigate"
        if fetch_site is not None and fetch_site.lower() not in _SAFE_FETCH_SITES and not navigation:
            return (403, "PERMISSION",
                    f"Cross-site request refused (Sec-Fetch-Site: {fetch_site.decode('latin-1')}): the emulator "
                    f"control API only answers same-origin pages and non-browser clients.")
        if (scope.get("method") in _BODY_METHODS and not scope["path"].startswith(f"{CONTROL_PREFIX}/panel")
                and _has_body(headers)):
            media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if media != b"application/json":
                return (415, "VALIDATION",
                        "The emulator control API takes JSON bodies only: send Content-Type: application/json "
                        f"(got {media.decode('latin-1') or 'none'!r}).")
        return None


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    if length is not None:
        return length.strip() not in (b"0", b"")
    return b"transfer-encoding" in headers


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(cookie: str | None, submitted: object) -> bool:
    """The form's token equals the cookie's (compared in constant time); both must be present."""
    if not cookie or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace"))
