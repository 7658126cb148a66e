"""Typed bodies of API v3 signals, one class per body shape (see :mod:`smartcar.v3.signal_models`).

Parsers are lenient: a field the platform leaves out is None, an unknown one is ignored (``raw`` keeps all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

B = TypeVar("B", bound="Body")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Body:
    """Base of every typed body: ``raw`` is the body as sent."""

    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls: type[B], body: dict[str, Any]) -> B:
        raise NotImplementedError


@dataclass(frozen=True)
class UnitValue(Body):
    """``{value, unit}``: a number and its unit label (``km``, ``percent``, ``ampere``, ``celsius``, …)."""

    value: float | None = None
    unit: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> UnitValue:
        return cls(body, _number(body.get("value")), _text(body.get("unit")))


@dataclass(frozen=True)
class BoolValue(Body):
    """``{value: bool}``."""

    value: bool | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> BoolValue:
        return cls(body, _flag(body.get("value")))


@dataclass(frozen=True)
class TextValue(Body):
    """``{value: str}`` (free text or an enumeration such as ``CHARGING`` or ``PARK``)."""

    value: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> TextValue:
        return cls(body, _text(body.get("value")))


@dataclass(frozen=True)
class TextList(Body):
    """``{values: [str]}``."""

    values: tuple[str, ...] = ()

    @classmethod
    def parse(cls, body: dict[str, Any]) -> TextList:
        values = body.get("values")
        return cls(body, tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ())


@dataclass(frozen=True)
class Cell:
    """One position of a grid (row 0 = front, column 0 = left)."""

    row: int | None
    column: int | None
    is_open: bool | None = None
    is_locked: bool | None = None
    tire_pressure: float | None = None


@dataclass(frozen=True)
class Grid(Body):
    """Doors, windows or tires: ``{values: [{row, column, …}], rowCount, columnCount}``."""

    values: tuple[Cell, ...] = ()
    row_count: int | None = None
    column_count: int | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Grid:
        cells = tuple(Cell(_integer(c.get("row")), _integer(c.get("column")), _flag(c.get("isOpen")),
                           _flag(c.get("isLocked")), _number(c.get("tirePressure")))
                      for c in _objects(body.get("values")))
        return cls(body, cells, _integer(body.get("rowCount")), _integer(body.get("columnCount")))


@dataclass(frozen=True)
class Closure(Body):
    """A trunk, hood or sunroof: ``{isOpen, isLocked?}`` (``isOpen`` may be null)."""

    is_open: bool | None = None
    is_locked: bool | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Closure:
        return cls(body, _flag(body.get("isOpen")), _flag(body.get("isLocked")))


@dataclass(frozen=True)
class SystemStatus(Body):
    """A diagnostic system: ``{status: OK|ALERT, description?}``."""

    status: str | None = None
    description: str | None = None

    @property
    def alert(self) -> bool:
        return self.status == "ALERT"

    @classmethod
    def parse(cls, body: dict[str, Any]) -> SystemStatus:
        return cls(body, _text(body.get("status")), _text(body.get("description")))


@dataclass(frozen=True)
class ChargeLimit:
    type: str | None
    limit: float | None
    condition: dict[str, Any] | None = None


@dataclass(frozen=True)
class ChargeLimits(Body):
    """``charge-chargelimits``: limits per context and the one in effect (percent)."""

    values: tuple[ChargeLimit, ...] = ()
    active_limit: float | None = None
    unit: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> ChargeLimits:
        limits = tuple(ChargeLimit(_text(v.get("type")), _number(v.get("limit")), v.get("condition"))
                       for v in _objects(body.get("values")))
        return cls(body, limits, _number(body.get("activeLimit")), _text(body.get("unit")))


@dataclass(frozen=True)
class Records(Body):
    """A list of records (charge timers, charge records, service records, DTCs), each kept as a dict."""

    values: tuple[dict[str, Any], ...] = ()

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Records:
        return cls(body, tuple(_objects(body.get("values"))))


@dataclass(frozen=True)
class Location(Body):
    """``location-preciselocation`` (heading and direction only when the OEM sends them)."""

    latitude: float | None = None
    longitude: float | None = None
    heading: float | None = None
    direction: str | None = None
    location_type: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Location:
        return cls(body, _number(body.get("latitude")), _number(body.get("longitude")), _number(body.get("heading")),
                   _text(body.get("direction")), _text(body.get("locationType")))


@dataclass(frozen=True)
class NominalCapacity(Body):
    """``tractionbattery-nominalcapacity`` (kWh)."""

    capacity: float | None = None
    source: str | None = None
    available_capacities: tuple[dict[str, Any], ...] = ()
    unit: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> NominalCapacity:
        return cls(body, _number(body.get("capacity")), _text(body.get("source")),
                   tuple(_objects(body.get("availableCapacities"))), _text(body.get("unit")))


@dataclass(frozen=True)
class BatteryRange(Body):
    """``tractionbattery-range``: the best estimate plus other estimates (``additionalValues``)."""

    value: float | None = None
    unit: str | None = None
    type: str | None = None
    additional_values: tuple[dict[str, Any], ...] = ()

    @classmethod
    def parse(cls, body: dict[str, Any]) -> BatteryRange:
        return cls(body, _number(body.get("value")), _text(body.get("unit")), _text(body.get("type")),
                   tuple(_objects(body.get("additionalValues"))))


@dataclass(frozen=True)
class DriveMode(Body):
    """``transmission-drivemode``: the canonical mode and the OEM's name for it."""

    canonical: str | None = None
    oem_display_name: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> DriveMode:
        return cls(body, _text(body.get("canonical")), _text(body.get("oemDisplayName")))
