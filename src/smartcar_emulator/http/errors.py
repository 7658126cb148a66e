"""Rendering domain errors in each API version's body format."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..platform.errors import ApiError, OAuthError
from .auth import MalformedAuthorization, parse_basic


def api_version_of(path: str) -> str:
    """``1.0``, ``2.0`` or ``3`` from a (normalised) request path; ``2.0`` for anything else."""
    if path.startswith("/v1.0"):
        return "1.0"
    if path.startswith("/v3"):
        return "3"
    return "2.0"


def v2_body(error: ApiError, request_id: str, app_name: str | None = None) -> dict[str, Any]:
    resolution: dict[str, Any] = {"type": error.resolution}
    if error.resolution_url:
        resolution["url"] = error.resolution_url
    return {
        "type": error.type,
        "code": error.code,
        "description": error.description,
        "docURL": error.doc_url,
        "statusCode": error.http_status,
        "requestId": request_id,
        "resolution": resolution,
        "suggestedUserMessage": error.suggested_user_message(app_name),
        "detail": error.detail,
    }


def v1_body(error: ApiError, request_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error.v1_type, "message": error.v1_description or error.description}
    if error.v1_code:
        body["code"] = error.v1_code
    body["statusCode"] = error.http_status
    body["requestId"] = request_id
    return body


def v3_body(error: ApiError, request_id: str, app_name: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "status": str(error.http_status),
        "type": error.type,
        "code": error.code,
        "title": error.title,
        "detail": error.description,
        "links": {"about": error.doc_url},
        "resolution": {"type": error.resolution},
        "suggestedUserMessage": error.suggested_user_message(app_name),
        "requestId": request_id,
    }
    if error.detail:
        item["meta"] = {"detail": error.detail}
    return {"errors": [item]}


def error_body(error: ApiError, version: str, request_id: str, app_name: str | None = None) -> dict[str, Any]:
    if version == "1.0":
        return v1_body(error, request_id)
    if version == "3":
        return v3_body(error, request_id, app_name)
    return v2_body(error, request_id, app_name)


def app_name_of(request: Request) -> str | None:
    """The name of the registered application a request comes from (its token or Basic credentials), if known."""
    platform = getattr(request.app.state, "platform", None)
    if platform is None:
        return None
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    client_id: str | None = None
    if scheme.lower() == "bearer" and value.strip():
        info = platform.tokens.check(value.strip(), kinds=("access", "application"))
        client_id = info.client_id if info else None
    elif scheme.lower() == "basic":
        try:
            username, password = parse_basic(header)
        except MalformedAuthorization:
            return None
        app = platform.apps.by_amt(password) if username == "default" else platform.apps.get(username)
        return app.name if app else None
    app = platform.apps.get(client_id) if client_id else None
    return app.name if app else None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON (the platform's serialisation), always ``application/json``."""
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), status_code=status,
                    headers=headers, media_type="application/json")


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def api_error_response(request: Request, error: ApiError, version: str | None = None) -> Response:
    headers = dict(error.headers)
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    version = version or api_version_of(request.url.path)
    return json_response(error_body(error, version, request_id(request), app_name_of(request)), error.http_status,
                         headers)


def oauth_error_response(error: OAuthError) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="smartcar"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    body = {"error": error.error}
    if error.description is not None:
        body["error_description"] = error.description
    return json_response(body, error.status, headers)
