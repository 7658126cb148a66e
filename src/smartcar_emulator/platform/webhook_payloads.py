"""Webhook payloads in the platform's formats (reference §10.2–10.3, surface §6 and §9): v3 ``VERIFY``,
``VEHICLE_STATE`` and ``VEHICLE_ERROR``; v2 ``verify``, ``eventBased`` and ``scheduled``.

Bodies are serialised compactly with key order kept and non-ASCII unescaped (:func:`serialise`), so a receiver
that re-serialises the parsed JSON (Node's ``JSON.stringify``) reproduces the signed bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from ..clock import from_timestamp, iso_ms
from .errors import ApiError
from .signals import SignalReading
from .state import VehicleState
from .vehicles import Vehicle

V3_VERSION = "4.0"
# Resolution of the errors a VEHICLE_ERROR carries (the rest: CONTACT_SUPPORT).
_RESOLUTIONS = {"VEHICLE_STATE": "RETRY_LATER", "CONNECTED_SERVICES_ACCOUNT": "USER_ACTION_REQUIRED",
                "PERMISSION": "REAUTHENTICATE"}


def serialise(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signature(amt: str, body: bytes) -> str:
    """``SC-Signature``: lower-case hex HMAC-SHA256 of the body keyed by the application management token."""
    return hmac.new(amt.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _vehicle(vehicle: Vehicle) -> dict[str, Any]:
    return {"id": vehicle.id, "make": vehicle.make, "model": vehicle.model, "year": vehicle.year,
            "mode": vehicle.mode, "powertrainType": vehicle.powertrain, "vin": vehicle.vin}


def _meta(webhook_id: str, webhook_name: str, mode: str) -> dict[str, Any]:
    # deliveryId and deliveredAt are added per attempt (finalise).
    return {"version": V3_VERSION, "webhookId": webhook_id, "webhookName": webhook_name, "mode": mode.upper()}


def signal_item(reading: SignalReading, now: float) -> dict[str, Any]:
    spec = reading.spec
    item: dict[str, Any] = {"code": spec.code, "name": spec.name, "group": spec.group}
    if reading.error is None:
        item["body"] = reading.body
        item["status"] = {"value": "SUCCESS"}
        updated = min(reading.oem_updated_at or now, now)
        item["meta"] = {"retrievedAt": _ms(now), "oemUpdatedAt": _ms(updated)}
    else:
        item["status"] = {"value": "ERROR", "error": {"type": reading.error[0], "code": reading.error[1]}}
    return item


def v3_verify(event_id: str, webhook_id: str, webhook_name: str, challenge: str, mode: str = "live") -> dict[str, Any]:
    return {"eventId": event_id, "eventType": "VERIFY", "data": {"challenge": challenge},
            "meta": _meta(webhook_id, webhook_name, mode)}


def v3_state(event_id: str, webhook_id: str, webhook_name: str, vehicle: Vehicle, user_id: str | None,
             readings: Iterable[SignalReading], triggers: list[dict[str, Any]], now: float) -> dict[str, Any]:
    signals = [signal_item(r, now) for r in readings]
    meta = _meta(webhook_id, webhook_name, vehicle.mode)
    meta["signalCount"] = len(signals)
    return {"eventId": event_id, "eventType": "VEHICLE_STATE", "vehicleId": vehicle.id,
            "data": {"user": {"id": user_id}, "vehicle": _vehicle(vehicle), "signals": signals},
            "triggers": triggers, "meta": meta}


def trigger(type_: str, reading: SignalReading | None = None) -> dict[str, Any]:
    if reading is None:
        return {"type": type_}
    spec = reading.spec
    return {"type": type_, "signal": {"code": spec.code, "name": spec.name, "group": spec.group}}


def v3_error(event_id: str, webhook_id: str, webhook_name: str, vehicle: Vehicle, user_id: str | None,
             error: tuple[str, str], state: str, signals: list[dict[str, str]]) -> dict[str, Any]:
    type_, code = error
    description = ApiError(type_, code).description if state == "ERROR" else "The vehicle is now reachable."
    item: dict[str, Any] = {"type": type_, "code": code, "state": state, "description": description,
                            "signals": signals}
    if state == "ERROR":
        item["resolution"] = {"type": _RESOLUTIONS.get(type_, "CONTACT_SUPPORT")}
        item["docURL"] = f"https://smartcar.com/docs/errors/api-errors/{type_.lower().replace('_', '-')}-errors"
    return {"eventId": event_id, "eventType": "VEHICLE_ERROR", "vehicleId": vehicle.id,
            "data": {"user": {"id": user_id}, "vehicle": _vehicle(vehicle), "errors": [item]},
            "meta": _meta(webhook_id, webhook_name, vehicle.mode)}


def v2_verify(webhook_id: str, challenge: str) -> dict[str, Any]:
    return {"version": "2.0", "webhookId": webhook_id, "eventName": "verify", "payload": {"challenge": challenge}}


def v2_event(event_id: str, webhook_id: str, vehicle: Vehicle, event_type: str, at: float) -> dict[str, Any]:
    return {"version": "2.0", "webhookId": webhook_id, "eventName": "eventBased", "mode": vehicle.mode,
            "payload": {"eventId": event_id, "vehicleId": vehicle.id, "eventType": event_type,
                        "eventTime": iso_ms(from_timestamp(at))}}


def v2_vehicle_data(vehicle: Vehicle, state: VehicleState, request_id: str, now: float) -> dict[str, Any]:
    """One vehicle of a scheduled v2 delivery: odometer, location, and battery/charge or fuel."""
    headers = {"sc-data-age": iso_ms(from_timestamp(min(state.data_age or now, now))), "sc-unit-system": "metric"}
    data: list[dict[str, Any]] = [
        {"path": "/odometer", "code": 200, "body": {"distance": round(state.odometer_km, 1)}, "headers": headers},
        {"path": "/location", "code": 200, "body": {"latitude": state.latitude, "longitude": state.longitude},
         "headers": headers},
    ]
    if state.battery_soc is not None:
        data.append({"path": "/battery", "code": 200, "headers": headers,
                     "body": {"percentRemaining": round(state.battery_soc, 4),
                              "range": round(state.battery_range_km or 0.0, 2)}})
        charge = "CHARGING" if state.charging else ("FULLY_CHARGED" if state.plugged_in
                                                    and state.battery_soc >= state.charge_limit else "NOT_CHARGING")
        data.append({"path": "/charge", "code": 200, "headers": headers,
                     "body": {"isPluggedIn": state.plugged_in, "state": charge}})
    if state.fuel_fraction is not None:
        data.append({"path": "/fuel", "code": 200, "headers": headers,
                     "body": {"percentRemaining": round(state.fuel_fraction, 4),
                              "range": round(state.fuel_range_km or 0.0, 2)}})
    return {"vehicleId": vehicle.id, "requestId": request_id, "data": data}


def v2_scheduled(webhook_id: str, mode: str, vehicles: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": "2.0", "webhookId": webhook_id, "eventName": "scheduled", "mode": mode,
            "payload": {"vehicles": vehicles}}


def finalise(payload: dict[str, Any], delivery_id: str, now: float) -> bytes:
    """The bytes of one attempt: v3 payloads get this attempt's ``meta.deliveryId`` and ``deliveredAt``."""
    meta = payload.get("meta")
    if isinstance(meta, dict) and "version" in meta and payload.get("eventType") is not None:
        meta = {**meta, "deliveryId": delivery_id, "deliveredAt": _ms(now)}
        payload = {**payload, "meta": meta}
    return serialise(payload).encode("utf-8")
