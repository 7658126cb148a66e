"""Typed results of the API v3 client's charge schedules, command look-ups, Management API v3 and compatible
vehicles. Every result keeps the raw JSON (``raw``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status(attributes: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    status = _dict(attributes.get("status"))
    error = status.get("error")
    return str(status.get("value") or ""), error if isinstance(error, dict) else None


@dataclass(frozen=True)
class ChargeScheduleExecution:
    """The outcome of creating or deleting a charge schedule: ``status`` ``SUCCESS``, ``PENDING`` (HTTP 202, read it
    again by ``id``) or ``FAILED`` (with ``error``)."""

    id: str
    action: str  # create, delete
    schedule_type: str
    schedule_id: str | None
    status: str
    execution_mode: str | None
    parameters: dict[str, Any]
    error: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False)
    http_status: int = 200

    @property
    def pending(self) -> bool:
        return self.status == "PENDING"

    @classmethod
    def from_body(cls, body: dict[str, Any], http_status: int = 200) -> ChargeScheduleExecution:
        data = _dict(body.get("data"))
        attributes = _dict(data.get("attributes"))
        status, error = _status(attributes)
        return cls(str(data.get("id") or ""), str(attributes.get("action") or ""),
                   str(attributes.get("scheduleType") or ""), _text(attributes.get("scheduleId")), status,
                   _text(attributes.get("executionMode")), _dict(attributes.get("parameters")), error, body,
                   http_status)


@dataclass(frozen=True)
class ChargeSchedule:
    """A charge schedule: type, location, start and stop times (``HH:mm``) and the days it applies to."""

    id: str
    schedule_type: str | None
    latitude: float | None
    longitude: float | None
    start_time: str | None
    stop_time: str | None
    days: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ChargeSchedule:
        data = _dict(body.get("data", body))
        attributes = _dict(data.get("attributes"))
        location = _dict(attributes.get("location"))
        return cls(str(data.get("id") or ""), _text(attributes.get("scheduleType")), location.get("latitude"),
                   location.get("longitude"), _text(attributes.get("startTime")), _text(attributes.get("stopTime")),
                   tuple(attributes.get("days") or ()), body)


@dataclass(frozen=True)
class SignalRef:
    """A signal named in a webhook's triggers or data."""

    code: str
    name: str | None = None
    group: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> SignalRef:
        if isinstance(value, str):
            return cls(value)
        item = _dict(value)
        return cls(str(item.get("code") or ""), _text(item.get("name")), _text(item.get("group")))


@dataclass(frozen=True)
class Webhook:
    """A Management API v3 webhook."""

    id: str
    name: str
    callback_uri: str
    is_enabled: bool
    auto_subscribe: bool
    triggers: tuple[SignalRef, ...]
    data: tuple[SignalRef, ...]
    error_callback_uri: str | None
    created_at: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> Webhook:
        attributes = _dict(resource.get("attributes"))
        return cls(str(resource.get("id") or ""), str(attributes.get("name") or ""),
                   str(attributes.get("callbackUri") or ""), bool(attributes.get("isEnabled")),
                   bool(attributes.get("autoSubscribe")),
                   tuple(SignalRef.from_json(t) for t in attributes.get("triggers") or ()),
                   tuple(SignalRef.from_json(t) for t in attributes.get("data") or ()),
                   _text(attributes.get("errorCallbackUri")), _text(_dict(resource.get("meta")).get("createdAt")),
                   resource)


@dataclass(frozen=True)
class Subscription:
    """A vehicle's subscription to a webhook."""

    id: str
    webhook_id: str
    vehicle_id: str
    user_id: str | None
    vehicle: dict[str, Any] | None  # make, model, year, mode, powertrainType
    created_at: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> Subscription:
        relationships = _dict(resource.get("relationships"))

        def related(name: str) -> str | None:
            return _text(_dict(_dict(relationships.get(name)).get("data")).get("id"))

        vehicle = _dict(resource.get("attributes")).get("vehicle")
        return cls(str(resource.get("id") or ""), related("webhook") or "", related("vehicle") or "", related("user"),
                   vehicle if isinstance(vehicle, dict) else None,
                   _text(_dict(resource.get("meta")).get("createdAt")), resource)


@dataclass(frozen=True)
class Capability:
    """One signal or command a model supports."""

    type: str  # signal, command
    name: str
    group: str
    code: str
    capability: str
    permission: str

    @classmethod
    def from_json(cls, value: Any) -> Capability:
        item = _dict(value)
        return cls(*(str(item.get(k) or "") for k in ("type", "name", "group", "code", "capability", "permission")))


@dataclass(frozen=True)
class CompatibleVehicle:
    """A model Smartcar supports in a region, with its capabilities."""

    id: str
    make: str
    model: str
    region: str
    powertrain_type: str
    year_start: int | None
    year_end: int | None
    capabilities: tuple[Capability, ...]
    raw: dict[str, Any] = field(repr=False)

    def supports(self, capability: str) -> bool:
        """Whether the model supports a capability code, e.g. ``tractionbattery-stateofcharge`` or ``closure-lock``."""
        return any(c.capability == capability for c in self.capabilities)

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> CompatibleVehicle:
        attributes = _dict(resource.get("attributes"))
        years = _dict(attributes.get("years"))
        return cls(str(resource.get("id") or ""), str(attributes.get("make") or ""), str(attributes.get("model") or ""),
                   str(attributes.get("region") or ""), str(attributes.get("powertrainType") or ""),
                   years.get("start"), years.get("end"),
                   tuple(Capability.from_json(c) for c in attributes.get("capabilities") or ()), resource)
