"""ASGI middleware: request ids, path normalisation, body limits and a last-resort error handler.

Written as plain ASGI (not ``BaseHTTPMiddleware``) to keep per-request overhead low.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..platform.errors import ApiError
from .errors import api_version_of, error_body

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # 1 MiB
_VERSION = re.compile(r"^/v(?P<major>\d+)\.(?P<minor>\d+)(?=/|$)")
_BAD_VERSION = re.compile(r"^/v[^/]*[^0-9./][^/]*/(vehicles|user|compatibility)")


class _BodyTooLarge(Exception):
    pass


def normalise_path(path: str) -> tuple[str, str | None]:
    """Strip a trailing slash and map any numeric ``vN.N`` onto the known versions.

    Returns the routed path and the version the client asked for (None when the path has none).
    """
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    match = _VERSION.match(path)
    if not match:
        return path, None
    asked = f"{match['major']}.{match['minor']}"
    known = "1.0" if match["major"] == "1" else "2.0"
    if asked == known:
        return path, asked
    return f"/v{known}{path[match.end():]}", asked


class PlatformMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        path, asked = normalise_path(scope["path"])
        scope = dict(scope)
        scope["path"] = path
        scope.setdefault("state", {})
        scope["state"] = {**scope["state"], "request_id": request_id, "api_version": asked}
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"sc-request-id"]
                headers.append((b"sc-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        if _BAD_VERSION.match(path):
            await self._error(send_with_id, ApiError("RESOURCE_NOT_FOUND", "VERSION"), "2.0", request_id)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await self._error(send_with_id, _too_large(), api_version_of(path), request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            if not started:
                await self._error(send_with_id, _too_large(), api_version_of(path), request_id)
        except ClientDisconnect:  # the client went away mid-request: nothing to answer, nothing wrong here
            log.debug("client disconnected during %s %s", scope.get("method"), path)
        except Exception:  # noqa: BLE001 - the platform never shows a traceback
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if not started:
                await self._error(send_with_id, ApiError("SERVER", "INTERNAL"), api_version_of(path), request_id)

    @staticmethod
    async def _error(send: Send, error: ApiError, version: str, request_id: str) -> None:
        body: Any = error_body(error, version, request_id)
        payload = json.dumps(body, separators=(",", ":")).encode()
        await send({"type": "http.response.start", "status": error.http_status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


def _too_large() -> ApiError:
    return ApiError("VALIDATION", status=413, description="The request body is larger than the 1 MiB limit.")
