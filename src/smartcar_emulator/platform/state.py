"""A vehicle's state in canonical (metric, fraction) units, seeded deterministically from its VIN.

Every API version reads this one state and converts at the edge; the simulator (a later layer) changes it
through :class:`~smartcar_emulator.platform.vehicles.VehicleRepository`.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..clock import from_timestamp, iso_ms
from .catalog import Model

DOORS = ("frontLeft", "frontRight", "backLeft", "backRight")


def rng_for(*parts: str) -> random.Random:
    """A random generator seeded from strings (stable across processes, unlike ``hash``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass
class VehicleState:
    odometer_km: float = 0.0
    latitude: float = 0.0
    longitude: float = 0.0
    heading: float = 0.0
    speed_kph: float = 0.0
    battery_capacity_kwh: float | None = None
    battery_soc: float | None = None  # 0..1
    battery_range_km: float | None = None
    fuel_capacity_l: float | None = None
    fuel_fraction: float | None = None  # 0..1
    fuel_range_km: float | None = None
    plugged_in: bool = False
    charging: bool = False
    charge_limit: float = 0.8  # 0..1
    charge_rate_kw: float = 7.2
    oil_life: float | None = None  # 0..1
    tires_kpa: dict[str, float] = field(default_factory=dict)
    locked: bool = True
    doors: dict[str, str] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=dict)
    sunroof: str = "CLOSED"
    storage: dict[str, str] = field(default_factory=dict)
    charging_port: str = "CLOSED"
    systems: list[dict[str, Any]] = field(default_factory=list)
    dtcs: list[dict[str, Any]] = field(default_factory=list)
    service_history: list[dict[str, Any]] = field(default_factory=list)
    destination: dict[str, float] | None = None
    # Climate, 12 V battery and the rest of the v3 catalogue (the simulator moves what changes over time).
    outside_temp_c: float = 15.0
    cabin_temp_c: float = 18.0
    cabin_target_c: float = 21.0
    hvac_on: bool = False
    front_defroster: bool = False
    rear_defroster: bool = False
    steering_heater: bool = False
    battery_heater: bool = False
    climate_at: float = 0.0  # epoch seconds the climate and the 12 V battery were last settled to
    lv_soc: float = 0.9  # 12 V battery, 0..1
    energy_added_kwh: float = 0.0  # in the current or last charging session
    charge_session: dict[str, Any] | None = None  # the session under way: {"start", "start_soc"}
    charge_records: list[dict[str, Any]] = field(default_factory=list)  # finished sessions, oldest first
    charge_timers: list[dict[str, Any]] = field(default_factory=list)  # the charge-chargetimers values
    max_range_charges: int = 0
    home: dict[str, float] | None = None  # the owner's home location (location-isathome)
    in_service: bool = False
    surveillance: bool = False
    drive_mode: str = "NORMAL"
    # Make-specific v2 writes: PIN to Drive, the requested charging current (None: the make's maximum), and the
    # charging locations with their limit and windows (Ford/Lincoln ``schedule_by_location``).
    pin_to_drive: str | None = None
    charge_amps: float | None = None
    charge_locations: list[dict[str, Any]] = field(default_factory=list)
    data_age: float = 0.0  # epoch seconds the vehicle last recorded its data
    # Simulator (smartcar_emulator.simulator): the trip under way, the recent track, the simulated instant.
    trip: dict[str, Any] | None = None  # {"waypoints": [[lat, lon], ...], "speed_kph", "distance_km", ...}
    track: list[list[float]] = field(default_factory=list)  # recent [lat, lon] positions, oldest first
    sim_at: float = 0.0  # epoch seconds the physics were last advanced to

    @property
    def charge_state(self) -> str:
        """The v2 charge state: CHARGING, FULLY_CHARGED or NOT_CHARGING."""
        if self.charging:
            return "CHARGING"
        if self.plugged_in and self.battery_soc is not None and self.battery_soc >= self.charge_limit - 1e-9:
            return "FULLY_CHARGED"
        return "NOT_CHARGING"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VehicleState:
        names = _FIELD_NAMES
        return cls(**{k: v for k, v in data.items() if k in names})


_FIELD_NAMES = frozenset(f.name for f in fields(VehicleState))


