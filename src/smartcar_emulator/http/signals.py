"""v3 signal resources as production sends them (reference, surface §9).

``meta`` times are ISO-8601 strings with milliseconds (``ingestedAt``, ``retrievedAt``, ``oemUpdatedAt``); a
failed signal carries only ``ingestedAt`` and an error ``{type, code, title, detail, description, resolution}``,
and keeps its last known ``body`` when it has one.
"""

from __future__ import annotations

from typing import Any

from ..clock import from_timestamp, iso_ms
from ..platform.errors import ApiError
from ..platform.signals import SignalReading

# Per-signal errors: title and resolution as production words them (PERMISSION's code is UNKNOWN there).
_TITLES: dict[tuple[str, str], tuple[str, str]] = {
    ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE"): ("Vehicle Not Capable", "UNKNOWN_RESOLUTION_TYPE"),
    ("PERMISSION", "UNKNOWN"): ("Unknown", "REAUTHENTICATE"),
    ("VEHICLE_STATE", "NOT_CHARGING"): ("Not Charging", "UNKNOWN_RESOLUTION_TYPE"),
}
DEPRECATED_DESCRIPTION = "Deprecated. Use detail"


def _iso(seconds: float) -> str:
    return iso_ms(from_timestamp(seconds))


def signal_error(type_: str, code: str) -> dict[str, Any]:
    """The error object of a failed signal."""
    title, resolution = _TITLES.get((type_, code), (code.replace("_", " ").title(), "UNKNOWN_RESOLUTION_TYPE"))
    detail = ApiError(type_, None if type_ == "PERMISSION" else code).description
    return {"type": type_, "code": code, "title": title, "detail": detail, "description": DEPRECATED_DESCRIPTION,
            "resolution": {"type": resolution}}


def signal_resource(vehicle_id: str, reading: SignalReading, now: float) -> dict[str, Any]:
    """One signal: ``{id, type, attributes {code, name, group, status, body?}, meta, links}``."""
    spec = reading.spec
    attributes: dict[str, Any] = {"code": spec.code, "name": spec.name, "group": spec.group}
    meta: dict[str, Any] = {"ingestedAt": _iso(now)}
    if reading.error is None:
        attributes["status"] = {"value": "SUCCESS"}
        meta["retrievedAt"] = _iso(now)
        meta["oemUpdatedAt"] = _iso(min(reading.oem_updated_at or now, now))
    else:
        attributes["status"] = {"value": "ERROR", "error": signal_error(*reading.error)}
    if reading.body is not None:
        attributes["body"] = reading.body
    return {"id": spec.code, "type": "signal", "attributes": attributes, "meta": meta,
            "links": {"self": f"/vehicles/{vehicle_id}/signals/{spec.code}"}}
