"""A Starlette / FastAPI endpoint for Smartcar webhooks (Starlette is imported here only).

>>> from smartcar.webhooks.starlette import endpoint
>>> app.add_route("/webhooks", endpoint(amt, on_event), methods=["POST"])   # FastAPI or Starlette
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import SIGNATURE_HEADER
from ._receiver import EventLog, Handler, Receiver


def endpoint(amt: str, handler: Handler, *, events: EventLog | None = None,
             max_age: float | None = None) -> Callable[[Request], Awaitable[Response]]:
    """An async endpoint answering VERIFY, verifying, de-duplicating and calling ``handler`` (sync or async)
    once per event. The :class:`Receiver` is at ``endpoint.receiver``."""
    receiver = Receiver(amt, handler, events=events, max_age=max_age)

    async def smartcar_webhook(request: Request) -> Response:
        reply = await receiver.ahandle(await request.body(), request.headers.get(SIGNATURE_HEADER))
        return JSONResponse(reply.body, status_code=reply.status)

    smartcar_webhook.receiver = receiver  # type: ignore[attr-defined]
    return smartcar_webhook
