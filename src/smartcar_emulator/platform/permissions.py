"""Permission names, what they read in plain words, and which powertrains can serve them."""

from __future__ import annotations

DESCRIPTIONS: dict[str, str] = {
    "read_vehicle_info": "Know make, model, and year",
    "read_vin": "Read the vehicle identification number (VIN)",
    "read_odometer": "Retrieve total distance traveled",
    "read_location": "Access the vehicle's location",
    "read_battery": "Read the high-voltage battery's charge level, range and capacity",
    "read_charge": "Know whether the vehicle is charging, and its charge limit",
    "control_charge": "Start or stop charging and set the charge limit",
    "read_fuel": "Read the fuel tank level and range",
    "read_engine_oil": "Read the engine oil life",
    "read_tires": "Read the tire pressures",
    "read_security": "Know whether doors, windows and trunks are locked or open",
    "control_security": "Lock and unlock the vehicle",
    "control_navigation": "Send a destination to the vehicle's navigation",
    "read_service_history": "Read the dealer service records",
    "read_diagnostics": "Read system status and diagnostic trouble codes",
    "read_user_profile": "Read the owner's account email and phone number",
    "read_extended_vehicle_info": "Read the vehicle's configuration",
    "read_climate": "Read the cabin climate settings",
    "control_climate": "Change the cabin climate settings",
    "read_compass": "Read the vehicle's heading",
    "read_speedometer": "Read the vehicle's speed",
    "read_thermometer": "Read the interior and exterior temperatures",
    "read_charge_locations": "Read past charging locations",
    "read_charge_records": "Read charging records and billing",
    "read_charge_events": "Receive charging event notifications",
    "read_alerts": "Receive vehicle alerts",
    "control_pin": "Set or clear the PIN to Drive",
    "control_trunk": "Open and close the trunk and front trunk",
}

KNOWN = frozenset(DESCRIPTIONS)

_ELECTRIC_ONLY = frozenset({"read_battery", "read_charge", "control_charge", "read_charge_locations",
                            "read_charge_records", "read_charge_events"})
_FUEL_ONLY = frozenset({"read_fuel", "read_engine_oil"})

# Compatibility levels of test-mode vehicles (``<VIN>@<level>.smartcar.com``).
LEVELS = ("compatible", "phev", "incompatible", "fuel", "dinosaur", "bev")


def parse_scope(scope: str) -> tuple[list[str], set[str]]:
    """Split a Connect ``scope`` into permission names (prefix stripped) and the set marked ``required:``."""
    names: list[str] = []
    required: set[str] = set()
    for raw in scope.replace(",", " ").split():
        name = raw.removeprefix("required:")
        if raw.startswith("required:"):
            required.add(name)
        if name not in names:
            names.append(name)
    return names, required


def effective_powertrain(powertrain: str, level: str | None = None) -> str | None:
    """The powertrain a test-mode level makes a vehicle behave as (None: capable of nothing)."""
    if level in ("incompatible", "dinosaur"):
        return None
    if level == "fuel":
        return "ICE"
    if level == "bev":
        return "BEV"
    if level in ("compatible", "phev"):
        return "PHEV"
    return powertrain


def capable(permission: str, powertrain: str, level: str | None = None) -> bool:
    """Whether a vehicle of this powertrain (and test-mode level) can serve the permission."""
    effective = effective_powertrain(powertrain, level)
    if effective is None:
        return False
    powertrain = effective
    if permission in _ELECTRIC_ONLY and powertrain in ("ICE", "HEV"):
        return False
    if permission in _FUEL_ONLY and powertrain == "BEV":
        return False
    return True
