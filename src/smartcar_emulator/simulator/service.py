"""The simulator service: the operations the control API and the panel offer on vehicles.

Reads advance the physics lazily (:meth:`Simulator.sync`); every change goes through
``VehicleRepository.update_state`` after advancing to the current instant, so a change never loses the
driving or charging that happened before it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..platform.accounts import live_vin
from ..platform.catalog import MODELS, Model, models_of, normalize_make
from ..platform.errors import ApiError, validation
from ..platform.state import DOORS, VehicleState, rng_for
from ..platform.testmode import test_vin
from ..platform.vehicles import MODES, Vehicle, owner_key
from ..platform.webhook_outbox import Snapshot
from .physics import (active, advance, build_route, close_session, end_trip, open_session, project, settle,
                      update_ranges)
from .readings import reading_state

if TYPE_CHECKING:
    from ..platform.core import Platform

logger = logging.getLogger(__name__)
DEFAULT_EMAIL = "simulator@emulator.local"
STATUSES = ("OPEN", "CLOSED", "UNKNOWN")
DRIVE_MODES = ("NORMAL", "SPORT", "ECO", "OFF_ROAD")

# State fields the control API may set, with a validator returning the value to store.
Check = Callable[[Any, VehicleState], Any]


def _number(low: float, high: float, nullable: bool = False) -> Check:
    def check(value: Any, state: VehicleState) -> Any:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"must be a number between {low:g} and {high:g}")
        return float(value)
    return check


def _flag(value: Any, state: VehicleState) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")  # noqa: TRY004 - ValueError is the validators' contract
    return value


def _status(value: Any, state: VehicleState) -> str:
    if value not in STATUSES:
        raise ValueError(f"must be one of {', '.join(STATUSES)}")
    return str(value)


def _statuses(keys: tuple[str, ...]) -> Check:
    def check(value: Any, state: VehicleState) -> dict[str, str]:
        if not isinstance(value, dict) or not set(value) <= set(keys):
            raise ValueError(f"must be an object with keys among {', '.join(keys)}")
        return {k: _status(v, state) for k, v in value.items()}
    return check


def _tires(value: Any, state: VehicleState) -> dict[str, float]:
    if not isinstance(value, dict) or not set(value) <= set(DOORS):
        raise ValueError(f"must be an object with keys among {', '.join(DOORS)}")
    return {k: _number(0, 500)(v, state) for k, v in value.items()}


def _records(value: Any, state: VehicleState) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("must be a list of objects")
    return value


def _drive_mode(value: Any, state: VehicleState) -> str:
    if value not in DRIVE_MODES:
        raise ValueError(f"must be one of {', '.join(DRIVE_MODES)}")
    return str(value)


SETTABLE: dict[str, Check] = {
    "odometer_km": _number(0, 2_000_000), "latitude": _number(-90, 90), "longitude": _number(-180, 180),
    "heading": _number(0, 360), "battery_soc": _number(0, 1, True), "battery_capacity_kwh": _number(1, 300, True),
    "fuel_fraction": _number(0, 1, True), "fuel_capacity_l": _number(1, 300, True), "plugged_in": _flag,
    "charging": _flag, "charge_limit": _number(0.5, 1), "charge_rate_kw": _number(0.5, 350),
    "oil_life": _number(0, 1, True), "tires_kpa": _tires, "locked": _flag, "doors": _statuses(DOORS),
    "windows": _statuses(DOORS), "sunroof": _status, "storage": _statuses(("front", "rear")),
    "charging_port": _status, "systems": _records, "dtcs": _records, "service_history": _records,
    "cabin_target_c": _number(15, 30), "hvac_on": _flag, "front_defroster": _flag, "rear_defroster": _flag,
    "steering_heater": _flag, "lv_soc": _number(0, 1), "in_service": _flag, "surveillance": _flag,
    "drive_mode": _drive_mode, "charge_timers": _records, "charge_records": _records,
}
_MERGED = ("tires_kpa", "doors", "windows", "storage")  # objects merged key by key


class Simulator:
    """Vehicle physics over time, test-mode readings, and the control operations.

    Implements the platform's :class:`~smartcar_emulator.platform.dynamics.VehicleDynamics`; :func:`attach`
    plugs it into a platform at assembly.
    """

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._reads = itertools.count()

    # Reading ---------------------------------------------------------------------------------------
    def vehicle(self, vehicle_id: str) -> Vehicle:
        vehicle = self.platform.vehicles.get(vehicle_id)
        if vehicle is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "vehicleId", "message": "No such vehicle."}])
        return vehicle

    def _load(self, vehicle_id: str) -> tuple[Vehicle, VehicleState]:
        found = self.platform.vehicles.with_state(vehicle_id)
        if found is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "vehicleId", "message": "No such vehicle."}])
        return found

    def _synced(self, vehicle: Vehicle, state: VehicleState) -> VehicleState:
        """``state`` (just loaded) advanced to now; stored only when time changes something."""
        if not active(state):
            return state

        def step(current: VehicleState) -> None:
            before = Snapshot.of(current)
            advance(current, vehicle.powertrain, self.platform.clock.timestamp())
            self._report(vehicle, before, current)

        return self.platform.vehicles.update_state(vehicle.id, step)

    def _report(self, vehicle: Vehicle, before: Snapshot, after: VehicleState) -> None:
        """Tell the platform's webhook outbox what changed (in the change's transaction); never fails the change."""
        try:
            self.platform.outbox.changed(vehicle, before, after)
        except Exception:  # noqa: BLE001 - a webhook problem must not fail a vehicle request
            logger.exception("queueing webhook events failed for vehicle %s", vehicle.id)

    def sync(self, vehicle_id: str) -> VehicleState:
        """The authoritative state advanced to now (stored only when time changed something)."""
        return self._synced(*self._load(vehicle_id))

    def reading(self, vehicle_id: str) -> VehicleState:
        """What a data endpoint reports: the state, with randomised sensors for ``mode=test`` vehicles."""
        vehicle, state = self._load(vehicle_id)
        state = self._synced(vehicle, state)
        settle(state, self.platform.clock.timestamp())  # climate and 12 V battery: closed form, stored on change
        if vehicle.mode != "test":
            return state
        rng = rng_for("reading", str(self.platform.seed), vehicle_id, str(next(self._reads)))
        return reading_state(state, rng, copy=False)  # ``state`` is this request's own object

    def update(self, vehicle_id: str, change: Callable[[VehicleState], None]) -> VehicleState:
        """Advance to now, then apply ``change`` atomically."""
        vehicle = self.vehicle(vehicle_id)
        now = self.platform.clock.timestamp()

        def step(state: VehicleState) -> None:
            before = Snapshot.of(state)
            advance(state, vehicle.powertrain, now)
            settle(state, now)
            was_charging = state.charging
            change(state)
            if state.charging and not was_charging:
                open_session(state, now)
            close_session(state, now)
            update_ranges(state)
            self._report(vehicle, before, state)

        return self.platform.vehicles.update_state(vehicle_id, step)

    # Control ---------------------------------------------------------------------------------------
    def create_vehicle(self, make: str, model: str | None = None, year: int | None = None, mode: str = "simulated",
                       email: str | None = None, vin: str | None = None) -> Vehicle:
        """A new vehicle of the catalogue owned by the OEM account ``email`` in ``mode``."""
        key = normalize_make(make or "")
        if key is None:
            raise validation(f"Unknown make {make!r}.", "make")
        if mode not in MODES:
            raise validation("Must be one of test, live, simulated.", "mode")
        choices = models_of(key)
        chosen: Model | None = next((m for m in choices if model is None or m.name.lower() == model.lower()), None)
        if chosen is None:
            raise validation(f"Unknown model for {key}: {model!r}; one of {', '.join(m.name for m in choices)}.",
                             "model")
        if year is not None and not chosen.first_year <= year <= chosen.last_year:
            raise validation(f"{chosen.name} years are {chosen.first_year}-{chosen.last_year}.", "year")
        email = (email or DEFAULT_EMAIL).strip().lower()
        count = len(self.platform.vehicles.owned_by(owner_key(mode, email)))
        if vin is None:
            vin = (live_vin(key, email, "control", str(count)) if mode == "live"
                   else test_vin("0SC" if mode == "test" else "3SC", "control", email, key, str(count)))
        vin = vin.strip().upper()
        if len(vin) != 17 or not vin.isalnum():
            raise validation("A VIN has 17 letters and digits.", "vin")
        if self.platform.vehicles.by_vin(vin, mode) is not None:
            raise validation(f"A {mode} vehicle with VIN {vin} exists.", "vin")
        vehicle = self.platform.vehicles.ensure(vin, key, mode, owner_key(mode, email), model=chosen,
                                                year=year or chosen.last_year)
        self.platform.vehicles.update_state(vehicle.id, lambda s: setattr(s, "sim_at", self.platform.clock.timestamp()))
        return vehicle

    def set_fields(self, vehicle_id: str, values: dict[str, Any]) -> VehicleState:
        """Set state fields (validated); nested objects such as ``doors`` are merged key by key."""
        unknown = sorted(set(values) - set(SETTABLE))
        if unknown:
            raise validation(f"Unknown or read-only fields: {', '.join(unknown)}; settable: {', '.join(SETTABLE)}.",
                             unknown[0])

        def change(state: VehicleState) -> None:
            for name, value in values.items():
                try:
                    checked = SETTABLE[name](value, state)
                except ValueError as error:
                    raise validation(f"{name} {error}.", name) from None
                if name in _MERGED:
                    checked = {**getattr(state, name), **checked}
                setattr(state, name, checked)
            if state.charging and not state.plugged_in:
                raise validation("A vehicle that is not plugged in cannot be charging.", "charging")
            if state.charging and state.trip:
                raise validation("A driving vehicle cannot be charging.", "charging")

        return self.update(vehicle_id, change)

    def start_trip(self, vehicle_id: str, destination: tuple[float, float] | None = None,
                   distance_km: float | None = None, heading: float | None = None, speed_kph: float = 60.0,
                   waypoints: list[list[float]] | None = None) -> VehicleState:
        """Drive to a destination (or ``distance_km`` along ``heading``, or through ``waypoints``).

        The driver unplugs the vehicle first; a vehicle without energy answers ``VEHICLE_STATE:LOW_BATTERY``.
        """
        vehicle = self.vehicle(vehicle_id)
        if not 1 <= speed_kph <= 250:
            raise validation("speed_kph must be between 1 and 250.", "speed_kph")

        def change(state: VehicleState) -> None:
            energy = (state.battery_soc or 0.0) if vehicle.powertrain in ("BEV", "PHEV") else 0.0
            if vehicle.powertrain != "BEV":
                energy += state.fuel_fraction or 0.0
            if energy <= 0.0:
                raise ApiError("VEHICLE_STATE", "LOW_BATTERY")
            start = (state.latitude, state.longitude)
            rng = rng_for("route", str(self.platform.seed), vehicle_id, f"{state.odometer_km:.3f}")
            if waypoints:
                route = [[float(p[0]), float(p[1])] for p in waypoints]
            else:
                end = destination
                if end is None and distance_km is None and state.destination:
                    end = (state.destination["latitude"], state.destination["longitude"])
                if end is None:
                    end = project(start, rng.uniform(0, 360) if heading is None else heading,
                                  20.0 if distance_km is None else distance_km)
                route = build_route(start, end, rng)
            state.plugged_in = False
            state.charging = False
            state.trip = {"waypoints": route, "speed_kph": float(speed_kph), "distance_km": 0.0,
                          "destination": route[-1], "started_at": self.platform.clock.timestamp()}
            state.speed_kph = float(speed_kph)
            state.track = [[state.latitude, state.longitude]]

        return self.update(vehicle_id, change)

    def stop_trip(self, vehicle_id: str) -> VehicleState:
        """Park where the vehicle is now."""
        return self.update(vehicle_id, lambda state: end_trip(state, "STOPPED"))

    def plug(self, vehicle_id: str, plugged: bool) -> VehicleState:
        """Plug in or unplug the charging cable (unplugging stops a charge)."""
        vehicle = self.vehicle(vehicle_id)
        if vehicle.powertrain not in ("BEV", "PHEV"):
            raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")

        def change(state: VehicleState) -> None:
            if plugged and state.speed_kph > 0:
                raise ApiError("VEHICLE_STATE", "IN_MOTION")
            state.plugged_in = plugged
            if not plugged:
                state.charging = False

        return self.update(vehicle_id, change)

    def advance_clock(self, seconds: float) -> float:
        """Move the platform clock forward; vehicles catch up when next read. Returns the new timestamp."""
        if not 0 <= seconds <= 366 * 86400:
            raise validation("seconds must be between 0 and one year.", "seconds")
        self.platform.clock.advance(seconds)
        return self.platform.clock.timestamp()

    def set_clock(self, moment: datetime) -> float:
        """Set the platform clock to ``moment``, earlier or later. Moving forward is :meth:`advance_clock`;
        moving back leaves every vehicle as it is and lets driving and charging go on from the new time.
        Returns the new timestamp."""
        clock = self.platform.clock
        target = moment.timestamp()
        if target >= clock.timestamp():
            clock.set(moment)
            return clock.timestamp()
        clock.set(moment)
        now = clock.timestamp()
        for vehicle in self.platform.vehicles.list():
            def rebase(state: VehicleState) -> None:
                if state.sim_at > now:
                    state.sim_at = now

            self.platform.vehicles.update_state(vehicle.id, rebase, touch=False)
        return now

    def reset(self, keep_apps: bool = False) -> dict[str, int]:
        """A fresh platform (see :meth:`Platform.reset`) with readings replayed from the seed again."""
        self._reads = itertools.count()
        return self.platform.reset(keep_apps)

    # Listing ---------------------------------------------------------------------------------------
    def users(self) -> dict[str, Any]:
        db = self.platform.db
        owners = db.all("SELECT owner, mode, count(*) AS vehicles FROM vehicles GROUP BY owner, mode ORDER BY owner")
        users = db.all("SELECT id, client_id, owner, created_at FROM users ORDER BY created_at")
        return {"accounts": self.platform.accounts.list(), "owners": [dict(r) for r in owners],
                "users": [dict(r) for r in users]}

    def connections(self) -> list[dict[str, Any]]:
        rows = self.platform.db.all("SELECT * FROM connections ORDER BY created_at, rowid")
        return [{"id": r["id"], "clientId": r["client_id"], "userId": r["user_id"], "vehicleId": r["vehicle_id"],
                 "scopes": self.platform.connections._from_row(r).scopes, "createdAt": r["created_at"]}
                for r in rows]


def attach(platform: Platform) -> Simulator:
    """The platform's simulator, created and plugged in (as its dynamics) on first use."""
    if isinstance(platform.simulator, Simulator):
        return platform.simulator
    simulator = Simulator(platform)
    platform.dynamics = simulator
    platform.simulator = simulator
    return simulator


def catalogue() -> list[dict[str, Any]]:
    return [{"make": m.make, "model": m.name, "years": [m.first_year, m.last_year], "powertrain": m.powertrain,
             "batteryKwh": m.battery_kwh or None, "tankLiters": m.tank_liters or None} for m in MODELS]
