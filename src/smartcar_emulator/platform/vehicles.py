"""Vehicles: identity (VIN, make, model, year, powertrain, mode) and their stored state."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..clock import Clock
from ..store import Database
from .catalog import MODELS, Model, models_of
from .ids import new_id
from .state import VehicleState, rng_for, seed_state

MODES = ("test", "live", "simulated")


@dataclass(frozen=True)
class Vehicle:
    id: str
    vin: str
    make: str
    model: str
    year: int
    powertrain: str
    mode: str
    owner: str
    level: str | None = None
    test_error: str | None = None


def owner_key(mode: str, email: str) -> str:
    """OEM accounts are separate per mode: the same email in test and live mode are two accounts."""
    return f"{mode}:{email.strip().lower()}"


def pick_model(vin: str, make: str, first: bool, model: Model | None = None) -> tuple[Model, int]:
    """Model and year for a VIN: ``model`` when given, else the make's first model for a login's first vehicle,
    else a stable choice; the year is a stable choice within the model's years."""
    choices = models_of(make) or list(MODELS)
    rng = rng_for("model", vin)
    chosen = choices[0] if first else rng.choice(choices)
    model = model or chosen
    return model, rng.randint(model.first_year, model.last_year)


class VehicleRepository:
    """Vehicle records and their state. ``update_state`` is the one way to change a vehicle's state."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._state_lock = threading.RLock()

    def ensure(self, vin: str, make: str, mode: str, owner: str, *, first: bool = True,
               level: str | None = None, test_error: str | None = None,
               model: Model | None = None, year: int | None = None) -> Vehicle:
        """The vehicle with this VIN in this mode, created (and seeded) if new."""
        existing = self.by_vin(vin, mode)
        if existing is not None:
            if (existing.owner, existing.level, existing.test_error) != (owner, level, test_error):
                self.db.execute("UPDATE vehicles SET owner = ?, level = ?, test_error = ? WHERE id = ?",
                                (owner, level, test_error, existing.id))
                updated = self.get(existing.id)
                assert updated is not None  # updated just now, in this call
                return updated
            return existing
        model, chosen_year = pick_model(vin, make, first, model)
        year = year or chosen_year
        vehicle = Vehicle(new_id(), vin, model.make, model.name, year, model.powertrain, mode, owner,
                          level, test_error)
        state = seed_state(vin, model, self.clock.timestamp())
        self.db.execute(
            "INSERT INTO vehicles (id, vin, make, model, year, powertrain, mode, owner, level, test_error,"
            " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (vehicle.id, vin, vehicle.make, vehicle.model, year, vehicle.powertrain, mode, owner, level,
             test_error, json.dumps(state.to_dict()), self.clock.timestamp()),
        )
        return vehicle

    @staticmethod
    def _from_row(r: sqlite3.Row) -> Vehicle:
        return Vehicle(r["id"], r["vin"], r["make"], r["model"], r["year"], r["powertrain"],
                       r["mode"], r["owner"], r["level"], r["test_error"])

    def get(self, vehicle_id: str) -> Vehicle | None:
        row = self.db.one("SELECT * FROM vehicles WHERE id = ?", (vehicle_id,))
        return self._from_row(row) if row else None

    def by_vin(self, vin: str, mode: str) -> Vehicle | None:
        row = self.db.one("SELECT * FROM vehicles WHERE vin = ? AND mode = ?", (vin, mode))
        return self._from_row(row) if row else None

    def owned_by(self, owner: str) -> list[Vehicle]:
        rows = self.db.all("SELECT * FROM vehicles WHERE owner = ? ORDER BY created_at, vin", (owner,))
        return [self._from_row(row) for row in rows]

    def list(self, mode: str | None = None) -> list[Vehicle]:
        if mode:
            rows = self.db.all("SELECT * FROM vehicles WHERE mode = ? ORDER BY created_at", (mode,))
        else:
            rows = self.db.all("SELECT * FROM vehicles ORDER BY created_at")
        return [self._from_row(row) for row in rows]

    def with_state(self, vehicle_id: str) -> tuple[Vehicle, VehicleState] | None:
        """The vehicle and its stored state in one query (the read path's hot spot), or None."""
        row = self.db.one("SELECT * FROM vehicles WHERE id = ?", (vehicle_id,))
        if row is None:
            return None
        return self._from_row(row), VehicleState.from_dict(json.loads(row["state"]))

    def state(self, vehicle_id: str) -> VehicleState:
        row = self.db.one("SELECT state FROM vehicles WHERE id = ?", (vehicle_id,))
        if row is None:
            raise KeyError(vehicle_id)
        return VehicleState.from_dict(json.loads(row["state"]))

    def update_state(self, vehicle_id: str, change: Callable[[VehicleState], None],
                     touch: bool = True) -> VehicleState:
        """Read, change and store a vehicle's state atomically (``touch``: the vehicle records new data now)."""
        with self._state_lock, self.db.transaction() as conn:
            state = self.state(vehicle_id)
            change(state)
            if touch:
                state.data_age = self.clock.timestamp()
            conn.execute("UPDATE vehicles SET state = ? WHERE id = ?", (json.dumps(state.to_dict()), vehicle_id))
            return state
