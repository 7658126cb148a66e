"""Vehicle physics on a :class:`~smartcar_emulator.platform.state.VehicleState`: driving and charging.

All functions change the state in place and are deterministic (no clock or randomness of their own).
"""

from __future__ import annotations

import math
import random

from ..clock import from_timestamp, iso_ms
from ..platform.state import VehicleState

KM_PER_KWH = 6.2  # electric efficiency: the factor seed_state uses for battery range
KM_PER_LITER = 14.0  # fuel efficiency: the factor seed_state uses for fuel range
OIL_LIFE_KM = 15_000.0  # oil life falls from 1 to 0 over this distance
TRACK_POINTS = 200  # positions kept for the panel's map
EARTH_KM = 6371.0
CABIN_TAU_HVAC_S = 900.0  # the cabin reaches the set-point in about half an hour with HVAC on
CABIN_TAU_PASSIVE_S = 3600.0  # and follows the outside air over hours without
LV_FULL = 0.95  # the 12 V battery while the car drives or charges
LV_DRAIN_PER_DAY = 0.01  # parked
CHARGE_RECORDS = 50  # kept per vehicle


def distance_km(a: tuple[float, float] | list[float], b: tuple[float, float] | list[float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def bearing(a: tuple[float, float] | list[float], b: tuple[float, float] | list[float]) -> float:
    """Initial compass bearing (0 = north, clockwise) from a to b, in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def project(start: tuple[float, float], heading: float, km: float) -> tuple[float, float]:
    """The point ``km`` away from ``start`` along ``heading`` (flat-earth approximation, fine below ~100 km)."""
    lat = start[0] + (km * math.cos(math.radians(heading))) / 111.32
    lon = start[1] + (km * math.sin(math.radians(heading))) / (111.32 * max(0.1, math.cos(math.radians(start[0]))))
    return round(lat, 6), round(lon, 6)


def build_route(start: tuple[float, float], end: tuple[float, float], rng: random.Random,
                bends: int = 4) -> list[list[float]]:
    """Waypoints from ``start`` to ``end``: a few deterministic bends so the track looks like a road."""
    total = distance_km(start, end)
    points: list[list[float]] = []
    for i in range(1, bends + 1):
        t = i / (bends + 1)
        lat = start[0] + (end[0] - start[0]) * t
        lon = start[1] + (end[1] - start[1]) * t
        offset = rng.uniform(-0.08, 0.08) * total / 111.32  # up to 8 % of the trip sideways
        points.append([round(lat + offset * 0.5, 6), round(lon + offset, 6)])
    points.append([round(end[0], 6), round(end[1], 6)])
    return points


def update_ranges(state: VehicleState) -> None:
    """Recompute the ranges from the energy left."""
    if state.battery_soc is not None and state.battery_capacity_kwh:
        state.battery_range_km = round(state.battery_soc * state.battery_capacity_kwh * KM_PER_KWH, 1)
    if state.fuel_fraction is not None and state.fuel_capacity_l:
        state.fuel_range_km = round(state.fuel_fraction * state.fuel_capacity_l * KM_PER_LITER, 1)


def _electric_km(state: VehicleState, powertrain: str) -> float:
    if powertrain not in ("BEV", "PHEV") or not state.battery_capacity_kwh or state.battery_soc is None:
        return 0.0
    return state.battery_soc * state.battery_capacity_kwh * KM_PER_KWH


def _fuel_km(state: VehicleState, powertrain: str) -> float:
    if powertrain == "BEV" or not state.fuel_capacity_l or state.fuel_fraction is None:
        return 0.0
    return state.fuel_fraction * state.fuel_capacity_l * KM_PER_LITER


def use_energy(state: VehicleState, powertrain: str, km: float) -> None:
    """Spend the energy for ``km`` kilometres: battery first (BEV, PHEV), then fuel; oil life wears."""
    electric = min(km, _electric_km(state, powertrain))
    if electric > 0 and state.battery_capacity_kwh and state.battery_soc is not None:
        state.battery_soc = max(0.0, state.battery_soc - electric / KM_PER_KWH / state.battery_capacity_kwh)
    fuel = km - electric
    if fuel > 0 and state.fuel_capacity_l and state.fuel_fraction is not None:
        state.fuel_fraction = max(0.0, state.fuel_fraction - fuel / KM_PER_LITER / state.fuel_capacity_l)
    if state.oil_life is not None and powertrain != "BEV":
        state.oil_life = max(0.0, state.oil_life - km / OIL_LIFE_KM)


def drive(state: VehicleState, powertrain: str, seconds: float) -> float:
    """Move along the trip's waypoints for ``seconds``; returns the distance driven (km).

    The trip ends on arrival or when the energy runs out (the vehicle stops where it is).
    """
    trip = state.trip
    if not trip or seconds <= 0:
        return 0.0
    speed = float(trip.get("speed_kph", 60.0))
    energy_km = _electric_km(state, powertrain) + _fuel_km(state, powertrain)
    budget = min(speed * seconds / 3600.0, energy_km)
    driven = 0.0
    position = [state.latitude, state.longitude]
    waypoints: list[list[float]] = trip["waypoints"]
    while budget > 1e-9 and waypoints:
        target = waypoints[0]
        leg = distance_km(position, target)
        if leg <= budget:
            if leg > 1e-6:
                state.heading = round(bearing(position, target), 1)
            position = list(target)
            waypoints.pop(0)
            budget -= leg
            driven += leg
            state.track.append(position)
        else:
            state.heading = round(bearing(position, target), 1)
            t = budget / leg
            position = [position[0] + (target[0] - position[0]) * t, position[1] + (target[1] - position[1]) * t]
            driven += budget
            budget = 0.0
            state.track.append([round(position[0], 6), round(position[1], 6)])
    state.latitude, state.longitude = round(position[0], 6), round(position[1], 6)
    del state.track[:-TRACK_POINTS]
    state.odometer_km = round(state.odometer_km + driven, 3)
    trip["distance_km"] = round(float(trip.get("distance_km", 0.0)) + driven, 3)
    use_energy(state, powertrain, driven)
    if not waypoints:
        end_trip(state, "ARRIVED")
    elif _electric_km(state, powertrain) + _fuel_km(state, powertrain) <= 1e-6:
        end_trip(state, "OUT_OF_ENERGY")
    else:
        state.speed_kph = speed
    return driven


def end_trip(state: VehicleState, reason: str) -> None:
    state.speed_kph = 0.0
    if state.trip is not None:
        state.trip = None
    state.destination = None if reason == "ARRIVED" else state.destination


def outside_temperature(latitude: float, longitude: float, timestamp: float) -> float:
    """A plausible air temperature (°C): colder toward the poles, seasonal, warmest at 15:00 solar time."""
    day = (timestamp / 86400.0) % 365.25
    season = -math.cos(2 * math.pi * (day - 15) / 365.25) * (1 if latitude >= 0 else -1)  # +1 mid-July north
    solar_hour = (timestamp / 3600.0 + longitude / 15.0) % 24
    diurnal = math.cos(2 * math.pi * (solar_hour - 15) / 24)
    return 27.0 - 0.4 * abs(latitude) + 9.0 * season + 5.0 * diurnal


def settle(state: VehicleState, now: float) -> None:
    """Move climate and the 12 V battery to ``now``: the cabin approaches the set-point with HVAC on, else the
    outside air; the 12 V battery recovers while driving or charging and drains slowly while parked."""
    seconds = max(0.0, now - state.climate_at) if state.climate_at else 0.0
    state.climate_at = max(state.climate_at, now)
    state.outside_temp_c = round(outside_temperature(state.latitude, state.longitude, now), 1)
    target = state.cabin_target_c if state.hvac_on else state.outside_temp_c
    tau = CABIN_TAU_HVAC_S if state.hvac_on else CABIN_TAU_PASSIVE_S
    state.cabin_temp_c = round(target + (state.cabin_temp_c - target) * math.exp(-seconds / tau), 1)
    if state.speed_kph > 0 or state.charging:
        state.lv_soc = round(LV_FULL + (state.lv_soc - LV_FULL) * math.exp(-seconds / 3600.0), 3)
    else:
        state.lv_soc = round(max(0.0, state.lv_soc - LV_DRAIN_PER_DAY * seconds / 86400.0), 3)
    state.battery_heater = state.charging and state.outside_temp_c < 0


def open_session(state: VehicleState, now: float) -> None:
    """A charging session starts: energy added counts from zero."""
    state.energy_added_kwh = 0.0
    state.charge_session = {"start": now, "start_soc": state.battery_soc or 0.0}


def close_session(state: VehicleState, now: float) -> None:
    """A finished session becomes a charge record (and a charge to 100 % counts as a max-range charge)."""
    session = state.charge_session
    if state.charging or session is None:
        return
    state.charge_session = None
    end_soc = state.battery_soc or 0.0
    if end_soc >= 0.995:
        state.max_range_charges += 1
    fast = state.charge_rate_kw > 22
    state.charge_records.append({
        "id": f"rec-{int(session['start'] * 1000) % 10**10:010d}",
        "cost": {"currency": "USD", "energyAmount": round(state.energy_added_kwh * (0.45 if fast else 0.16), 2),
                 "otherAmount": 0},
        "startTime": _iso(session["start"]), "endTime": _iso(now),
        "location": {"name": None, "address": None, "latitude": state.latitude, "longitude": state.longitude},
        "energyAdded": round(state.energy_added_kwh, 2), "connectorType": "CCS" if fast else "J1772",
        "isPublicCharger": fast, "startStateOfCharge": round(session["start_soc"] * 100),
        "endStateOfCharge": round(end_soc * 100)})
    del state.charge_records[:-CHARGE_RECORDS]


def _iso(seconds: float) -> str:
    return iso_ms(from_timestamp(seconds))


def charge(state: VehicleState, seconds: float) -> float:
    """Charge at ``charge_rate_kw`` toward the limit for ``seconds``; returns the energy added (kWh)."""
    if not state.charging or seconds <= 0:
        return 0.0
    if not state.plugged_in or not state.battery_capacity_kwh or state.battery_soc is None:
        state.charging = False
        return 0.0
    room = max(0.0, state.charge_limit - state.battery_soc) * state.battery_capacity_kwh
    added = min(room, state.charge_rate_kw * seconds / 3600.0)
    state.battery_soc = round(min(state.charge_limit, state.battery_soc + added / state.battery_capacity_kwh), 6)
    state.energy_added_kwh = round(state.energy_added_kwh + added, 4)
    if state.battery_soc >= state.charge_limit - 1e-9:
        state.battery_soc = state.charge_limit
        state.charging = False
    return added


def advance(state: VehicleState, powertrain: str, now: float) -> bool:
    """Move the state from ``sim_at`` to ``now``; returns whether anything changed."""
    seconds = now - state.sim_at if state.sim_at else 0.0
    state.sim_at = max(state.sim_at, now)
    if seconds <= 0 or not (state.trip or state.charging):
        return False
    drive(state, powertrain, seconds)
    charge(state, seconds)
    close_session(state, now)
    update_ranges(state)
    if state.battery_soc is not None:
        state.battery_soc = round(state.battery_soc, 4)
    if state.fuel_fraction is not None:
        state.fuel_fraction = round(state.fuel_fraction, 4)
    if state.oil_life is not None:
        state.oil_life = round(state.oil_life, 4)
    return True


def active(state: VehicleState) -> bool:
    """Whether time changes this vehicle (driving or charging)."""
    return bool(state.trip) or state.charging
