"""The v3 signal catalogue as data: one row per documented signal (90), read by one generic handler.

Columns: group and name (the code is ``<group>-<name>`` in lower case), the permission that grants it, the
unit label production sends, the JSON Schema of its body, which vehicles support it, and where its value
comes from (``source``, resolved by :mod:`.values`). ``needs`` names a state the signal only has while it
holds (``charging``: otherwise ``VEHICLE_STATE:NOT_CHARGING`` with the last known body); ``incapable_body``
is what an unsupported signal still carries (production sends ``closure-sunroof`` as ``{isOpen: null}``).

Units follow what production sends (reference, surface §9: ``km``, ``km/h``, ``watts``, ``percent``), else the
newest documented example (``ampere``, ``celsius``, ``kph``, ``kilowatt_hours``, ``kWhr``, ``count``).
Permissions the docs do not state are our choice, listed in docs/emulator.md (Fidelity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schemas import (BOOLEAN, CLOCK_TIME, CONDITION, DAYS, INTEGER, ISO_TIME, NUMBER, PERCENT, STRING, SYSTEM,
                      Schema, array, enum, grid, nullable, obj, single, unit_value)

EV = frozenset({"BEV", "PHEV"})
FUEL = frozenset({"ICE", "PHEV", "HEV"})
PLUG = frozenset({"BEV", "PHEV"})
GM = ("CADILLAC", "CHEVROLET")
EUROPEAN = ("AUDI", "BMW", "MERCEDES-BENZ", "VOLKSWAGEN", "VOLVO")


@dataclass(frozen=True)
class Support:
    """Which vehicles can serve a signal: powertrains and makes (None: any), or an explicit list of models."""

    powertrains: frozenset[str] | None = None
    makes: frozenset[str] | None = None
    models: frozenset[tuple[str, str]] | None = None  # (make, model name)

    def covers(self, make: str, model: str, powertrain: str) -> bool:
        if self.models is not None and (make, model) not in self.models:
            return False
        if self.powertrains is not None and powertrain not in self.powertrains:
            return False
        return self.makes is None or make in self.makes


def support(powertrains: frozenset[str] | None = None, makes: tuple[str, ...] | None = None,
            models: tuple[tuple[str, str], ...] | None = None) -> Support:
    return Support(powertrains, frozenset(makes) if makes else None, frozenset(models) if models else None)


ANY = Support()


@dataclass(frozen=True)
class SignalSpec:
    group: str
    name: str
    permission: str
    unit: str | None
    schema: Schema
    supported: Support
    source: str  # "state:<field>", "make:<key>", "system:<id>", or a reader name in .values
    needs: str | None = None
    incapable_body: dict[str, Any] | None = field(default=None)

    @property
    def code(self) -> str:
        return f"{self.group.lower()}-{self.name.lower()}"


def _diagnostic(name: str, system: str, supported: Support = ANY) -> SignalSpec:
    return SignalSpec("Diagnostics", name, "read_diagnostics", None, SYSTEM, supported, f"system:{system}")


_DIAG_MAKES = ("FORD", "CHEVROLET", "CADILLAC", "TOYOTA", "HYUNDAI", "KIA", "NISSAN", "VOLKSWAGEN", "AUDI", "BMW",
               "MERCEDES-BENZ", "VOLVO")
_DIAG = support(makes=_DIAG_MAKES)
_DIAG_EV = support(EV, makes=_DIAG_MAKES)
_DIAG_FUEL = support(FUEL, makes=_DIAG_MAKES)
_SUNROOF_MODELS = (("AUDI", "A4"), ("BMW", "X5 xDrive45e"), ("TOYOTA", "Camry"), ("VOLVO", "XC40 Recharge"),
                   ("KIA", "Niro"), ("MERCEDES-BENZ", "EQS"), ("FORD", "F-150"), ("HYUNDAI", "Ioniq 5"))
_TEMPERATURE = unit_value("celsius")
_GLOBAL_LIMIT = obj({"type": {"enum": ["GLOBAL", "LOCATION", "CONNECTOR"]}, "limit": PERCENT,
                     "condition": CONDITION}, optional=("condition",))

SIGNALS: tuple[SignalSpec, ...] = (
    # Charge (21)
    SignalSpec("Charge", "Amperage", "read_charge", "ampere", unit_value("ampere"), support(PLUG), "amperage"),
    SignalSpec("Charge", "AmperageMax", "read_charge", "ampere", unit_value("ampere"),
               support(PLUG, ("TESLA", "FORD", "RIVIAN") + GM + EUROPEAN), "make:amperage_max"),
    SignalSpec("Charge", "AmperageRequested", "read_charge", "ampere", unit_value("ampere"),
               support(PLUG, ("TESLA", "FORD", "RIVIAN") + GM), "amperage_requested"),
    SignalSpec("Charge", "ChargeLimits", "read_charge", "percent",
               obj({"values": array(_GLOBAL_LIMIT), "activeLimit": nullable(PERCENT), "unit": {"const": "percent"}}),
               support(PLUG), "charge_limits"),
    SignalSpec("Charge", "ChargePortStatusColor", "read_charge", None, enum("GREEN", "BLUE", "ORANGE", "ETC"),
               support(PLUG, ("TESLA", "AUDI", "VOLKSWAGEN", "FORD", "HYUNDAI")), "port_color"),
    SignalSpec("Charge", "ChargeRate", "read_charge", "km/h", unit_value("km/h"), support(PLUG), "charge_rate",
               needs="charging"),
    SignalSpec("Charge", "ChargeRecords", "read_charge_records", None,
               obj({"values": array(obj({
                   "id": STRING, "cost": obj({"currency": STRING, "energyAmount": NUMBER, "otherAmount": NUMBER}),
                   "startTime": ISO_TIME, "endTime": ISO_TIME,
                   "location": obj({"name": nullable(STRING), "address": nullable(STRING), "latitude": NUMBER,
                                    "longitude": NUMBER}),
                   "energyAdded": NUMBER, "connectorType": STRING, "isPublicCharger": BOOLEAN,
                   "startStateOfCharge": PERCENT, "endStateOfCharge": PERCENT}))}),
               support(PLUG, ("TESLA", "BMW", "MINI")), "charge_records"),
    SignalSpec("Charge", "ChargeTimers", "read_charge", None,
               obj({"values": array(obj({
                   "type": {"enum": ["GLOBAL", "LOCATION", "CONNECTOR"]}, "condition": CONDITION,
                   "schedules": array(obj({"start": CLOCK_TIME, "end": CLOCK_TIME, "days": DAYS})),
                   "departureTimers": array(obj({"days": DAYS, "time": CLOCK_TIME})),
                   "isOEMOptimizationEnabled": BOOLEAN, "scheduleType": STRING, "scheduleId": STRING},
                   optional=("scheduleType", "scheduleId")))}),
               support(PLUG, ("TESLA", "FORD", "NISSAN", "VOLVO", "RIVIAN", "HYUNDAI", "BMW")), "state:charge_timers"),
    SignalSpec("Charge", "ChargerPhases", "read_charge", "count", unit_value("count", INTEGER),
               support(PLUG, ("TESLA",) + EUROPEAN), "charger_phases"),
    SignalSpec("Charge", "ChargingConnectorType", "read_charge", None, single(STRING), support(PLUG),
               "make:connector"),
    SignalSpec("Charge", "DetailedChargingStatus", "read_charge", None,
               enum("CHARGING", "NOT_CHARGING", "FULLY_CHARGED"), support(PLUG), "charge_state"),
    SignalSpec("Charge", "EnergyAdded", "read_charge", "kilowatt_hours", unit_value("kilowatt_hours"), support(PLUG),
               "energy_added"),
    SignalSpec("Charge", "FastChargerType", "read_charge", None, single(STRING),
               support(frozenset({"BEV"}), ("TESLA", "FORD", "HYUNDAI", "RIVIAN", "VOLKSWAGEN", "NISSAN")),
               "make:fast_charger"),
    SignalSpec("Charge", "IsCharging", "read_charge", None, single(BOOLEAN), support(PLUG), "state:charging"),
    SignalSpec("Charge", "IsChargingCableConnected", "read_charge", None, single(BOOLEAN), support(PLUG),
               "state:plugged_in"),
    SignalSpec("Charge", "IsChargingCableLatched", "read_charge", None, single(BOOLEAN),
               support(PLUG, ("TESLA",) + EUROPEAN), "state:plugged_in"),
    SignalSpec("Charge", "IsChargingPortFlapOpen", "read_charge", None, single(BOOLEAN),
               support(PLUG, ("TESLA", "FORD", "HYUNDAI") + EUROPEAN), "port_open"),
    SignalSpec("Charge", "IsFastChargerPresent", "read_charge", None, single(BOOLEAN),
               support(frozenset({"BEV"}), ("TESLA", "FORD", "HYUNDAI", "RIVIAN", "VOLKSWAGEN", "NISSAN")),
               "fast_charging"),
    SignalSpec("Charge", "TimeToComplete", "read_charge", "minutes", unit_value("minutes"), support(PLUG),
               "time_to_complete", needs="charging"),
    SignalSpec("Charge", "Voltage", "read_charge", "volts", unit_value("volts"), support(PLUG), "voltage"),
    SignalSpec("Charge", "Wattage", "read_charge", "watts", unit_value("watts"), support(PLUG), "wattage",
               needs="charging"),
    # Climate (2)
    SignalSpec("Climate", "ExternalTemperature", "read_thermometer", "celsius", _TEMPERATURE,
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "VOLKSWAGEN", "AUDI", "BMW", "MERCEDES-BENZ",
                              "VOLVO") + GM), "state:outside_temp_c"),
    SignalSpec("Climate", "InternalTemperature", "read_thermometer", "celsius", _TEMPERATURE,
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "VOLKSWAGEN", "BMW", "MERCEDES-BENZ")),
               "state:cabin_temp_c"),
    # Closure (7)
    SignalSpec("Closure", "Doors", "read_security", None, grid({"isOpen": BOOLEAN, "isLocked": BOOLEAN}), ANY,
               "doors"),
    SignalSpec("Closure", "EngineCover", "read_security", None, obj({"isOpen": BOOLEAN}), support(FUEL),
               "engine_cover"),
    SignalSpec("Closure", "FrontTrunk", "read_security", None, obj({"isOpen": BOOLEAN, "isLocked": BOOLEAN}),
               support(frozenset({"BEV"}), ("TESLA", "FORD", "RIVIAN", "HYUNDAI")), "front_trunk"),
    SignalSpec("Closure", "IsLocked", "read_security", None, single(BOOLEAN), ANY, "state:locked"),
    SignalSpec("Closure", "RearTrunk", "read_security", None, obj({"isOpen": BOOLEAN, "isLocked": BOOLEAN}), ANY,
               "rear_trunk"),
    SignalSpec("Closure", "Sunroof", "read_security", None, obj({"isOpen": nullable(BOOLEAN)}),
               support(models=_SUNROOF_MODELS), "sunroof", incapable_body={"isOpen": None}),
    SignalSpec("Closure", "Windows", "read_security", None, grid({"isOpen": BOOLEAN}),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "KIA", "TOYOTA", "BMW", "MERCEDES-BENZ",
                              "AUDI", "VOLKSWAGEN", "VOLVO")), "windows"),
    # ConnectivitySoftware (1), ConnectivityStatus (3)
    SignalSpec("ConnectivitySoftware", "CurrentFirmwareVersion", "read_extended_vehicle_info", None, single(STRING),
               support(makes=("TESLA", "RIVIAN", "FORD", "VOLVO", "HYUNDAI", "VOLKSWAGEN", "BMW")), "pick:firmware"),
    SignalSpec("ConnectivityStatus", "IsAsleep", "read_vehicle_info", None, single(BOOLEAN), ANY, "asleep"),
    SignalSpec("ConnectivityStatus", "IsDigitalKeyPaired", "read_vehicle_info", None, single(BOOLEAN),
               support(makes=("TESLA", "HYUNDAI", "BMW", "KIA")), "digital_key"),
    SignalSpec("ConnectivityStatus", "IsOnline", "read_vehicle_info", None, single(BOOLEAN), ANY, "online"),
    # Diagnostics (23)
    _diagnostic("ABS", "SYSTEM_ABS", _DIAG),
    _diagnostic("ActiveSafety", "SYSTEM_ACTIVE_SAFETY", _DIAG),
    _diagnostic("Airbag", "SYSTEM_AIRBAG", _DIAG),
    _diagnostic("BrakeFluid", "SYSTEM_BRAKE_FLUID", _DIAG),
    _diagnostic("DriverAssistance", "SYSTEM_DRIVER_ASSISTANCE", _DIAG),
    _diagnostic("EVBatteryConditioning", "SYSTEM_EV_BATTERY_CONDITIONING", _DIAG_EV),
    _diagnostic("EVCharging", "SYSTEM_EV_CHARGING", _DIAG_EV),
    _diagnostic("EVDriveUnit", "SYSTEM_EV_DRIVE_UNIT", _DIAG_EV),
    _diagnostic("EVHVBattery", "SYSTEM_EV_HV_BATTERY", _DIAG_EV),
    _diagnostic("Emissions", "SYSTEM_EMISSIONS", _DIAG_FUEL),
    _diagnostic("Lighting", "SYSTEM_LIGHTING", _DIAG),
    _diagnostic("MIL", "SYSTEM_MIL", _DIAG_FUEL),
    _diagnostic("OilLife", "SYSTEM_OIL_LIFE", _DIAG_FUEL),
    _diagnostic("OilPressure", "SYSTEM_OIL_PRESSURE", _DIAG_FUEL),
    _diagnostic("OilTemperature", "SYSTEM_OIL_TEMPERATURE", _DIAG_FUEL),
    _diagnostic("Telematics", "SYSTEM_TELEMATICS", _DIAG),
    _diagnostic("TirePressure", "SYSTEM_TPMS", ANY),
    _diagnostic("TirePressureMonitoring", "SYSTEM_TPMS_MONITORING", _DIAG),
    _diagnostic("Transmission", "SYSTEM_TRANSMISSION", _DIAG_FUEL),
    _diagnostic("WasherFluid", "SYSTEM_WASHER_FLUID", _DIAG),
    _diagnostic("WaterInFuel", "SYSTEM_WATER_IN_FUEL", support(frozenset({"ICE"}), ("FORD", "TOYOTA") + GM)),
    SignalSpec("Diagnostics", "DTCCount", "read_diagnostics", "count", unit_value("count", INTEGER), ANY,
               "dtc_count"),
    SignalSpec("Diagnostics", "DTCList", "read_diagnostics", None,
               obj({"values": array(obj({"code": STRING, "timestamp": ISO_TIME}))}), ANY, "dtc_list"),
    # HVAC (5)
    SignalSpec("HVAC", "CabinTargetTemperature", "read_climate", "celsius", _TEMPERATURE,
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "KIA", "VOLKSWAGEN", "AUDI", "BMW",
                              "MERCEDES-BENZ", "VOLVO", "CADILLAC", "NISSAN")), "state:cabin_target_c"),
    SignalSpec("HVAC", "IsCabinHVACActive", "read_climate", None, single(BOOLEAN),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "KIA", "VOLKSWAGEN", "AUDI", "BMW",
                              "MERCEDES-BENZ", "VOLVO", "CADILLAC", "NISSAN")), "state:hvac_on"),
    SignalSpec("HVAC", "IsFrontDefrosterActive", "read_climate", None, single(BOOLEAN),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "VOLVO")), "state:front_defroster"),
    SignalSpec("HVAC", "IsRearDefrosterActive", "read_climate", None, single(BOOLEAN),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "VOLVO")), "state:rear_defroster"),
    SignalSpec("HVAC", "IsSteeringHeaterActive", "read_climate", None, single(BOOLEAN),
               support(makes=("TESLA", "RIVIAN", "HYUNDAI", "CADILLAC")), "state:steering_heater"),
    # InternalCombustionEngine (4)
    SignalSpec("InternalCombustionEngine", "AmountRemaining", "read_fuel", "liters", unit_value("liters"),
               support(FUEL), "fuel_liters"),
    SignalSpec("InternalCombustionEngine", "FuelLevel", "read_fuel", "percent", unit_value("percent", PERCENT),
               support(FUEL), "percent:fuel_fraction"),
    SignalSpec("InternalCombustionEngine", "OilLife", "read_engine_oil", "percent", unit_value("percent", PERCENT),
               support(FUEL), "percent:oil_life"),
    SignalSpec("InternalCombustionEngine", "Range", "read_fuel", "km", unit_value("km"), support(FUEL),
               "state:fuel_range_km"),
    # Location (2)
    SignalSpec("Location", "IsAtHome", "read_location", None, single(BOOLEAN),
               support(makes=("TESLA", "FORD", "RIVIAN", "HYUNDAI")), "at_home"),
    SignalSpec("Location", "PreciseLocation", "read_location", None,
               obj({"latitude": NUMBER, "longitude": NUMBER, "heading": NUMBER,
                    "direction": {"enum": ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]},
                    "locationType": {"enum": ["CURRENT", "LAST_PARKED"]}}, optional=("heading", "direction")),
               ANY, "location"),
    # LowVoltageBattery (2)
    SignalSpec("LowVoltageBattery", "StateOfCharge", "read_diagnostics", "percent", unit_value("percent", PERCENT),
               support(makes=("TESLA", "RIVIAN", "FORD", "VOLKSWAGEN", "AUDI", "HYUNDAI", "BMW") + GM),
               "percent:lv_soc"),
    SignalSpec("LowVoltageBattery", "Status", "read_diagnostics", None, enum("GOOD", "WARN", "BAD"),
               support(makes=("TESLA", "RIVIAN", "FORD", "VOLKSWAGEN", "AUDI")), "lv_status"),
    # Motion (1), Odometer (1)
    SignalSpec("Motion", "CurrentSpeed", "read_speedometer", "kph", unit_value("kph"),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "KIA", "BMW", "MERCEDES-BENZ", "VOLVO") + GM),
               "state:speed_kph"),
    SignalSpec("Odometer", "TraveledDistance", "read_odometer", "km", unit_value("km"), ANY, "state:odometer_km"),
    # Service (2)
    SignalSpec("Service", "IsInService", "read_service_history", None, single(BOOLEAN),
               support(makes=("TESLA", "FORD", "TOYOTA") + GM), "state:in_service"),
    SignalSpec("Service", "Records", "read_service_history", None,
               obj({"values": array(obj({
                   "id": STRING, "cost": obj({"amount": NUMBER, "currency": STRING}), "time": ISO_TIME,
                   "tasks": array(obj({"id": STRING, "description": STRING})),
                   "details": array(obj({"id": STRING, "description": nullable(STRING)})),
                   "odometer": NUMBER}))}),
               support(makes=("FORD", "TOYOTA", "HYUNDAI", "KIA", "NISSAN") + GM), "service_records"),
    # Surveillance (2)
    SignalSpec("Surveillance", "Brand", "read_extended_vehicle_info", None, single(STRING),
               support(makes=("TESLA", "RIVIAN")), "make:surveillance"),
    SignalSpec("Surveillance", "IsEnabled", "read_extended_vehicle_info", None, single(BOOLEAN),
               support(makes=("TESLA", "RIVIAN")), "state:surveillance"),
    # TractionBattery (5)
    SignalSpec("TractionBattery", "IsHeaterActive", "read_battery", None, single(BOOLEAN),
               support(EV, ("TESLA", "RIVIAN", "FORD", "HYUNDAI", "VOLKSWAGEN")), "battery_heater"),
    SignalSpec("TractionBattery", "MaxRangeChargeCounter", "read_battery", "count", unit_value("count", INTEGER),
               support(frozenset({"BEV"}), ("TESLA",)), "state:max_range_charges"),
    SignalSpec("TractionBattery", "NominalCapacity", "read_battery", "kWhr",
               obj({"source": {"enum": ["SMARTCAR", "USER_SELECTED"]}, "capacity": NUMBER,
                    "availableCapacities": array(obj({"capacity": NUMBER, "description": nullable(STRING)})),
                    "unit": {"const": "kWhr"}}), support(EV), "nominal_capacity"),
    SignalSpec("TractionBattery", "Range", "read_battery", "km",
               obj({"value": NUMBER, "type": {"const": "DEFAULT"},
                    "additionalValues": array(obj({"type": {"enum": ["IDEAL_CONDITIONS", "ESTIMATED", "RATED"]},
                                                   "value": NUMBER})),
                    "unit": {"const": "km"}}), support(EV), "battery_range"),
    SignalSpec("TractionBattery", "StateOfCharge", "read_battery", "percent", unit_value("percent", PERCENT),
               support(EV), "percent:battery_soc"),
    # Transmission (2)
    SignalSpec("Transmission", "DriveMode", "read_extended_vehicle_info", None,
               obj({"canonical": STRING, "oemDisplayName": STRING}),
               support(makes=("TESLA", "RIVIAN", "FORD", "BMW", "MERCEDES-BENZ")), "drive_mode"),
    SignalSpec("Transmission", "GearState", "read_speedometer", None, enum("PARK", "DRIVE", "REVERSE", "NEUTRAL"),
               support(makes=("TESLA", "RIVIAN", "FORD", "HYUNDAI", "KIA", "TOYOTA", "BMW", "VOLVO") + GM), "gear"),
    # VehicleIdentification (3)
    SignalSpec("VehicleIdentification", "ExteriorColor", "read_extended_vehicle_info", None, single(STRING),
               support(makes=("TESLA", "RIVIAN", "FORD", "BMW", "AUDI", "VOLKSWAGEN", "MERCEDES-BENZ", "VOLVO")),
               "pick:colors"),
    SignalSpec("VehicleIdentification", "Nickname", "read_extended_vehicle_info", None, single(STRING),
               support(makes=("TESLA", "RIVIAN", "FORD")), "pick:nicknames"),
    SignalSpec("VehicleIdentification", "VIN", "read_vin", None,
               single({"type": "string", "pattern": "^[A-Z0-9]{17}$"}), ANY, "vin"),
    # VehicleUserAccount (2)
    SignalSpec("VehicleUserAccount", "Permissions", "read_user_profile", None, obj({"values": array(STRING)}),
               support(makes=("TESLA", "RIVIAN")), "account_permissions"),
    SignalSpec("VehicleUserAccount", "Role", "read_user_profile", None, single(STRING),
               support(makes=("TESLA", "RIVIAN")), "pick:roles"),
    # Wheel (2)
    SignalSpec("Wheel", "Style", "read_extended_vehicle_info", None, single(STRING),
               support(makes=("TESLA", "RIVIAN", "FORD", "BMW")), "pick:wheel_styles"),
    SignalSpec("Wheel", "Tires", "read_tires", None, grid({"tirePressure": NUMBER}), ANY, "tires"),
)

BY_CODE: dict[str, SignalSpec] = {spec.code: spec for spec in SIGNALS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in SIGNALS))
