"""Adaptive fleet concurrency: the controller's arithmetic, and a fleet that finds an application rate limit by
itself against the emulator (every read succeeds, none is lost to a 429)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from smartcar import fleet
from smartcar._adaptive import AdaptiveLimit, overload_delay
from smartcar.exception import SmartcarException


def test_starts_at_the_cap_and_grows_by_one_per_round_of_successes() -> None:
    limit = AdaptiveLimit(cap=8, floor=1, initial=4)
    for _ in range(3):
        limit.on_success(0.1, now=0.0)
    assert limit.current == 4
    limit.on_success(0.1, now=0.0)  # the fourth success in a row: one more in flight
    assert limit.current == 5
    for _ in range(100):
        limit.on_success(0.1, now=0.0)
    assert limit.current == 8  # never above the cap
    assert AdaptiveLimit(cap=6).current == 6


def test_a_burst_of_429s_halves_once_and_holds_until_retry_after() -> None:
    limit = AdaptiveLimit(cap=32, floor=2)
    limit.on_success(0.25, now=0.0)
    for _ in range(10):  # the answers to one burst arrive within a round trip
        limit.on_overload(retry_after=3, now=10.0)
    assert limit.current == 16 and limit.decreases == 1 and limit.rate_limited == 10
    assert limit.hold(now=11.0) == pytest.approx(2.0) and limit.hold(now=13.5) == 0.0
    for step in range(10):  # later rounds halve again, down to the floor
        limit.on_overload(retry_after=None, now=20.0 + step)
    assert limit.current == 2
    assert limit.hold(now=29.0) == pytest.approx(1.0)  # no Retry-After: the default hold


def test_latency_growth_trims_the_limit() -> None:
    limit = AdaptiveLimit(cap=20)
    limit.on_success(0.1, now=0.0)
    for step in range(30):
        limit.on_success(1.0, now=1.0 + step)  # ten times slower: a queue is building up
    assert limit.current < 20 and limit.decreases > 0


@pytest.mark.parametrize("kwargs", [{"cap": 0}, {"cap": 4, "floor": 5}, {"cap": 4, "initial": 9}])
def test_bad_bounds_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AdaptiveLimit(**kwargs)


@pytest.mark.parametrize("error, expected", [
    (SmartcarException(status_code=429, type="RATE_LIMIT", code="VEHICLE", retry_after="7"), (True, 7.0)),
    (SmartcarException(status_code=429, type="RATE_LIMIT", code="SMARTCAR_API"), (True, None)),
    (SmartcarException(status_code=503, type="SERVER", retry_after="2"), (True, 2.0)),
    (SmartcarException(status_code=503, type="SERVER"), (False, None)),
    (SmartcarException(status_code=429, type="UPSTREAM", code="RATE_LIMIT", retry_after="3600"), (False, None)),
    (SmartcarException(status_code=500, type="SERVER", code="INTERNAL"), (False, None)),
    (SmartcarException(status_code=429, retry_after="Wed, 21 Oct 2026 07:28:00 GMT"), (True, None)),
    (ValueError("not from the wire"), (False, None)),
])
def test_which_errors_mean_slow_down(error: BaseException, expected: tuple[bool, float | None]) -> None:
    assert overload_delay(error) == expected


def test_a_fleet_finds_an_application_rate_limit_and_loses_no_read(smartcar_env: Any, smartcar_connect: Any) -> None:
    connected = smartcar_connect(email="60-vehicles@smartcar.com", scopes=["read_odometer"])
    smartcar_env.rate_limits.set(app="30/s")  # a bucket of 30, refilled 30 a second

    async def run(**options: Any) -> tuple[list[fleet.FleetResult[Any]], fleet.Fleet]:
        async with fleet.Fleet(concurrency=16, max_retries=0, **options) as reader:
            results = [r async for r in reader.snapshot_v2(connected.vehicle_ids, connected.access_token,
                                                           paths=["/odometer"])]
            return results, reader

    results, reader = asyncio.run(run())
    assert len(results) == 60 and all(r.ok for r in results), [fleet.error_kind(r.error) for r in results if r.error]
    assert reader.limit is not None and reader.limit.rate_limited > 0 and reader.limit.current < 16

    # The same read with adaptation and its retries off loses reads to the limit: the difference is real.
    smartcar_env.rate_limits.set(app="30/s")  # a bucket of 30, refilled 30 a second
    blunt, _ = asyncio.run(run(adaptive=False))
    assert any(fleet.error_kind(r.error) == "RATE_LIMIT:SMARTCAR_API" for r in blunt if r.error)


def test_fleet_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="min_concurrency"):
        fleet.Fleet(concurrency=4, min_concurrency=5)
    with pytest.raises(ValueError, match="retry_rate_limited_for"):
        fleet.Fleet(retry_rate_limited_for=-1)


def test_the_cli_progress_line_shows_rate_concurrency_and_rate_limits() -> None:
    from smartcar.cli import _snapshot_status

    reader = fleet.Fleet(concurrency=8)
    assert _snapshot_status(reader, 0, 0.0, 0) == "snapshot"
    reader._fan_out_options(None)
    assert reader.limit is not None
    reader.limit.on_overload(2, now=0.0)
    assert _snapshot_status(reader, 50, 2.0, 3) == "25.0/s · 4 in flight · 1 rate-limited · [red]3 failed[/red]"
    fixed = fleet.Fleet(concurrency=8, adaptive=False)
    fixed._fan_out_options(None)
    assert fixed.limit is None and _snapshot_status(fixed, 10, 1.0, 0) == "10.0/s"
