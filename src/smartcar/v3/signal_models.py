"""Typed API v3 signals by group. GENERATED from the signal catalogue by tests/sdk/signal_models_gen.py;
do not edit (``python -m tests.sdk.signal_models_gen``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .bodies import (BatteryRange, Body, BoolValue, ChargeLimits, Closure, DriveMode, Grid, Location,
                     NominalCapacity, Records, SystemStatus, TextList, TextValue, UnitValue)
from .models import TypedSignal


@dataclass(frozen=True)
class ChargeSignals:
    """The Charge group (21 signals); a field is None when the read did not list it."""

    amperage: TypedSignal[UnitValue] | None = None
    amperage_max: TypedSignal[UnitValue] | None = None
    amperage_requested: TypedSignal[UnitValue] | None = None
    charge_limits: TypedSignal[ChargeLimits] | None = None
    charge_port_status_color: TypedSignal[TextValue] | None = None
    charge_rate: TypedSignal[UnitValue] | None = None
    charge_records: TypedSignal[Records] | None = None
    charge_timers: TypedSignal[Records] | None = None
    charger_phases: TypedSignal[UnitValue] | None = None
    charging_connector_type: TypedSignal[TextValue] | None = None
    detailed_charging_status: TypedSignal[TextValue] | None = None
    energy_added: TypedSignal[UnitValue] | None = None
    fast_charger_type: TypedSignal[TextValue] | None = None
    is_charging: TypedSignal[BoolValue] | None = None
    is_charging_cable_connected: TypedSignal[BoolValue] | None = None
    is_charging_cable_latched: TypedSignal[BoolValue] | None = None
    is_charging_port_flap_open: TypedSignal[BoolValue] | None = None
    is_fast_charger_present: TypedSignal[BoolValue] | None = None
    time_to_complete: TypedSignal[UnitValue] | None = None
    voltage: TypedSignal[UnitValue] | None = None
    wattage: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class ClimateSignals:
    """The Climate group (2 signals); a field is None when the read did not list it."""

    external_temperature: TypedSignal[UnitValue] | None = None
    internal_temperature: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class ClosureSignals:
    """The Closure group (7 signals); a field is None when the read did not list it."""

    doors: TypedSignal[Grid] | None = None
    engine_cover: TypedSignal[Closure] | None = None
    front_trunk: TypedSignal[Closure] | None = None
    is_locked: TypedSignal[BoolValue] | None = None
    rear_trunk: TypedSignal[Closure] | None = None
    sunroof: TypedSignal[Closure] | None = None
    windows: TypedSignal[Grid] | None = None


@dataclass(frozen=True)
class ConnectivitySoftwareSignals:
    """The ConnectivitySoftware group (1 signals); a field is None when the read did not list it."""

    current_firmware_version: TypedSignal[TextValue] | None = None


@dataclass(frozen=True)
class ConnectivityStatusSignals:
    """The ConnectivityStatus group (3 signals); a field is None when the read did not list it."""

    is_asleep: TypedSignal[BoolValue] | None = None
    is_digital_key_paired: TypedSignal[BoolValue] | None = None
    is_online: TypedSignal[BoolValue] | None = None


@dataclass(frozen=True)
class DiagnosticsSignals:
    """The Diagnostics group (23 signals); a field is None when the read did not list it."""

    abs: TypedSignal[SystemStatus] | None = None
    active_safety: TypedSignal[SystemStatus] | None = None
    airbag: TypedSignal[SystemStatus] | None = None
    brake_fluid: TypedSignal[SystemStatus] | None = None
    driver_assistance: TypedSignal[SystemStatus] | None = None
    ev_battery_conditioning: TypedSignal[SystemStatus] | None = None
    ev_charging: TypedSignal[SystemStatus] | None = None
    ev_drive_unit: TypedSignal[SystemStatus] | None = None
    evhv_battery: TypedSignal[SystemStatus] | None = None
    emissions: TypedSignal[SystemStatus] | None = None
    lighting: TypedSignal[SystemStatus] | None = None
    mil: TypedSignal[SystemStatus] | None = None
    oil_life: TypedSignal[SystemStatus] | None = None
    oil_pressure: TypedSignal[SystemStatus] | None = None
    oil_temperature: TypedSignal[SystemStatus] | None = None
    telematics: TypedSignal[SystemStatus] | None = None
    tire_pressure: TypedSignal[SystemStatus] | None = None
    tire_pressure_monitoring: TypedSignal[SystemStatus] | None = None
    transmission: TypedSignal[SystemStatus] | None = None
    washer_fluid: TypedSignal[SystemStatus] | None = None
    water_in_fuel: TypedSignal[SystemStatus] | None = None
    dtc_count: TypedSignal[UnitValue] | None = None
    dtc_list: TypedSignal[Records] | None = None


@dataclass(frozen=True)
class HVACSignals:
    """The HVAC group (5 signals); a field is None when the read did not list it."""

    cabin_target_temperature: TypedSignal[UnitValue] | None = None
    is_cabin_hvac_active: TypedSignal[BoolValue] | None = None
    is_front_defroster_active: TypedSignal[BoolValue] | None = None
    is_rear_defroster_active: TypedSignal[BoolValue] | None = None
    is_steering_heater_active: TypedSignal[BoolValue] | None = None


@dataclass(frozen=True)
class InternalCombustionEngineSignals:
    """The InternalCombustionEngine group (4 signals); a field is None when the read did not list it."""

    amount_remaining: TypedSignal[UnitValue] | None = None
    fuel_level: TypedSignal[UnitValue] | None = None
    oil_life: TypedSignal[UnitValue] | None = None
    range: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class LocationSignals:
    """The Location group (2 signals); a field is None when the read did not list it."""

    is_at_home: TypedSignal[BoolValue] | None = None
    precise_location: TypedSignal[Location] | None = None


@dataclass(frozen=True)
class LowVoltageBatterySignals:
    """The LowVoltageBattery group (2 signals); a field is None when the read did not list it."""

    state_of_charge: TypedSignal[UnitValue] | None = None
    status: TypedSignal[TextValue] | None = None


@dataclass(frozen=True)
class MotionSignals:
    """The Motion group (1 signals); a field is None when the read did not list it."""

    current_speed: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class OdometerSignals:
    """The Odometer group (1 signals); a field is None when the read did not list it."""

    traveled_distance: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class ServiceSignals:
    """The Service group (2 signals); a field is None when the read did not list it."""

    is_in_service: TypedSignal[BoolValue] | None = None
    records: TypedSignal[Records] | None = None


@dataclass(frozen=True)
class SurveillanceSignals:
    """The Surveillance group (2 signals); a field is None when the read did not list it."""

    brand: TypedSignal[TextValue] | None = None
    is_enabled: TypedSignal[BoolValue] | None = None


@dataclass(frozen=True)
class TractionBatterySignals:
    """The TractionBattery group (5 signals); a field is None when the read did not list it."""

    is_heater_active: TypedSignal[BoolValue] | None = None
    max_range_charge_counter: TypedSignal[UnitValue] | None = None
    nominal_capacity: TypedSignal[NominalCapacity] | None = None
    range: TypedSignal[BatteryRange] | None = None
    state_of_charge: TypedSignal[UnitValue] | None = None


@dataclass(frozen=True)
class TransmissionSignals:
    """The Transmission group (2 signals); a field is None when the read did not list it."""

    drive_mode: TypedSignal[DriveMode] | None = None
    gear_state: TypedSignal[TextValue] | None = None


@dataclass(frozen=True)
class VehicleIdentificationSignals:
    """The VehicleIdentification group (3 signals); a field is None when the read did not list it."""

    exterior_color: TypedSignal[TextValue] | None = None
    nickname: TypedSignal[TextValue] | None = None
    vin: TypedSignal[TextValue] | None = None


@dataclass(frozen=True)
class VehicleUserAccountSignals:
    """The VehicleUserAccount group (2 signals); a field is None when the read did not list it."""

    permissions: TypedSignal[TextList] | None = None
    role: TypedSignal[TextValue] | None = None


@dataclass(frozen=True)
class WheelSignals:
    """The Wheel group (2 signals); a field is None when the read did not list it."""

    style: TypedSignal[TextValue] | None = None
    tires: TypedSignal[Grid] | None = None


@dataclass(frozen=True)
class VehicleSignals:
    """One read of a vehicle's signals, by group: ``signals.charge.is_charging.body.value``."""

    charge: ChargeSignals = field(default_factory=ChargeSignals)
    climate: ClimateSignals = field(default_factory=ClimateSignals)
    closure: ClosureSignals = field(default_factory=ClosureSignals)
    connectivity_software: ConnectivitySoftwareSignals = field(default_factory=ConnectivitySoftwareSignals)
    connectivity_status: ConnectivityStatusSignals = field(default_factory=ConnectivityStatusSignals)
    diagnostics: DiagnosticsSignals = field(default_factory=DiagnosticsSignals)
    hvac: HVACSignals = field(default_factory=HVACSignals)
    internal_combustion_engine: InternalCombustionEngineSignals = field(default_factory=InternalCombustionEngineSignals)
    location: LocationSignals = field(default_factory=LocationSignals)
    low_voltage_battery: LowVoltageBatterySignals = field(default_factory=LowVoltageBatterySignals)
    motion: MotionSignals = field(default_factory=MotionSignals)
    odometer: OdometerSignals = field(default_factory=OdometerSignals)
    service: ServiceSignals = field(default_factory=ServiceSignals)
    surveillance: SurveillanceSignals = field(default_factory=SurveillanceSignals)
    traction_battery: TractionBatterySignals = field(default_factory=TractionBatterySignals)
    transmission: TransmissionSignals = field(default_factory=TransmissionSignals)
    vehicle_identification: VehicleIdentificationSignals = field(default_factory=VehicleIdentificationSignals)
    vehicle_user_account: VehicleUserAccountSignals = field(default_factory=VehicleUserAccountSignals)
    wheel: WheelSignals = field(default_factory=WheelSignals)


