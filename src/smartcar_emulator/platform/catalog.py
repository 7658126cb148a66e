"""Makes, models and powertrains the emulator offers (the Connect brand list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    make: str
    name: str
    first_year: int
    last_year: int
    powertrain: str  # BEV, PHEV, HEV or ICE
    battery_kwh: float = 0.0
    tank_liters: float = 0.0


MODELS: tuple[Model, ...] = (
    Model("AUDI", "e-tron", 2019, 2024, "BEV", battery_kwh=95.0),
    Model("AUDI", "A4", 2017, 2024, "ICE", tank_liters=58.0),
    Model("BMW", "i3", 2016, 2022, "BEV", battery_kwh=42.2),
    Model("BMW", "X5 xDrive45e", 2019, 2024, "PHEV", battery_kwh=24.0, tank_liters=69.0),
    Model("CADILLAC", "Lyriq", 2023, 2025, "BEV", battery_kwh=102.0),
    Model("CHEVROLET", "Volt", 2016, 2019, "PHEV", battery_kwh=18.4, tank_liters=33.7),
    Model("CHEVROLET", "Bolt EV", 2017, 2023, "BEV", battery_kwh=66.0),
    Model("FORD", "Mustang Mach-E", 2021, 2025, "BEV", battery_kwh=91.0),
    Model("FORD", "F-150", 2018, 2025, "ICE", tank_liters=98.0),
    Model("HYUNDAI", "Ioniq 5", 2022, 2025, "BEV", battery_kwh=77.4),
    Model("KIA", "Niro", 2019, 2024, "HEV", battery_kwh=1.56, tank_liters=45.0),
    Model("LINCOLN", "Aviator Grand Touring", 2020, 2025, "PHEV", battery_kwh=13.6, tank_liters=75.0),
    Model("MERCEDES-BENZ", "EQS", 2022, 2025, "BEV", battery_kwh=107.8),
    Model("MINI", "Cooper SE", 2020, 2024, "BEV", battery_kwh=32.6),
    Model("NISSAN", "LEAF", 2018, 2022, "BEV", battery_kwh=40.0),
    Model("RIVIAN", "R1T", 2022, 2025, "BEV", battery_kwh=135.0),
    Model("TESLA", "Model 3", 2018, 2025, "BEV", battery_kwh=75.0),
    Model("TESLA", "Model S", 2014, 2025, "BEV", battery_kwh=100.0),
    Model("TESLA", "Model Y", 2020, 2025, "BEV", battery_kwh=75.0),
    Model("TOYOTA", "Prius Prime", 2017, 2024, "PHEV", battery_kwh=8.8, tank_liters=43.0),
    Model("TOYOTA", "Camry", 2018, 2025, "ICE", tank_liters=60.0),
    Model("VOLKSWAGEN", "ID.4", 2021, 2025, "BEV", battery_kwh=82.0),
    Model("VOLVO", "XC40 Recharge", 2021, 2025, "BEV", battery_kwh=78.0),
)

# Display names for the brand selector; the button id is the upper-case key.
MAKES: dict[str, str] = {
    "AUDI": "Audi", "BMW": "BMW", "CADILLAC": "Cadillac", "CHEVROLET": "Chevrolet", "FORD": "Ford",
    "HYUNDAI": "Hyundai", "KIA": "Kia", "LINCOLN": "Lincoln", "MERCEDES-BENZ": "Mercedes-Benz", "MINI": "MINI",
    "NISSAN": "Nissan",
    "RIVIAN": "Rivian", "TESLA": "Tesla", "TOYOTA": "Toyota", "VOLKSWAGEN": "Volkswagen", "VOLVO": "Volvo",
}

# The first three VIN characters (world manufacturer identifier) of each make, for decoding single_select_vin.
WMI: dict[str, str] = {
    "WAU": "AUDI", "WA1": "AUDI", "WBA": "BMW", "WBY": "BMW", "1G6": "CADILLAC", "1G1": "CHEVROLET",
    "1FA": "FORD", "1FT": "FORD", "3FM": "FORD", "KM8": "HYUNDAI", "KNA": "KIA", "KND": "KIA",
    "W1K": "MERCEDES-BENZ", "5LM": "LINCOLN", "WMW": "MINI", "1N4": "NISSAN", "7FC": "RIVIAN", "5YJ": "TESLA",
    "7SA": "TESLA",
    "JTD": "TOYOTA", "4T1": "TOYOTA", "WVG": "VOLKSWAGEN", "1V2": "VOLKSWAGEN", "YV4": "VOLVO",
}


def normalize_make(make: str) -> str | None:
    """The catalogue key for a make as users type it (``Ford``, ``ford``, ``MERCEDES_BENZ``), or None."""
    key = make.strip().upper().replace("_", "-").replace(" ", "-")
    return key if key in MAKES else None


def models_of(make: str) -> list[Model]:
    return [m for m in MODELS if m.make == make]


def make_from_vin(vin: str) -> str | None:
    return WMI.get(vin[:3].upper())
