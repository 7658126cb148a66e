"""ASGI assembly: one app serving the paths of every Smartcar host."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from . import __version__
from .delivery import DeliveryWorker
from .http import (api_v3, commands_v3, compatibility_v3, connect_pages, control, control_apps, control_usage,
                   make_api, management, management_v3, oauth, panel, vehicle_api)
from .http import control_webhooks, landing, openapi_docs, panel_webhooks
from .http.errors import api_error_response, oauth_error_response
from .http.dispatch import install_prefix_gates
from .http.guard import ControlGuard
from .http.middleware import PlatformMiddleware
from .platform.core import Platform
from .platform.errors import ApiError, OAuthError
from .simulator import attach


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Serving runs the webhook delivery worker (``EmulatorServer`` serves with lifespan off and starts it)."""
    worker: DeliveryWorker = app.state.delivery
    worker.start()
    try:
        yield
    finally:
        worker.stop()


def create_app(platform: Platform | None = None) -> FastAPI:
    """The emulator's ASGI app around a platform (a fresh in-memory one by default)."""
    app = FastAPI(title="Smartcar platform emulator", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=_lifespan,
                  description="Offline Smartcar: Connect, OAuth and IAM tokens, vehicle API v1.0/v2.0/v3, "
                              "management API, simulator control.")
    app.state.platform = platform = platform or Platform()
    app.state.simulator = attach(platform)  # the platform's dynamics: physics over time, test-mode readings
    app.state.delivery = DeliveryWorker(platform)  # webhooks: started by serving (lifespan, EmulatorServer)

    # FastAPI (0.165) tries routes one by one, about 2.5 us each: with ~150 routes the last one cost 0.3 ms of
    # matching. So the busiest come first: /health, then the vehicle APIs. The groups' paths are disjoint
    # (/health, /v2.0/vehicles|user, /v3, /v1.0, /oauth*, /connect, /v2.0/management|compatibility, /_emulator, /),
    # and within a group the order that matters is kept (make-specific routes before the v2 catch-all).
    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(make_api.router, prefix="/v2.0")  # make-specific writes and charge records (before reads)
    app.include_router(vehicle_api.router, prefix="/v2.0")
    app.include_router(api_v3.router)
    app.include_router(commands_v3.router)  # v3 commands, charge schedules, executions
    app.include_router(management_v3.router)  # Management API v3: webhooks, subscriptions
    app.include_router(compatibility_v3.router)  # v3 compatible-vehicles
    app.include_router(vehicle_api.router, prefix="/v1.0")
    app.include_router(oauth.router)
    app.include_router(connect_pages.router)
    app.include_router(management.router)
    app.include_router(control.router)  # /_emulator/...: simulator, faults, clock (not a Smartcar API)
    app.include_router(control_apps.router)  # /_emulator/apps/{id}/settings: the Dashboard's settings
    app.include_router(control_usage.router)  # /_emulator/commands, /_emulator/plan-limits
    app.include_router(control_webhooks.router)  # /_emulator/webhooks, /_emulator/deliveries
    app.include_router(panel.router)
    app.include_router(landing.router)  # / and /docs (Swagger UI served offline)
    openapi_docs.install(app)  # bodies, query parameters, security schemes and error shapes in /openapi.json
    app.include_router(panel_webhooks.router)  # /_emulator/panel/webhooks
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, error: ApiError) -> Response:
        return api_error_response(request, error)

    @app.exception_handler(OAuthError)
    async def on_oauth_error(request: Request, error: OAuthError) -> Response:
        return oauth_error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code in (404, 405):
            return api_error_response(request, ApiError("RESOURCE_NOT_FOUND", "PATH"))
        return api_error_response(request, ApiError("VALIDATION", status=error.status_code,
                                                    description=str(error.detail)))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, error: RequestValidationError) -> Response:
        detail = [{"field": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")} for e in error.errors()]
        return api_error_response(request, ApiError("VALIDATION", detail=detail))

    app.add_middleware(control.FaultLatencyMiddleware)  # inside PlatformMiddleware: sees normalised paths
    app.add_middleware(ControlGuard)  # /_emulator: Host allow-list, same origin, JSON only (inside: has request ids)
    app.add_middleware(PlatformMiddleware)
    install_prefix_gates(app)  # one regex per router decides "not here" (http/dispatch.py): ~6 % of a v2 read
    return app


DB_ENV = "SMARTCAR_EMULATOR_DB"
PARENT_ENV = "SMARTCAR_EMULATOR_PARENT_PID"
HOSTS_ENV = "SMARTCAR_EMULATOR_CONTROL_HOSTS"
WORKERS_ENV = "SMARTCAR_EMULATOR_WORKERS"


def app_from_env() -> FastAPI:
    """An app on the SQLite file named by ``SMARTCAR_EMULATOR_DB`` (default: the usual file), for
    ``uvicorn.run("smartcar_emulator.app:app_from_env", factory=True, workers=N)``: each worker process
    builds its own app on the shared file (WAL). Fault rules and clock moves stay per process."""
    from .serving import die_with_parent
    from .store import Database, default_db_path

    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isdigit():
        die_with_parent(int(parent))  # a worker must not outlive `serve` (kill -9 included): the port frees
    platform = Platform(Database(os.environ.get(DB_ENV) or default_db_path()))
    platform.control_hosts = {h for h in os.environ.get(HOSTS_ENV, "").split(",") if h}
    workers = os.environ.get(WORKERS_ENV, "")
    platform.workers = int(workers) if workers.isdigit() and int(workers) > 1 else 1
    return create_app(platform)
