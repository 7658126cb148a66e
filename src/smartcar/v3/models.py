"""Typed results of the API v3 client. Every result keeps the raw JSON (``raw``) and response headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from .bodies import Body

T = TypeVar("T")
B = TypeVar("B", bound=Body)


@dataclass(frozen=True)
class VehicleAttributes:
    """``GET /v3/vehicles/{id}``: make, model, year, powertrain and mode."""

    id: str
    make: str
    model: str
    year: int
    powertrain_type: str | None
    mode: str | None
    raw: dict[str, Any] = field(repr=False)
    headers: Mapping[str, str] = field(repr=False, default_factory=dict)

    @classmethod
    def from_body(cls, body: dict[str, Any], headers: Mapping[str, str]) -> VehicleAttributes:
        resource = body.get("data", body)  # documented shape is wrapped in "data"; SDK fixtures are bare
        attributes = resource.get("attributes", {})
        return cls(resource.get("id", ""), attributes.get("make", ""), attributes.get("model", ""),
                   attributes.get("year", 0), attributes.get("powertrainType"), attributes.get("mode"), body,
                   headers)


@dataclass(frozen=True)
class Connection:
    """A user–vehicle connection of the application."""

    id: str
    user_id: str
    vehicle_id: str
    permissions: tuple[str, ...]
    vehicle: dict[str, Any] | None  # make, model, year, mode, powertrainType
    created_at: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> Connection:
        attributes = resource.get("attributes", {})
        relationships = resource.get("relationships", {})
        return cls(resource["id"], relationships.get("user", {}).get("data", {}).get("id", ""),
                   relationships.get("vehicle", {}).get("data", {}).get("id", ""),
                   tuple(attributes.get("permissions", ())), attributes.get("vehicle"),
                   resource.get("meta", {}).get("createdAt"), resource)


def epoch_ms(value: Any) -> int | None:
    """A signal time as epoch milliseconds: production sends ISO-8601 strings (``2026-06-30T00:03:53.743Z``),
    older payloads and webhooks epoch milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp() * 1000)
    return None


@dataclass(frozen=True)
class SignalError:
    """Why one signal failed: ``type``/``code`` (``COMPATIBILITY``/``VEHICLE_NOT_CAPABLE``, ``PERMISSION``/…,
    ``VEHICLE_STATE``/``NOT_CHARGING``), a title, the detail and the suggested resolution."""

    type: str
    code: str | None
    title: str | None
    detail: str | None
    resolution: str | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, error: Any) -> SignalError:
        error = error if isinstance(error, dict) else {}
        resolution = error.get("resolution")
        if isinstance(resolution, dict):
            resolution = resolution.get("type")
        detail = error.get("detail")
        if detail is None:
            detail = error.get("description") or error.get("message")
        return cls(str(error.get("type") or ""), _optional_text(error.get("code")), _optional_text(error.get("title")),
                   _optional_text(detail), _optional_text(resolution), error)


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Signal:
    """One signal: ``code`` (e.g. ``odometer-traveleddistance``), ``body`` when ``ok``, else ``error`` (a failed
    signal may still carry its last known ``body``). Times are epoch milliseconds."""

    code: str
    name: str
    group: str
    status: str
    body: dict[str, Any] | None
    error: SignalError | None
    retrieved_at: int | None
    oem_updated_at: int | None
    raw: dict[str, Any] = field(repr=False)
    ingested_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def value(self) -> Any:
        """``body["value"]`` for the many single-value signals (None otherwise)."""
        return self.body.get("value") if isinstance(self.body, dict) else None  # odd bodies: None, not a crash

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> Signal:
        attributes = resource.get("attributes", {})
        status = attributes.get("status", {})
        meta = resource.get("meta") or {}
        error = status.get("error")
        return cls(attributes.get("code", resource.get("id", "")), attributes.get("name", ""),
                   attributes.get("group", ""), status.get("value", ""), attributes.get("body"),
                   SignalError.from_json(error) if error is not None else None, epoch_ms(meta.get("retrievedAt")),
                   epoch_ms(meta.get("oemUpdatedAt")), resource, epoch_ms(meta.get("ingestedAt")))


@dataclass(frozen=True)
class TypedSignal(Generic[B]):
    """A signal with its body parsed into a typed model (``body`` None when the signal carries none)."""

    signal: Signal
    body: B | None

    @property
    def ok(self) -> bool:
        return self.signal.ok

    @property
    def status(self) -> str:
        return self.signal.status

    @property
    def error(self) -> SignalError | None:
        return self.signal.error

    @classmethod
    def of(cls, signal: Signal, body_type: type[B]) -> TypedSignal[B]:
        body = signal.body
        return cls(signal, body_type.parse(body) if isinstance(body, dict) else None)


@dataclass(frozen=True)
class CommandExecution:
    """The outcome of a v3 command (``status`` ``SUCCESS`` when it completed synchronously)."""

    id: str
    command_type: str
    status: str
    execution_mode: str | None
    parameters: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)
    http_status: int = 200  # 202: still running

    @property
    def pending(self) -> bool:
        """Accepted and still running (HTTP 202): read it again with ``vehicle.command_execution(id)``."""
        return self.status == "PENDING"

    @property
    def error(self) -> dict[str, Any] | None:
        """The vehicle's error (``type``, ``code``, ``detail``) of a ``FAILED`` execution."""
        data = self.raw.get("data")
        attributes = data.get("attributes") if isinstance(data, dict) else None
        status = attributes.get("status") if isinstance(attributes, dict) else None
        error = status.get("error") if isinstance(status, dict) else None
        return error if isinstance(error, dict) else None

    @classmethod
    def from_body(cls, body: dict[str, Any], http_status: int) -> CommandExecution:
        data = body.get("data", {})
        attributes = data.get("attributes", {})
        return cls(data.get("id", ""), attributes.get("commandType", ""),
                   attributes.get("status", {}).get("value", ""), attributes.get("executionMode"),
                   attributes.get("parameters") or {}, body, http_status)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a v3 list."""

    items: list[T]
    page: int
    page_size: int
    total_count: int
    has_next: bool
    raw: dict[str, Any] = field(repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def from_body(cls, body: dict[str, Any], item: Any) -> Page[Any]:
        meta = body.get("meta", {})
        items = [item(resource) for resource in body.get("data", [])]
        page = meta.get("pageNumber", meta.get("page", 1))  # signals say pageNumber (production), connections page
        size, total = meta.get("pageSize", len(items)), meta.get("totalCount", len(items))
        has_next = bool(body.get("links", {}).get("next")) or page * max(size, 1) < total
        return cls(items, page, size, total, has_next and bool(items), body)


def every_item(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Every item of a paged list, fetching page ``n`` with ``fetch(n)`` as the iteration goes."""
    number = 1
    while True:
        page = fetch(number)
        yield from page.items
        if not page.has_next:
            return
        number += 1


async def every_item_async(fetch: Callable[[int], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """The ``async for`` twin of :func:`every_item`."""
    number = 1
    while True:
        page = await fetch(number)
        for item in page.items:
            yield item
        if not page.has_next:
            return
        number += 1
