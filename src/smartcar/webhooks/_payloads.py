"""Typed webhook payloads: v3 (``VERIFY``, ``VEHICLE_STATE``, ``VEHICLE_ERROR``) and v2 (``verify``,
``eventBased``, ``scheduled``). Every event keeps the decoded JSON in ``raw``; unknown fields are ignored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Union


class WebhookError(ValueError):
    """A webhook request that must not be handled (bad signature, malformed or stale payload)."""


class InvalidSignature(WebhookError):
    """``SC-Signature`` is missing or does not sign the body with the application management token."""


class InvalidPayload(WebhookError):
    """The body is not a webhook payload this SDK knows (not JSON, or a required field is missing)."""


class StaleEvent(WebhookError):
    """The payload's time is older than the accepted replay window."""


def to_datetime(value: Any) -> datetime | None:
    """An epoch time (milliseconds, or seconds when small) or an ISO-8601 string as aware UTC; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) >= 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise InvalidPayload(f"webhook payload: {where}{key} is required")
    return data[key]


@dataclass(frozen=True)
class Meta:
    """v3 delivery metadata (``meta``)."""

    version: str | None
    webhook_id: str | None
    webhook_name: str | None
    delivery_id: str | None
    delivered_at: datetime | None
    mode: str | None

    @classmethod
    def parse(cls, data: Any) -> Meta:
        meta = _obj(data)
        return cls(_str(meta.get("version")), _str(meta.get("webhookId")), _str(meta.get("webhookName")),
                   _str(meta.get("deliveryId")), to_datetime(meta.get("deliveredAt")), _str(meta.get("mode")))


@dataclass(frozen=True)
class VehicleInfo:
    """``data.vehicle`` of a v3 event."""

    id: str | None
    make: str | None
    model: str | None
    year: int | None
    mode: str | None = None
    powertrain_type: str | None = None
    vin: str | None = None

    @classmethod
    def parse(cls, data: Any) -> VehicleInfo:
        v = _obj(data)
        year = v.get("year")
        return cls(_str(v.get("id")), _str(v.get("make")), _str(v.get("model")),
                   year if isinstance(year, int) and not isinstance(year, bool) else None, _str(v.get("mode")),
                   _str(v.get("powertrainType")), _str(v.get("vin")))


@dataclass(frozen=True)
class Signal:
    """One signal of a ``VEHICLE_STATE`` event: ``body`` when it was read, ``error`` (``{type, code}``) when not."""

    code: str
    name: str | None
    group: str | None
    body: dict[str, Any] | None
    status: str | None
    error: dict[str, Any] | None
    retrieved_at: datetime | None
    oem_updated_at: datetime | None

    @property
    def value(self) -> Any:
        """``body["value"]`` when the body has one, else None."""
        return (self.body or {}).get("value")

    @classmethod
    def parse(cls, data: Any) -> Signal:
        s = _obj(data)
        status = _obj(s.get("status"))
        meta = _obj(s.get("meta"))
        body = s.get("body")
        return cls(str(s.get("code") or ""), _str(s.get("name")), _str(s.get("group")),
                   body if isinstance(body, dict) else None, _str(status.get("value")),
                   status.get("error") if isinstance(status.get("error"), dict) else None,
                   to_datetime(meta.get("retrievedAt")), to_datetime(meta.get("oemUpdatedAt")))


@dataclass(frozen=True)
class Trigger:
    """Why a ``VEHICLE_STATE`` event was sent: ``SIGNAL_UPDATED`` with the signal's code, ``FIRST_DELIVERY``…"""

    type: str | None
    code: str | None

    @classmethod
    def parse(cls, data: Any) -> Trigger:
        t = _obj(data)
        signal = t.get("signal")
        code = _str(t.get("code")) or (_str(_obj(signal).get("code")) if isinstance(signal, dict) else _str(signal))
        return cls(_str(t.get("type")), code)


@dataclass(frozen=True)
class VehicleErrorItem:
    """One entry of a ``VEHICLE_ERROR`` event's ``data.errors``; ``state`` is ``ERROR`` or ``RESOLVED``."""

    type: str | None
    code: str | None
    state: str | None
    description: str | None
    resolution: str | None
    signals: tuple[str, ...]

    @classmethod
    def parse(cls, data: Any) -> VehicleErrorItem:
        e = _obj(data)
        signals = tuple(str(s.get("code")) if isinstance(s, dict) else str(s) for s in _list(e.get("signals")))
        return cls(_str(e.get("type")), _str(e.get("code")), _str(e.get("state")), _str(e.get("description")),
                   _str(_obj(e.get("resolution")).get("type")), signals)


@dataclass(frozen=True)
class VerifyEvent:
    """The challenge sent when a webhook is created or its URL changes: answer ``{"challenge": hmac}``."""

    challenge: str
    webhook_id: str | None
    version: str  # "2.0" or the v3 meta version
    raw: dict[str, Any] = field(repr=False)

    @property
    def event_id(self) -> str | None:
        return None


