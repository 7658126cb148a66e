"""Test-mode logins with special meaning (wire reference §2.6 and §7.2).

``resolve_test_login`` turns an email typed on the Connect login page into the vehicles that account holds,
or raises the Connect error the special address stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .catalog import MODELS, Model, make_from_vin, models_of
from .errors import ConnectRedirectError, known_error
from .permissions import LEVELS, capable
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
# Connect's server_error (reference, surface §7): no test login is documented for it; this one is ours.
SERVER_ERROR_EMAIL = "smartcar@server-error.com"
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
    model: Model | None = None  # None: the repository picks (the make's first model for a login's first vehicle)


# The powertrain a compatibility level stands for (``<VIN>@<level>.smartcar.com``).
_LEVEL_POWERTRAIN = {"bev": "BEV", "fuel": "ICE", "phev": "PHEV", "compatible": "PHEV"}


def models_for(make: str, required: frozenset[str] = frozenset(), wanted: frozenset[str] = frozenset()) -> list[Model]:
    """The make's catalogue models that can serve every ``required`` permission, those serving the most
    ``wanted`` ones first (catalogue order otherwise). Empty when no model can serve what is required."""
    models = models_of(make) or list(MODELS)
    able = [m for m in models if all(capable(p, m.powertrain) for p in required)]
    return sorted(able, key=lambda m: -sum(capable(p, m.powertrain) for p in wanted))


def level_model(make: str, level: str) -> Model:
    """A model of the make whose powertrain matches the level, or the make's first model given that powertrain
    (a test fixture: ``<VIN>@bev.smartcar.com`` must have a battery whatever its make builds)."""
    models = models_of(make) or list(MODELS)
    powertrain = _LEVEL_POWERTRAIN.get(level)
    if powertrain is None:
        return models[0]
    matching = next((m for m in models if m.powertrain == powertrain), None)
    if matching is not None:
        return matching
    base = models[0]
    return replace(base, powertrain=powertrain, battery_kwh=base.battery_kwh or (18.0 if powertrain == "PHEV" else 75.0),
                   tank_liters=base.tank_liters or (0.0 if powertrain == "BEV" else 50.0))


def test_vin(prefix: str, *parts: str) -> str:
    """A stable 17-character VIN starting with ``0SC`` (test) or ``3SC`` (simulated)."""
    rng = rng_for("vin", *parts)
    return prefix + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(14))


def resolve_test_login(email: str, make: str, mode: str = "test", required: frozenset[str] = frozenset(),
                       wanted: frozenset[str] = frozenset()) -> list[VehicleSpec]:
    """The vehicles of a test- or simulated-mode account, or a Connect error for special addresses.

    ``required`` and ``wanted`` are the permissions the authorize request marks ``required:`` and asks for: an
    ordinary login gets a model of the brand that can serve them (the make's first model when it can).
    """
    address = email.strip()
    lowered = address.lower()
    prefix = "3SC" if mode == "simulated" else "0SC"
    if lowered == INCOMPATIBLE_EMAIL:
        raise ConnectRedirectError("vehicle_incompatible", "The user\u2019s vehicle is not compatible.",
                                   vin="0SCAUDI012FE3B132", make="AUDI", model="A4", year="2017")
    if lowered == SERVER_ERROR_EMAIL:
        raise ConnectRedirectError("server_error", "Unexpected server error. Please try again.")
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
        vin, level = match["vin"].upper(), match["level"].lower()
        vin_make = make_from_vin(vin) or make
        return [VehicleSpec(vin, vin_make, level=level, model=level_model(vin_make, level))]
    choices = models_for(make, required, wanted) or models_for(make)
    default = (models_of(make) or list(MODELS))[0]
    # A login's vehicles depend on what the app asks for only where that changes the model: the same email gets
    # the same VINs as before unless a capable model had to be chosen.
    variant = () if choices == models_for(make) else tuple(m.name for m in choices)
    match = _FLEET_EMAIL.match(address)
    if match:
        count = max(1, min(999, int(match["n"], 10)))
        specs = []
        for i in range(count):
            vin = test_vin(prefix, lowered, make, str(i), *variant)
            model = choices[0] if i == 0 else rng_for("model", vin).choice(choices)
            specs.append(VehicleSpec(vin, make, model=model))
        return specs
    test_error = None
    match = _ERROR_EMAIL.match(address)
    if match and known_error(match["type"], match["code"]):
        test_error = f"{match['type']}.{match['code']}"
    model = choices[0]
    vin = test_vin(prefix, lowered, make, *(() if model == default else (model.name,)))
    return [VehicleSpec(vin, make, test_error=test_error, model=model)]
