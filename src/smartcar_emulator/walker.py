"""Walk the Connect pages over HTTP the way a browser does: read each page's form, fill it, submit it.

Used by ``smartcar-emulator connect``, the tests and the demo. Only standard HTML forms are involved, so
this exercises exactly what a user's browser would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx2


@dataclass
class Button:
    id: str | None
    name: str | None
    value: str
    classes: list[str]


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # successful controls (name, value)
    text_inputs: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name or "disabled" in a:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._current.fields.append((name, a.get("value", "on")))
            elif kind in ("text", "password", "email", "search"):
                self._current.text_inputs.append(name)
                self._current.fields.append((name, a.get("value", "")))
            elif kind not in ("submit", "button", "image", "reset"):
                self._current.fields.append((name, a.get("value", "")))
        elif tag == "button":
            self._current.buttons.append(Button(a.get("id"), a.get("name"), a.get("value", ""),
                                                a.get("class", "").split()))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class ConnectError(RuntimeError):
    """The walk could not go on (an error page, or a page without the expected controls)."""


@dataclass
class ConnectResult:
    """Where Connect sent the browser back: the redirect URL and its query parameters."""

    location: str
    params: dict[str, str]
    pages: list[str]

    @property
    def code(self) -> str | None:
        return self.params.get("code")


def walk(auth_url: str, email: str = "driver@example.com", password: str = "password", make: str | None = None,
         deny: bool = False, client: httpx2.Client | None = None, max_steps: int = 12) -> ConnectResult:
    """Follow Connect from ``auth_url`` to the redirect back to the application.

    Page-to-page navigation inside Connect uses 303 redirects; the final redirect to the application is a
    302, whose Location is read and not followed.
    """
    own = client is None
    http = client or httpx2.Client(timeout=30)
    pages: list[str] = []
    try:
        response = http.get(auth_url, follow_redirects=False)
        url = auth_url
        for _ in range(max_steps):
            if response.status_code == 302:
                location = response.headers["location"]
                return ConnectResult(location, dict(parse_qsl(urlsplit(location).query)), pages)
            if response.status_code == 303:
                url = urljoin(url, response.headers["location"])
                response = http.get(url, follow_redirects=False)
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                raise ConnectError(f"unexpected {response.status_code} response from {url}: {response.text[:200]}")
            form, button, values = _next_action(response.text, email, password, make, deny, pages)
            if response.status_code >= 400 and pages[-1] != "login":
                raise ConnectError(f"Connect answered {response.status_code} at {url}: {_text(response.text)}")
            if pages[-2:] == ["login", "login"]:
                raise ConnectError("the login was refused")
            data = [*values, *([(button.name, button.value)] if button.name else [])]
            target = urljoin(url, form.action or url)
            if form.method == "get":
                url, response = target, http.get(target + "?" + urlencode(data), follow_redirects=False)
            else:
                url = target
                response = http.post(target, content=urlencode(data),
                                     headers={"content-type": "application/x-www-form-urlencoded"},
                                     follow_redirects=False)
        raise ConnectError("Connect did not redirect back to the application")
    finally:
        if own:
            http.close()


def _next_action(html: str, email: str, password: str, make: str | None, deny: bool,
                 pages: list[str]) -> tuple[Form, Button, list[tuple[str, str]]]:
    forms = parse_forms(html)

    def find(predicate: Callable[[Button], bool]) -> tuple[Form, Button] | None:
        for form in forms:
            for button in form.buttons:
                if predicate(button):
                    return form, button
        return None

    if hit := find(lambda b: b.id == "continue-button"):
        pages.append("preamble")
        return hit[0], hit[1], hit[0].fields
    if find(lambda b: "brand-list-item" in b.classes):
        pages.append("brand")
        wanted = (make or "").upper()
        hit = find(lambda b: "brand-list-item" in b.classes and (not wanted or b.id == wanted))
        if hit is None:
            raise ConnectError(f"brand {make} is not on the brand selector")
        return hit[0], hit[1], hit[0].fields
    if hit := find(lambda b: b.id == "sign-in-button"):
        pages.append("login")
        values = [(n, email if n == "username" else password if n == "password" else v) for n, v in hit[0].fields]
        return hit[0], hit[1], values
    if hit := find(lambda b: b.id == ("deny-button" if deny else "approval-button")):
        pages.append("grant")
        return hit[0], hit[1], hit[0].fields
    raise ConnectError(f"no known Connect controls on the page: {_text(html)}")


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()[:300]
