"""A Flask view for Smartcar webhooks (Flask is imported here only, never by the SDK itself).

>>> from smartcar.webhooks.flask import register
>>> register(app, "/webhooks", amt, on_event)
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request

from . import SIGNATURE_HEADER
from ._receiver import EventLog, Handler, Receiver


def view(amt: str, handler: Handler, *, events: EventLog | None = None,
         max_age: float | None = None) -> Any:
    """A view function answering VERIFY, verifying, de-duplicating and calling ``handler`` once per event."""
    receiver = Receiver(amt, handler, events=events, max_age=max_age)

    def smartcar_webhook() -> Response:
        reply = receiver.handle(request.get_data(cache=False), request.headers.get(SIGNATURE_HEADER))
        response = jsonify(reply.body)
        response.status_code = reply.status
        return response

    smartcar_webhook.receiver = receiver  # type: ignore[attr-defined]
    return smartcar_webhook


def register(app: Flask, rule: str, amt: str, handler: Handler, *, endpoint: str = "smartcar_webhook",
             events: EventLog | None = None, max_age: float | None = None) -> Receiver:
    """Add a ``POST rule`` webhook endpoint to ``app``; returns its :class:`Receiver`."""
    function = view(amt, handler, events=events, max_age=max_age)
    app.add_url_rule(rule, endpoint=endpoint, view_func=function, methods=["POST"])
    receiver: Receiver = function.receiver
    return receiver
