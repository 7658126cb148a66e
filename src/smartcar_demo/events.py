"""The demo's webhook receiver: events Smartcar (or the emulator) pushes, kept in memory for the vehicle page.

``POST /webhooks`` is :func:`smartcar.webhooks.flask.register` (VERIFY, signature, de-duplication); the page
polls ``GET /events?after=N`` for what arrived since it last looked (plain ``fetch``, no framework).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Any

from smartcar import webhooks


def describe(event: webhooks.Event) -> tuple[str | None, str]:
    """The vehicle id and one line for a person: what happened and the values it carries."""
    if isinstance(event, webhooks.VehicleStateEvent):
        triggers = [t.code or t.type or "" for t in event.triggers]
        values = ", ".join(f"{s.code} = {s.value if s.value is not None else s.body}" for s in event.signals
                           if s.status == "SUCCESS")
        return event.vehicle_id, f"{' / '.join(triggers) or 'update'}: {values}"
    if isinstance(event, webhooks.VehicleErrorEvent):
        errors = ", ".join(f"{e.type}:{e.code} ({e.state})" for e in event.errors)
        return event.vehicle_id, f"vehicle error: {errors}"
    if isinstance(event, webhooks.V2Event):
        return event.vehicle_id, f"{event.event_name}: {event.event_type or ''}"
    return None, type(event).__name__


class EventFeed:
    """The last ``size`` events, numbered, thread-safe."""

    def __init__(self, size: int = 500) -> None:
        self._events: deque[dict[str, Any]] = deque(maxlen=size)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, event: webhooks.Event) -> None:
        vehicle_id, text = describe(event)
        at = getattr(getattr(event, "meta", None), "delivered_at", None) or getattr(event, "event_time", None)
        with self._lock:
            self._events.append({"n": next(self._numbers), "vehicleId": vehicle_id, "text": text,
                                 "eventId": event.event_id, "type": type(event).__name__,
                                 "at": at.isoformat() if at else None})

    def since(self, after: int, vehicle_ids: set[str]) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._events if e["n"] > after and e["vehicleId"] in vehicle_ids]
