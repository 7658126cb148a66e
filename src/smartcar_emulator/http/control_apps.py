"""Control API for applications' Dashboard settings: ``/_emulator/apps/{client_id}/settings``.

``GET`` reads them; ``PATCH`` with ``{"permissions": [...], "makes": [...], "defaultScope": [...]}`` changes the
keys given (``null`` lifts a restriction). Loopback only, like the rest of the control API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..platform.apps import Application
from ..platform.errors import ApiError, validation
from .common import json_object, platform_of
from .control import loopback_only
from .errors import json_response

router = APIRouter(prefix="/_emulator", tags=["emulator control"], dependencies=[Depends(loopback_only)])

_KEYS = {"permissions": "permissions", "makes": "makes", "defaultScope": "default_scope"}


def _app(request: Request, client_id: str) -> Application:
    app = platform_of(request).apps.get(client_id)
    if app is None:
        raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "client_id", "message": "No such application."}])
    return app


def _settings_json(app: Application) -> dict[str, Any]:
    return {"clientId": app.client_id, **app.settings.to_json()}


@router.get("/apps/{client_id}/settings", summary="An application's Dashboard settings")
async def get_settings(request: Request, client_id: str) -> Response:
    return json_response(_settings_json(_app(request, client_id)))


@router.patch("/apps/{client_id}/settings",
              summary="Set allowed permissions and makes, and the default scope (null lifts a restriction)")
async def patch_settings(request: Request, client_id: str) -> Response:
    _app(request, client_id)
    body = await json_object(request)
    unknown = sorted(set(body) - set(_KEYS))
    if unknown:
        raise validation(f"Unknown settings: {', '.join(unknown)}; settable: {', '.join(_KEYS)}.", unknown[0])
    changes: dict[str, Any] = {}
    for key, name in _KEYS.items():
        if key not in body:
            continue
        value = body[key]
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise validation(f"{key} must be a list of strings or null.", key)
        changes[name] = tuple(value) if value is not None else None
    try:
        app = platform_of(request).apps.configure(client_id, **changes)  # omitted keys stay as they are
    except ValueError as error:
        raise validation(f"{error}.", next(iter(changes), "body")) from None
    return json_response(_settings_json(app))
