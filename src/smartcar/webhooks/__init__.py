"""Receive Smartcar webhooks: verify ``SC-Signature``, parse typed v2/v3 payloads, answer ``VERIFY``.

>>> event = smartcar.webhooks.parse(raw_body, request.headers.get("SC-Signature"), amt)

Framework receivers (imported on use, so Flask and Starlette stay optional): :mod:`smartcar.webhooks.flask`
and :mod:`smartcar.webhooks.starlette`, both on :class:`Receiver`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Union

from ._payloads import (Event, InvalidPayload, InvalidSignature, Meta, Signal, StaleEvent, Trigger, V2Event,
                        V2VehicleData, VehicleErrorEvent, VehicleErrorItem, VehicleInfo, VehicleStateEvent,
                        VerifyEvent, WebhookError, from_json, sent_at)
from ._receiver import EventLog, MemoryEventLog, Receiver, Reply, SQLiteEventLog

SIGNATURE_HEADER = "SC-Signature"

__all__ = [
    "SIGNATURE_HEADER", "Event", "EventLog", "InvalidPayload", "InvalidSignature", "MemoryEventLog", "Meta",
    "Receiver", "Reply", "SQLiteEventLog", "Signal", "StaleEvent", "Trigger", "V2Event", "V2VehicleData",
    "VehicleErrorEvent", "VehicleErrorItem", "VehicleInfo", "VehicleStateEvent", "VerifyEvent", "WebhookError",
    "challenge_response", "parse", "sign", "verify",
]


def _bytes(value: Union[str, bytes, bytearray], name: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidPayload(f"{name} is not valid UTF-8 text") from None
    raise TypeError(f"{name} must be str or bytes, not {type(value).__name__}")


def sign(body: Union[str, bytes], amt: str) -> str:
    """The ``SC-Signature`` of ``body``: lower-case hex HMAC-SHA256 keyed by the application management token."""
    if not isinstance(amt, str) or not amt:
        raise TypeError("amt must be a non-empty str (the application management token)")
    return hmac.new(amt.encode("utf-8"), _bytes(body, "body"), hashlib.sha256).hexdigest()


def verify(body: Union[str, bytes], signature: str | None, amt: str) -> None:
    """Raise :class:`InvalidSignature` unless ``signature`` signs exactly these bytes (constant-time compare)."""
    expected = sign(body, amt).encode("ascii")
    if not signature or not isinstance(signature, str):
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header is missing")
    given = signature.strip().lower().encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected, given):
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header does not sign this body with this management token")


def parse(body: Union[str, bytes], signature: str | None, amt: str, *, max_age: float | None = None,
          now: datetime | None = None) -> Event:
    """Verify then decode a webhook request: the typed event, or :class:`WebhookError` (``InvalidSignature``,
    ``InvalidPayload``, ``StaleEvent``). Pass the raw body as received, before any JSON parsing.

    ``max_age`` (seconds): refuse a payload whose time (v3 ``meta.deliveredAt``, v2 ``eventTime``) is older,
    a replay window; payloads that carry no time are accepted.
    """
    raw = _bytes(body, "body")
    verify(raw, signature, amt)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidPayload("the webhook body is not JSON") from None
    event = from_json(data)
    if max_age is not None:
        moment = sent_at(event)
        current = now or datetime.now(timezone.utc)
        if moment is not None and (current - moment).total_seconds() > max_age:
            raise StaleEvent(f"the payload was sent at {moment.isoformat()}, more than {max_age:g} s ago")
    return event


def challenge_response(event: VerifyEvent, amt: str) -> dict[str, str]:
    """The JSON a ``VERIFY`` challenge must be answered with: ``{"challenge": hex HMAC(amt, challenge)}``."""
    return {"challenge": sign(event.challenge, amt)}
