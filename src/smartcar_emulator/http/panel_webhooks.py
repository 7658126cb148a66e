"""The panel's webhooks page (``/_emulator/panel/webhooks``): each webhook's verification and recent deliveries
(attempts, status codes, payloads), with "send again", "send a test event" and "verify again" buttons."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..clock import from_timestamp, iso_ms
from ..platform.errors import ApiError
from .common import parse_int, platform_of
from .control import loopback_only
from .control_webhooks import webhook_json
from .panel import _back, _describe, _form, _page

router = APIRouter(prefix="/_emulator/panel", tags=["emulator control"], include_in_schema=False,
                   dependencies=[Depends(loopback_only)])
PAGE = "/_emulator/panel/webhooks"


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "created": iso_ms(from_timestamp(entry["createdAt"])),
            "next": iso_ms(from_timestamp(entry["nextAttemptAt"])) if entry["nextAttemptAt"] else None,
            "pretty": json.dumps(json.loads(entry["body"]) if entry["body"] else entry["payload"], indent=2,
                                 ensure_ascii=False)}


@router.get("/webhooks", response_class=HTMLResponse)
async def panel_webhooks(request: Request) -> Response:
    platform = platform_of(request)
    hooks = [webhook_json(request, w) for app in platform.apps.list() for w in platform.webhooks.list(app.client_id)]
    deliveries = {h["id"]: [_row(e) for e in platform.outbox.log(webhook_id=h["id"], limit=25)] for h in hooks}
    refresh = request.query_params.get("refresh", "3")
    return _page(request, "panel_webhooks.html", title="Webhooks", webhooks=hooks, deliveries=deliveries,
                 clock=iso_ms(platform.clock.now()), message=request.query_params.get("msg"),
                 refresh=refresh if parse_int(refresh) is not None else "3", time_scale=platform.clock.time_scale)


@router.post("/webhooks/action")
async def panel_webhooks_action(request: Request) -> Response:
    platform = platform_of(request)
    form = await _form(request)
    action = str(form.get("do") or "")
    try:
        if action == "resend":
            platform.outbox.resend(str(form.get("delivery_id") or ""))
            return _back(PAGE, "Queued again (same event id).")
        webhook = platform.webhooks.get(None, str(form.get("webhook_id") or ""))
        if webhook is None:
            return _back(PAGE, "No such webhook.")
        if action == "test":
            return _back(PAGE, f"Test event {platform.outbox.test_event(None, webhook.id)} queued.")
        if action == "verify":
            platform.outbox.request_verification(webhook.id)
            return _back(PAGE, "Challenge (VERIFY) queued.")
    except ApiError as error:
        return _back(PAGE, _describe(error))
    return _back(PAGE, f"Unknown action {action!r}.")