def seed_state(vin: str, model: Model, now: float) -> VehicleState:
    """A plausible, deterministic state for a new vehicle."""
    rng = rng_for("state", vin)
    state = VehicleState()
    state.odometer_km = round(rng.uniform(10_000, 120_000), 1)
    # Inside Colorado, as Smartcar's test mode does.
    state.latitude = round(rng.uniform(37.2, 40.8), 6)
    state.longitude = round(rng.uniform(-108.8, -102.2), 6)
    state.heading = round(rng.uniform(0, 359), 1)
    electric = model.powertrain in ("BEV", "PHEV", "HEV")
    if electric:
        state.battery_capacity_kwh = model.battery_kwh
        state.battery_soc = round(rng.uniform(0.35, 0.95), 2)
        state.battery_range_km = round(state.battery_soc * model.battery_kwh * 6.2, 1)
        state.plugged_in = model.powertrain != "HEV" and rng.random() < 0.4
        state.charging_port = "CLOSED"
    if model.powertrain != "BEV":
        state.fuel_capacity_l = model.tank_liters
        state.fuel_fraction = round(rng.uniform(0.2, 0.95), 2)
        state.fuel_range_km = round(state.fuel_fraction * model.tank_liters * 14.0, 1)
        state.oil_life = round(rng.uniform(0.2, 0.95), 2)
    state.charge_limit = rng.choice((0.8, 0.85, 0.9, 1.0))
    state.tires_kpa = {door: round(rng.uniform(220, 235), 1) for door in DOORS}
    state.locked = True
    state.doors = {door: "CLOSED" for door in DOORS}
    state.windows = {door: "CLOSED" for door in DOORS}
    state.storage = {"front": "CLOSED", "rear": "CLOSED"}
    state.systems = [
        {"systemId": "SYSTEM_TPMS", "status": "OK", "description": None},
        {"systemId": "SYSTEM_AIRBAG", "status": "OK", "description": None},
        {"systemId": "SYSTEM_ABS", "status": "OK", "description": None},
        {"systemId": "SYSTEM_BRAKE_FLUID", "status": "OK", "description": None},
    ]
    if model.powertrain != "BEV":
        state.systems.append({"systemId": "SYSTEM_ENGINE", "status": "OK", "description": None})
    if rng.random() < 0.3:
        state.systems[0] = {"systemId": "SYSTEM_TPMS", "status": "ALERT", "description": "Front left tire"}
        state.dtcs = [{"code": "C0750", "timestamp": "2025-09-05T14:48:00.000Z"}]
    history_km = state.odometer_km
    for index in range(3):
        history_km = max(1000.0, history_km - rng.uniform(8000, 15000))
        days_ago = 40 + index * 150 + rng.uniform(0, 30)  # all three within the last year
        service_date = datetime.fromtimestamp(now - days_ago * 86400, timezone.utc).replace(hour=16, minute=20,
                                                                                              second=0, microsecond=0)
        state.service_history.append({
            "serviceId": 10_000 + rng.randrange(90_000),
            "serviceDate": service_date.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "odometerDistance": round(history_km),
            "serviceTasks": [{"taskId": str(3000 + rng.randrange(999)),
                              "taskDescription": "oil change" if model.powertrain != "BEV" else "tire rotation"}],
            "serviceDetails": [{"type": "dealership", "value": None}],
            "serviceCost": {"totalCost": rng.choice((89, 120, 199)), "currency": "USD"},
        })
    state.data_age = now - rng.uniform(30, 600)
    state.home = {"latitude": state.latitude, "longitude": state.longitude} if rng.random() < 0.5 else None
    state.outside_temp_c = round(rng.uniform(2, 24), 1)
    state.cabin_temp_c = round(state.outside_temp_c + rng.uniform(0, 4), 1)
    state.cabin_target_c = rng.choice((20.0, 21.0, 21.5, 22.0))
    state.climate_at = now
    state.lv_soc = round(rng.uniform(0.75, 0.98), 2)
    if electric and model.powertrain != "HEV":
        state.max_range_charges = rng.randrange(0, 40)
        state.charge_timers = [{"type": "GLOBAL", "condition": None,
                                "schedules": [{"start": "23:00:00", "end": "06:00:00",
                                               "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]}],
                                "departureTimers": [{"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY",
                                                              "FRIDAY"], "time": "07:30:00"}],
                                "isOEMOptimizationEnabled": rng.random() < 0.5}]
        for index in range(2):  # two earlier home charging sessions
            end = now - (3 + index * 4) * 86400 - rng.uniform(0, 3600)
            energy = round(rng.uniform(8, 30), 2)
            start_soc = round(rng.uniform(20, 50))
            state.charge_records.append({
                "id": f"rec-{rng.randrange(10**8):08d}",
                "cost": {"currency": "USD", "energyAmount": round(energy * 0.16, 2), "otherAmount": 0},
                "startTime": _iso(end - energy / 7.2 * 3600), "endTime": _iso(end),
                "location": {"name": "Home", "address": None, "latitude": state.latitude,
                             "longitude": state.longitude},
                "energyAdded": energy, "connectorType": "J1772", "isPublicCharger": False,
                "startStateOfCharge": start_soc,
                "endStateOfCharge": min(100, start_soc + round(energy / model.battery_kwh * 100))})
        state.charge_records.reverse()  # oldest first
    return state



def _iso(seconds: float) -> str:
    return iso_ms(from_timestamp(seconds))