# code -> (group attribute, field, body class)
SIGNAL_FIELDS: dict[str, tuple[str, str, type[Body]]] = {
    "charge-amperage": ("charge", "amperage", UnitValue),
    "charge-amperagemax": ("charge", "amperage_max", UnitValue),
    "charge-amperagerequested": ("charge", "amperage_requested", UnitValue),
    "charge-chargelimits": ("charge", "charge_limits", ChargeLimits),
    "charge-chargeportstatuscolor": ("charge", "charge_port_status_color", TextValue),
    "charge-chargerate": ("charge", "charge_rate", UnitValue),
    "charge-chargerecords": ("charge", "charge_records", Records),
    "charge-chargetimers": ("charge", "charge_timers", Records),
    "charge-chargerphases": ("charge", "charger_phases", UnitValue),
    "charge-chargingconnectortype": ("charge", "charging_connector_type", TextValue),
    "charge-detailedchargingstatus": ("charge", "detailed_charging_status", TextValue),
    "charge-energyadded": ("charge", "energy_added", UnitValue),
    "charge-fastchargertype": ("charge", "fast_charger_type", TextValue),
    "charge-ischarging": ("charge", "is_charging", BoolValue),
    "charge-ischargingcableconnected": ("charge", "is_charging_cable_connected", BoolValue),
    "charge-ischargingcablelatched": ("charge", "is_charging_cable_latched", BoolValue),
    "charge-ischargingportflapopen": ("charge", "is_charging_port_flap_open", BoolValue),
    "charge-isfastchargerpresent": ("charge", "is_fast_charger_present", BoolValue),
    "charge-timetocomplete": ("charge", "time_to_complete", UnitValue),
    "charge-voltage": ("charge", "voltage", UnitValue),
    "charge-wattage": ("charge", "wattage", UnitValue),
    "climate-externaltemperature": ("climate", "external_temperature", UnitValue),
    "climate-internaltemperature": ("climate", "internal_temperature", UnitValue),
    "closure-doors": ("closure", "doors", Grid),
    "closure-enginecover": ("closure", "engine_cover", Closure),
    "closure-fronttrunk": ("closure", "front_trunk", Closure),
    "closure-islocked": ("closure", "is_locked", BoolValue),
    "closure-reartrunk": ("closure", "rear_trunk", Closure),
    "closure-sunroof": ("closure", "sunroof", Closure),
    "closure-windows": ("closure", "windows", Grid),
    "connectivitysoftware-currentfirmwareversion": ("connectivity_software", "current_firmware_version", TextValue),
    "connectivitystatus-isasleep": ("connectivity_status", "is_asleep", BoolValue),
    "connectivitystatus-isdigitalkeypaired": ("connectivity_status", "is_digital_key_paired", BoolValue),
    "connectivitystatus-isonline": ("connectivity_status", "is_online", BoolValue),
    "diagnostics-abs": ("diagnostics", "abs", SystemStatus),
    "diagnostics-activesafety": ("diagnostics", "active_safety", SystemStatus),
    "diagnostics-airbag": ("diagnostics", "airbag", SystemStatus),
    "diagnostics-brakefluid": ("diagnostics", "brake_fluid", SystemStatus),
    "diagnostics-driverassistance": ("diagnostics", "driver_assistance", SystemStatus),
    "diagnostics-evbatteryconditioning": ("diagnostics", "ev_battery_conditioning", SystemStatus),
    "diagnostics-evcharging": ("diagnostics", "ev_charging", SystemStatus),
    "diagnostics-evdriveunit": ("diagnostics", "ev_drive_unit", SystemStatus),
    "diagnostics-evhvbattery": ("diagnostics", "evhv_battery", SystemStatus),
    "diagnostics-emissions": ("diagnostics", "emissions", SystemStatus),
    "diagnostics-lighting": ("diagnostics", "lighting", SystemStatus),
    "diagnostics-mil": ("diagnostics", "mil", SystemStatus),
    "diagnostics-oillife": ("diagnostics", "oil_life", SystemStatus),
    "diagnostics-oilpressure": ("diagnostics", "oil_pressure", SystemStatus),
    "diagnostics-oiltemperature": ("diagnostics", "oil_temperature", SystemStatus),
    "diagnostics-telematics": ("diagnostics", "telematics", SystemStatus),
    "diagnostics-tirepressure": ("diagnostics", "tire_pressure", SystemStatus),
    "diagnostics-tirepressuremonitoring": ("diagnostics", "tire_pressure_monitoring", SystemStatus),
    "diagnostics-transmission": ("diagnostics", "transmission", SystemStatus),
    "diagnostics-washerfluid": ("diagnostics", "washer_fluid", SystemStatus),
    "diagnostics-waterinfuel": ("diagnostics", "water_in_fuel", SystemStatus),
    "diagnostics-dtccount": ("diagnostics", "dtc_count", UnitValue),
    "diagnostics-dtclist": ("diagnostics", "dtc_list", Records),
    "hvac-cabintargettemperature": ("hvac", "cabin_target_temperature", UnitValue),
    "hvac-iscabinhvacactive": ("hvac", "is_cabin_hvac_active", BoolValue),
    "hvac-isfrontdefrosteractive": ("hvac", "is_front_defroster_active", BoolValue),
    "hvac-isreardefrosteractive": ("hvac", "is_rear_defroster_active", BoolValue),
    "hvac-issteeringheateractive": ("hvac", "is_steering_heater_active", BoolValue),
    "internalcombustionengine-amountremaining": ("internal_combustion_engine", "amount_remaining", UnitValue),
    "internalcombustionengine-fuellevel": ("internal_combustion_engine", "fuel_level", UnitValue),
    "internalcombustionengine-oillife": ("internal_combustion_engine", "oil_life", UnitValue),
    "internalcombustionengine-range": ("internal_combustion_engine", "range", UnitValue),
    "location-isathome": ("location", "is_at_home", BoolValue),
    "location-preciselocation": ("location", "precise_location", Location),
    "lowvoltagebattery-stateofcharge": ("low_voltage_battery", "state_of_charge", UnitValue),
    "lowvoltagebattery-status": ("low_voltage_battery", "status", TextValue),
    "motion-currentspeed": ("motion", "current_speed", UnitValue),
    "odometer-traveleddistance": ("odometer", "traveled_distance", UnitValue),
    "service-isinservice": ("service", "is_in_service", BoolValue),
    "service-records": ("service", "records", Records),
    "surveillance-brand": ("surveillance", "brand", TextValue),
    "surveillance-isenabled": ("surveillance", "is_enabled", BoolValue),
    "tractionbattery-isheateractive": ("traction_battery", "is_heater_active", BoolValue),
    "tractionbattery-maxrangechargecounter": ("traction_battery", "max_range_charge_counter", UnitValue),
    "tractionbattery-nominalcapacity": ("traction_battery", "nominal_capacity", NominalCapacity),
    "tractionbattery-range": ("traction_battery", "range", BatteryRange),
    "tractionbattery-stateofcharge": ("traction_battery", "state_of_charge", UnitValue),
    "transmission-drivemode": ("transmission", "drive_mode", DriveMode),
    "transmission-gearstate": ("transmission", "gear_state", TextValue),
    "vehicleidentification-exteriorcolor": ("vehicle_identification", "exterior_color", TextValue),
    "vehicleidentification-nickname": ("vehicle_identification", "nickname", TextValue),
    "vehicleidentification-vin": ("vehicle_identification", "vin", TextValue),
    "vehicleuseraccount-permissions": ("vehicle_user_account", "permissions", TextList),
    "vehicleuseraccount-role": ("vehicle_user_account", "role", TextValue),
    "wheel-style": ("wheel", "style", TextValue),
    "wheel-tires": ("wheel", "tires", Grid),
}

# group attribute -> group class
GROUP_CLASSES: dict[str, type] = {
    "charge": ChargeSignals,
    "climate": ClimateSignals,
    "closure": ClosureSignals,
    "connectivity_software": ConnectivitySoftwareSignals,
    "connectivity_status": ConnectivityStatusSignals,
    "diagnostics": DiagnosticsSignals,
    "hvac": HVACSignals,
    "internal_combustion_engine": InternalCombustionEngineSignals,
    "location": LocationSignals,
    "low_voltage_battery": LowVoltageBatterySignals,
    "motion": MotionSignals,
    "odometer": OdometerSignals,
    "service": ServiceSignals,
    "surveillance": SurveillanceSignals,
    "traction_battery": TractionBatterySignals,
    "transmission": TransmissionSignals,
    "vehicle_identification": VehicleIdentificationSignals,
    "vehicle_user_account": VehicleUserAccountSignals,
    "wheel": WheelSignals,
}
