"""Per-make catalogue data for the signals the simulator does not model (connector, firmware, feature names).

Plausible values, not measurements: what an OEM of that make would typically report. A vehicle picks from
the lists deterministically by its VIN.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "connector": "J1772",
    "fast_charger": "CCS",
    "phases": 1,
    "amperage_max": 48,
    "firmware": ("3.2.1", "3.4.0"),
    "surveillance": None,
    "colors": ("White", "Black", "Silver", "Gray", "Blue", "Red"),
    "wheel_styles": ("18-inch alloy", "19-inch alloy"),
    "roles": ("OWNER",),
    "account_permissions": ("remote_commands", "vehicle_status", "location"),
    "drive_modes": {"NORMAL": "Normal", "SPORT": "Sport", "ECO": "Eco"},
    "nicknames": ("Daily driver", "Road tripper", "Commuter"),
}

MAKES: dict[str, dict[str, Any]] = {
    "TESLA": {"connector": "NACS", "fast_charger": "NACS", "amperage_max": 48,
              "firmware": ("2024.44.25", "2025.2.6", "2025.8.3"), "surveillance": "Sentry Mode",
              "colors": ("Pearl White", "Solid Black", "Deep Blue Metallic", "Ultra Red", "Stealth Grey"),
              "wheel_styles": ("Photon", "Gemini", "Induction", "Tempest"), "roles": ("OWNER", "DRIVER"),
              "account_permissions": ("vehicle_cmds", "vehicle_device_data", "vehicle_charging_cmds",
                                      "vehicle_location"),
              "drive_modes": {"NORMAL": "Standard", "SPORT": "Sport", "ECO": "Chill"},
              "nicknames": ("Sparky", "Blue Thunder", "Ludicrous")},
    "RIVIAN": {"amperage_max": 48, "firmware": ("2024.35.0", "2025.06.0"), "surveillance": "Gear Guard",
               "colors": ("Rivian Blue", "Launch Green", "Limestone", "Forest Green"),
               "wheel_styles": ("20-inch All-Terrain", "21-inch Road", "22-inch Sport"), "roles": ("OWNER", "DRIVER"),
               "account_permissions": ("vehicle_commands", "vehicle_data", "location"),
               "drive_modes": {"NORMAL": "All-Purpose", "SPORT": "Sport", "ECO": "Conserve",
                               "OFF_ROAD": "All-Terrain"}},
    "FORD": {"amperage_max": 48, "firmware": ("SYNC 4A 24.1", "SYNC 4A 24.3"),
             "drive_modes": {"NORMAL": "Engage", "SPORT": "Unbridled", "ECO": "Whisper"}},
    "AUDI": {"phases": 3, "amperage_max": 32, "colors": ("Glacier White", "Mythos Black", "Navarra Blue")},
    "VOLKSWAGEN": {"phases": 3, "amperage_max": 32, "firmware": ("3.2", "3.5"),
                   "colors": ("Kings Red", "Moonstone Gray", "Aurora Blue")},
    "BMW": {"phases": 3, "amperage_max": 32, "firmware": ("iDrive 7 21-07", "iDrive 8 23-03"),
            "drive_modes": {"NORMAL": "Comfort", "SPORT": "Sport", "ECO": "Eco Pro"}},
    "MERCEDES-BENZ": {"phases": 3, "amperage_max": 32,
                      "drive_modes": {"NORMAL": "Comfort", "SPORT": "Sport", "ECO": "Eco"}},
    "VOLVO": {"phases": 3, "amperage_max": 32, "firmware": ("2.9.1", "3.1.4")},
    "NISSAN": {"connector": "J1772", "fast_charger": "CHADEMO", "amperage_max": 32},
    "HYUNDAI": {"amperage_max": 48, "firmware": ("ccNC 2.0", "ccNC 2.2")},
    "KIA": {"amperage_max": 16},
    "CADILLAC": {"amperage_max": 48}, "CHEVROLET": {"amperage_max": 32},
    "TOYOTA": {"amperage_max": 16}, "MINI": {"phases": 3, "amperage_max": 32},
}


def make_data(make: str, key: str) -> Any:
    """A make's value for ``key`` (the default when the make has none of its own)."""
    return MAKES.get(make, {}).get(key, DEFAULTS[key])
