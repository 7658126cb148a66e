"""The emulator's front door: ``/`` (what runs here, the registered applications, how to point an SDK at it)
and ``/docs`` (Swagger UI over ``/openapi.json``, served offline from the ``swagger-ui-py`` package)."""

from __future__ import annotations

import shlex
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from ..origins import origin_env
from .common import platform_of

router = APIRouter(include_in_schema=False)
_templates = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
                         autoescape=select_autoescape(["html"]))
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png"}
HOSTS = [("connect.smartcar.com", "Connect pages: /oauth/authorize"),
         ("auth.smartcar.com", "OAuth tokens: POST /oauth/token"),
         ("iam.smartcar.com", "application tokens (API v3): POST /oauth2/token"),
         ("api.smartcar.com", "vehicle API /v1.0, /v2.0; compatibility"),
         ("vehicle.api.smartcar.com", "API v3: /v3/connections, /v3/vehicles, signals, commands"),
         ("management.smartcar.com", "management API v2 and v3: connections, webhooks, subscriptions")]


def _swagger_static() -> Path | None:
    spec = find_spec("swagger_ui")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if folder.is_dir() else None


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request) -> HTMLResponse:
    """What is running, links, the registered applications and the variables that point an SDK here."""
    platform = platform_of(request)
    url = _base_url(request)
    port = request.url.port
    env_command = f"smartcar-emulator env --port {port}" if port and port != 8030 else "smartcar-emulator env"
    if request.url.scheme == "https":
        env_command += " --tls"
    apps: list[dict[str, Any]] = [
        {"client_id": app.client_id, "name": app.name, "redirect_uris": app.redirect_uris,
         "connect_flow": app.connect_flow} for app in platform.apps.list()]
    exports = [f"export {name}={shlex.quote(value)}" for name, value in origin_env(url).items()]
    html = _templates.get_template("landing.html").render(
        url=url, version=request.app.version, apps=apps, exports=exports, env_command=env_command, hosts=HOSTS,
        docs=_swagger_static() is not None)
    return HTMLResponse(html)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> Response:
    """Swagger UI for ``/openapi.json``; every asset from this server (no CDN)."""
    if _swagger_static() is None:
        return HTMLResponse("<!doctype html><title>API docs</title><p>Swagger UI needs the swagger-ui-py package "
                            "(in the emulator extra): <code>pip install 'smartcar-toolkit[emulator]'</code>. The "
                            "OpenAPI document is at <a href=\"/openapi.json\">/openapi.json</a>.", status_code=404)
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="Smartcar emulator API",
                               swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/docs/assets/favicon-32x32.png",
                               swagger_ui_parameters={"defaultModelsExpandDepth": 0})
    return page


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> Response:
    """Swagger UI's files, from the installed package."""
    folder = _swagger_static()
    if folder is None or name not in ASSETS:
        return Response(status_code=404)
    return FileResponse(folder / name, media_type=ASSETS[name], headers={"Cache-Control": "max-age=86400"})
