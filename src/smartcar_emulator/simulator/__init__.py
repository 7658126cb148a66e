"""The vehicle simulator: trips along a route, energy use, charging, and test-mode sensor readings.

Physics are advanced lazily: when a vehicle is read or commanded, its state is moved from ``sim_at`` to
``platform.clock.now()`` in one closed-form step, so there are no background threads and a given seed and
sequence of requests and clock advances always gives the same states.
"""

from .physics import advance, build_route, distance_km
from .readings import reading_state
from .service import Simulator, attach

__all__ = ["Simulator", "attach", "advance", "build_route", "distance_km", "reading_state"]
