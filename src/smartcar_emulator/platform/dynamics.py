"""How vehicle state moves over time, as the platform sees it: a small interface the simulator implements.

The platform reads and changes vehicle state only through :class:`VehicleDynamics`. The simulator (a higher
layer) provides the real implementation and is attached at assembly (``app.py``); without it the platform
serves the stored state as it is (:class:`StoredState`), which is enough for the platform's own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .state import VehicleState
from .vehicles import VehicleRepository


class VehicleDynamics(Protocol):
    """What the platform needs from a simulator."""

    def reading(self, vehicle_id: str) -> VehicleState:
        """What a data endpoint reports now (advanced to the clock; test-mode sensors may wobble)."""
        ...

    def update(self, vehicle_id: str, change: Callable[[VehicleState], None]) -> VehicleState:
        """Advance to now, then apply ``change`` atomically; the stored result."""
        ...


class StoredState:
    """Dynamics without time: reads and changes the stored state as it is."""

    def __init__(self, vehicles: VehicleRepository) -> None:
        self.vehicles = vehicles

    def reading(self, vehicle_id: str) -> VehicleState:
        return self.vehicles.state(vehicle_id)

    def update(self, vehicle_id: str, change: Callable[[VehicleState], None]) -> VehicleState:
        return self.vehicles.update_state(vehicle_id, change)