@dataclass(frozen=True)
class VehicleStateEvent:
    """v3 ``VEHICLE_STATE``: the subscribed signals of one vehicle and what triggered the delivery."""

    event_id: str
    vehicle_id: str | None
    user_id: str | None
    vehicle: VehicleInfo
    signals: tuple[Signal, ...]
    triggers: tuple[Trigger, ...]
    meta: Meta
    raw: dict[str, Any] = field(repr=False)

    def signal(self, code: str) -> Signal | None:
        """The signal with this code (any case), if the event carries it."""
        return next((s for s in self.signals if s.code.lower() == code.lower()), None)


@dataclass(frozen=True)
class VehicleErrorEvent:
    """v3 ``VEHICLE_ERROR``: reading the vehicle failed (``state`` ``ERROR``) or recovered (``RESOLVED``)."""

    event_id: str
    vehicle_id: str | None
    user_id: str | None
    vehicle: VehicleInfo
    errors: tuple[VehicleErrorItem, ...]
    meta: Meta
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class V2VehicleData:
    """One vehicle of a v2 scheduled delivery: each path's ``{path, code, body, headers}`` in ``data``."""

    vehicle_id: str | None
    request_id: str | None
    data: tuple[dict[str, Any], ...]

    def body(self, path: str) -> dict[str, Any] | None:
        """The body read for ``path`` (``/battery``), when it was read successfully."""
        for item in self.data:
            if item.get("path") == path and item.get("code") == 200 and isinstance(item.get("body"), dict):
                body: dict[str, Any] = item["body"]
                return body
        return None


@dataclass(frozen=True)
class V2Event:
    """A v2 delivery (``version: "2.0"``): ``eventBased`` (``event_type`` such as ``CHARGING_STARTED``) or
    ``scheduled`` (``vehicles``)."""

    webhook_id: str | None
    event_name: str
    mode: str | None
    event_id: str | None
    vehicle_id: str | None
    event_type: str | None
    event_time: datetime | None
    vehicles: tuple[V2VehicleData, ...]
    raw: dict[str, Any] = field(repr=False)


Event = Union[VerifyEvent, VehicleStateEvent, VehicleErrorEvent, V2Event]


def from_json(data: Any) -> Event:
    """The typed event of a decoded payload, or :class:`InvalidPayload`."""
    if not isinstance(data, dict):
        raise InvalidPayload("webhook payload: a JSON object is expected")
    if data.get("version") == "2.0" and "eventName" in data:
        return _v2(data)
    event_type = _require(data, "eventType", "")
    payload = _obj(data.get("data"))
    meta = Meta.parse(data.get("meta"))
    if event_type == "VERIFY":
        challenge = _require(payload, "challenge", "data.")
        return VerifyEvent(str(challenge), meta.webhook_id, meta.version or "4.0", data)
    event_id = _require(data, "eventId", "")
    if not isinstance(event_id, str):
        raise InvalidPayload("webhook payload: eventId must be a string")
    vehicle = VehicleInfo.parse(payload.get("vehicle"))
    vehicle_id = _str(data.get("vehicleId")) or vehicle.id
    user_id = _str(_obj(payload.get("user")).get("id"))
    if event_type == "VEHICLE_STATE":
        return VehicleStateEvent(event_id, vehicle_id, user_id, vehicle,
                                 tuple(Signal.parse(s) for s in _list(payload.get("signals"))),
                                 tuple(Trigger.parse(t) for t in _list(data.get("triggers"))), meta, data)
    if event_type == "VEHICLE_ERROR":
        return VehicleErrorEvent(event_id, vehicle_id, user_id, vehicle,
                                 tuple(VehicleErrorItem.parse(e) for e in _list(payload.get("errors"))), meta, data)
    raise InvalidPayload(f"webhook payload: unknown eventType {event_type!r}")


def _v2(data: dict[str, Any]) -> Event:
    name = data.get("eventName")
    payload = _obj(data.get("payload"))
    if not isinstance(name, str):
        raise InvalidPayload("webhook payload: eventName must be a string")
    if name.lower() == "verify":
        return VerifyEvent(str(_require(payload, "challenge", "payload.")), _str(data.get("webhookId")), "2.0", data)
    vehicles = tuple(V2VehicleData(_str(v.get("vehicleId")), _str(v.get("requestId")),
                                   tuple(item for item in _list(v.get("data")) if isinstance(item, dict)))
                     for v in _list(payload.get("vehicles")) if isinstance(v, dict))
    return V2Event(_str(data.get("webhookId")), name, _str(data.get("mode")), _str(payload.get("eventId")),
                   _str(payload.get("vehicleId")), _str(payload.get("eventType")),
                   to_datetime(payload.get("eventTime")), vehicles, data)


def sent_at(event: Event) -> datetime | None:
    """When the payload says it was sent or happened (v3 ``meta.deliveredAt``, v2 ``eventTime``)."""
    if isinstance(event, (VehicleStateEvent, VehicleErrorEvent)):
        return event.meta.delivered_at
    if isinstance(event, V2Event):
        return event.event_time
    return None
