"""Test-mode logins with special meaning (wire reference §2.6 and §7.2).

``resolve_test_login`` turns an email typed on the Connect login page into the vehicles that account holds,
or raises the Connect error the special address stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import make_from_vin
from .errors import ConnectRedirectError, known_error
from .permissions import LEVELS
from .state import rng_for

WELL_KNOWN_VIN = "0SCAUDI037A5ADB1C"

# v1.0 test errors: email -> (error, code, message). The v2 pair is what the same vehicle answers under v2.0.
V1_ERRORS: dict[str, tuple[str, str, str, str]] = {
    "smartcar@voa-000.vehicle-owner-action-required.com": (
        "vehicle_owner_action_required", "VOA_000",
        "Vehicle authentication failed. Please prompt the vehicle owner to log in again using Connect.",
        "CONNECTED_SERVICES_ACCOUNT.AUTHENTICATION_FAILED"),
    "smartcar@voa-001.vehicle-owner-action-required.com": (
        "vehicle_owner_action_required", "VOA_001",
        "Connected services subscription invalid or expired. "
        "Please prompt the vehicle owner to reactivate their subscription.",
        "CONNECTED_SERVICES_ACCOUNT.SUBSCRIPTION"),
    "smartcar@vs-000.vehicle-state-error.com": (
        "vehicle_state_error", "VS_000", "Vehicle state cannot be determined.", "VEHICLE_STATE.UNKNOWN"),
    "smartcar@vs-001.vehicle-state-error.com": (
        "vehicle_state_error", "VS_001", "Some of the vehicle's doors are open.", "VEHICLE_STATE.DOOR_OPEN"),
    "smartcar@vs-002.vehicle-state-error.com": (
        "vehicle_state_error", "VS_002", "Some of the vehicle's trunks are open.", "VEHICLE_STATE.TRUNK_OPEN"),
    "smartcar@vs-003.vehicle-state-error.com": (
        "vehicle_state_error", "VS_003", "The vehicle's hood is open.", "VEHICLE_STATE.HOOD_OPEN"),
    "smartcar@vs-004.vehicle-state-error.com": (
        "vehicle_state_error", "VS_004", "The vehicle's charge port is open.", "VEHICLE_STATE.UNKNOWN"),
}
V1_VINS = {"0SCLR0002EDAB90A7": "smartcar@voa-000.vehicle-owner-action-required.com",
           "0SCLR0002AB072EEA": "smartcar@voa-001.vehicle-owner-action-required.com",
           "0SCLR000292E53813": "smartcar@vs-000.vehicle-state-error.com",
           "0SCLR00022F1A83F5": "smartcar@vs-001.vehicle-state-error.com",
           "0SCLR00028D1AA6DF": "smartcar@vs-002.vehicle-state-error.com"}

INCOMPATIBLE_EMAIL = "smartcar@vehicle-incompatible.com"
INVALID_SUBSCRIPTION_EMAIL = "smartcar@invalid-subscription.com"
SPECIAL_VINS = {"0SCAUDI012FE3B132": INCOMPATIBLE_EMAIL, "0SCAUDI0155C49A95": INVALID_SUBSCRIPTION_EMAIL}

_LEVEL_EMAIL = re.compile(r"^(?P<vin>[A-Za-z0-9]{17})@(?P<level>[a-z]+)\.smartcar\.com$", re.IGNORECASE)
_FLEET_EMAIL = re.compile(r"^(?P<n>\d{1,3})-vehicles@smartcar\.com$", re.IGNORECASE)
_ERROR_EMAIL = re.compile(r"^(?P<type>[A-Z_]+)\.(?P<code>[A-Z_]+)@smartcar\.com$")


@dataclass(frozen=True)
class VehicleSpec:
    """A vehicle an OEM account holds: enough to find or create it."""

    vin: str
    make: str
    level: str | None = None
    test_error: str | None = None


def test_vin(prefix: str, *parts: str) -> str:
    """A stable 17-character VIN starting with ``0SC`` (test) or ``3SC`` (simulated)."""
    rng = rng_for("vin", *parts)
    return prefix + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(14))


def resolve_test_login(email: str, make: str, mode: str = "test") -> list[VehicleSpec]:
    """The vehicles of a test- or simulated-mode account, or a Connect error for special addresses."""
    address = email.strip()
    lowered = address.lower()
    prefix = "3SC" if mode == "simulated" else "0SC"
    if lowered == INCOMPATIBLE_EMAIL:
        raise ConnectRedirectError("vehicle_incompatible", "The user\u2019s vehicle is not compatible.",
                                   vin="0SCAUDI012FE3B132", make="AUDI", model="A4", year="2017")
    if lowered == INVALID_SUBSCRIPTION_EMAIL:
        raise ConnectRedirectError("invalid_subscription",
                                   "User does not have an active connected vehicle subscription.")
    if lowered == "smartcar@successful-request.com":
        return [VehicleSpec(WELL_KNOWN_VIN, "AUDI")]
    if lowered in V1_ERRORS:
        error, code, message, v2 = V1_ERRORS[lowered]
        vin = next((v for v, e in V1_VINS.items() if e == lowered), test_vin(prefix, lowered))
        return [VehicleSpec(vin, make, test_error=f"{v2}|{error}|{code}|{message}")]
    match = _LEVEL_EMAIL.match(address)
    if match and match["level"].lower() in LEVELS:
        vin = match["vin"].upper()
        return [VehicleSpec(vin, make_from_vin(vin) or make, level=match["level"].lower())]
    match = _FLEET_EMAIL.match(address)
    if match:
        count = max(1, min(999, int(match["n"])))
        return [VehicleSpec(test_vin(prefix, lowered, make, str(i)), make) for i in range(count)]
    match = _ERROR_EMAIL.match(address)
    if match and known_error(match["type"], match["code"]):
        return [VehicleSpec(test_vin(prefix, lowered, make), make, test_error=f"{match['type']}.{match['code']}")]
    return [VehicleSpec(test_vin(prefix, lowered, make), make)]
