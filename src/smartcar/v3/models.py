"""Typed results of the API v3 client. Every result keeps the raw JSON (``raw``) and response headers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


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


@dataclass(frozen=True)
class Signal:
    """One signal: ``code`` (e.g. ``odometer-traveleddistance``), ``body`` when ``ok``, else ``error``."""

    code: str
    name: str
    group: str
    status: str
    body: dict[str, Any] | None
    error: dict[str, Any] | None
    retrieved_at: int | None  # epoch milliseconds
    oem_updated_at: int | None
    raw: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def value(self) -> Any:
        """``body["value"]`` for the many single-value signals (None otherwise)."""
        return (self.body or {}).get("value")

    @classmethod
    def from_resource(cls, resource: dict[str, Any]) -> Signal:
        attributes = resource.get("attributes", {})
        status = attributes.get("status", {})
        meta = resource.get("meta", {})
        return cls(attributes.get("code", resource.get("id", "")), attributes.get("name", ""),
                   attributes.get("group", ""), status.get("value", ""), attributes.get("body"),
                   status.get("error"), meta.get("retrievedAt"), meta.get("oemUpdatedAt"), resource)


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
        page, size, total = meta.get("page", 1), meta.get("pageSize", len(items)), meta.get("totalCount", len(items))
        has_next = bool(body.get("links", {}).get("next")) or page * max(size, 1) < total
        return cls(items, page, size, total, has_next and bool(items), body)
