"""Test-mode sensor readings: randomised per request, within a plausible band around the stored state.

Smartcar's test mode answers data endpoints with random but well-typed values (wire reference §2.6).
Here the stored state stays authoritative for commands and for everything a command changes (locks,
charging, plug, charge limit, destination), and only *sensor* readings wobble on each request: odometer,
location, battery, fuel, oil, tire pressures and the charge rate. Each stays close to the stored value
(so "the same vehicle twice" reads plausibly) and inside the reference's test-mode ranges.
"""

from __future__ import annotations

import copy as _copy
import random

from ..platform.state import VehicleState
from .physics import KM_PER_KWH, KM_PER_LITER

# Test-mode ranges of the reference (§2.6, §5.2).
ODOMETER_KM = (10_000.0, 300_000.0)
LATITUDE = (37.0, 41.0)  # inside Colorado
LONGITUDE = (-109.0, -102.0)
RANGE_KM = (0.0, 483.0)
TIRE_KPA = (175.0, 237.0)

# Half-widths of the band around the stored value.
ODOMETER_JITTER_KM = 2.0
LOCATION_JITTER_DEG = 0.002  # about 200 m
FRACTION_JITTER = 0.02
TIRE_JITTER_KPA = 2.0


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(bounds[1], max(bounds[0], value))


def _fraction(rng: random.Random, value: float | None) -> float | None:
    return None if value is None else round(_clamp(value + rng.uniform(-FRACTION_JITTER, FRACTION_JITTER), (0.0, 1.0)), 2)


def reading_state(state: VehicleState, rng: random.Random, copy: bool = True) -> VehicleState:
    """A per-request copy of a test vehicle's state with randomised sensor readings.

    ``copy=False`` randomises ``state`` itself (for a caller that owns a freshly loaded state).
    """
    reading = _copy.deepcopy(state) if copy else state
    reading.odometer_km = round(_clamp(state.odometer_km + rng.uniform(0, ODOMETER_JITTER_KM), ODOMETER_KM), 1)
    if state.speed_kph == 0:  # a parked car's GPS still wanders a little
        reading.latitude = round(_clamp(state.latitude + rng.uniform(-1, 1) * LOCATION_JITTER_DEG, LATITUDE), 6)
        reading.longitude = round(_clamp(state.longitude + rng.uniform(-1, 1) * LOCATION_JITTER_DEG, LONGITUDE), 6)
    if state.battery_soc is not None and state.charge_state == "NOT_CHARGING":
        soc = _fraction(rng, state.battery_soc) or 0.0
        if state.plugged_in:  # stay below the limit: the reading must not turn into FULLY_CHARGED
            soc = min(soc, state.charge_limit - 0.01)
        reading.battery_soc = round(max(0.0, soc), 2)
    if reading.battery_soc is not None and state.battery_capacity_kwh:
        reading.battery_range_km = round(_clamp(reading.battery_soc * state.battery_capacity_kwh * KM_PER_KWH,
                                                RANGE_KM), 1)
    if state.fuel_fraction is not None:
        reading.fuel_fraction = _fraction(rng, state.fuel_fraction)
        if state.fuel_capacity_l and reading.fuel_fraction is not None:
            reading.fuel_range_km = round(_clamp(reading.fuel_fraction * state.fuel_capacity_l * KM_PER_LITER,
                                                 RANGE_KM), 1)
    reading.oil_life = _fraction(rng, state.oil_life)
    reading.tires_kpa = {k: round(_clamp(v + rng.uniform(-TIRE_JITTER_KPA, TIRE_JITTER_KPA), TIRE_KPA), 1)
                         for k, v in state.tires_kpa.items()}
    if state.charging:
        reading.charge_rate_kw = round(state.charge_rate_kw * rng.uniform(0.95, 1.0), 2)
    return reading
