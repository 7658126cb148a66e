"""Connect pages: ``GET /oauth/authorize`` and the preamble, brand, login and grant steps.

Server-rendered HTML forms with the real pages' element ids; no JavaScript needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..platform.catalog import MAKES
from ..platform.connect import Outcome, Session
from ..platform.errors import ConnectPageError
from ..platform.permissions import DESCRIPTIONS
from .common import platform_of

router = APIRouter(tags=["Connect"], include_in_schema=False)

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
                         autoescape=select_autoescape(["html"]))

_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(name).render(**context), status_code=status, headers=_NO_STORE)


def _error_page(error: ConnectPageError) -> HTMLResponse:
    return _page("error.html", status=error.status, title=error.title, message=error.message)


def _go(session_id: str, outcome: Outcome) -> Response:
    if outcome.redirect:
        return RedirectResponse(outcome.redirect, status_code=302, headers=_NO_STORE)
    return RedirectResponse(f"/connect/{session_id}/{outcome.step}", status_code=303, headers=_NO_STORE)


def _context(request: Request, session: Session) -> dict[str, Any]:
    app = platform_of(request).apps.get(session.client_id)
    return {"session": session, "app_name": app.name if app else "", "mode": session.mode}


@router.get("/oauth/authorize")
async def authorize(request: Request) -> Response:
    try:
        session, outcome = platform_of(request).connect.start(dict(request.query_params))
    except ConnectPageError as error:
        return _error_page(error)
    if outcome.redirect:
        return _go(session.id, outcome)
    return _page("preamble.html", title="Connect your vehicle", **_context(request, session))


@router.get("/connect/{session_id}/{step}")
async def page(request: Request, session_id: str, step: str) -> Response:
    connect = platform_of(request).connect
    try:
        session, redirect = connect.check_page(session_id, step)
    except ConnectPageError as error:
        return _error_page(error)
    if redirect is not None:
        return _go(session_id, redirect)
    context = _context(request, session)
    if step == "preamble":
        return _page("preamble.html", title="Connect your vehicle", **context)
    if step == "brand":
        query = (request.query_params.get("q") or "").strip().lower()
        brands = [(key, name) for key, name in platform_of(request).connect.brands(session)
                  if query in name.lower() or query in key.lower()]
        return _page("brand.html", title="Select your brand", brands=brands, query=query, **context)
    if step == "login":
        brand = MAKES.get(session.make or "", session.make or "")
        return _page("login.html", title=f"Sign in to {brand}", brand=brand, error=None, **context)
    if step == "grant":
        vehicles = connect.offered_vehicles(session)
        permissions = [(s, DESCRIPTIONS.get(s, s), s in session.required) for s in session.scopes]
        return _page("grant.html", title="Grant access", vehicles=vehicles, permissions=permissions, **context)
    return _error_page(ConnectPageError("Not found", "This Connect page does not exist.", status=404))


@router.post("/connect/{session_id}/continue")
async def proceed(request: Request, session_id: str) -> Response:
    try:
        return _go(session_id, platform_of(request).connect.proceed(session_id))
    except ConnectPageError as error:
        return _error_page(error)


@router.post("/connect/{session_id}/brand")
async def choose_brand(request: Request, session_id: str) -> Response:
    form = await request.form()
    try:
        return _go(session_id, platform_of(request).connect.choose_brand(session_id, str(form.get("make") or "")))
    except ConnectPageError as error:
        return _error_page(error)


@router.post("/connect/{session_id}/login")
async def login(request: Request, session_id: str) -> Response:
    form = await request.form()
    connect = platform_of(request).connect
    try:
        # In a worker thread: a live login hashes the password (PBKDF2, ~50 ms of CPU) and must not stall
        # every other request on the event loop meanwhile. The platform's database is thread-safe.
        outcome = await run_in_threadpool(connect.login, session_id, str(form.get("username") or ""),
                                          str(form.get("password") or ""))
        if outcome.step == "login":
            session = connect.session(session_id)
            brand = MAKES.get(session.make or "", session.make or "")
            return _page("login.html", status=401, title=f"Sign in to {brand}", brand=brand,
                         error="The email or password is incorrect.", **_context(request, session))
        return _go(session_id, outcome)
    except ConnectPageError as error:
        return _error_page(error)


GRANT_MAX_FIELDS = 1200


@router.post("/connect/{session_id}/grant")
async def grant(request: Request, session_id: str) -> Response:
    # One checkbox per vehicle: up to 999 (<N>-vehicles@smartcar.com), plus the permissions; the body limit
    # still bounds the form.
    form = await request.form(max_fields=GRANT_MAX_FIELDS)
    allow = form.get("action") == "allow"
    selected = "selection" in form
    try:
        outcome = platform_of(request).connect.decide(
            session_id, allow,
            [str(v) for v in form.getlist("vehicle_id")] if selected else None,
            [str(s) for s in form.getlist("scope")] if selected else None)
    except ConnectPageError as error:
        return _error_page(error)
    if outcome.step == "grant":
        return RedirectResponse(f"/connect/{session_id}/grant?incomplete=1", status_code=303, headers=_NO_STORE)
    return _go(session_id, outcome)
