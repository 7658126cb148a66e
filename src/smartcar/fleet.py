"""Fleet fan-out: read many vehicles concurrently, results as they complete, one failure never stops the rest.

Async-first, on the SDK's async stack: API v3 through ``smartcar.AsyncClient``, API v2 through the
``Vehicle``/``AsyncVehicle`` request builders and parsers sent by ``_core.aexecute`` (with the retry policy),
all over one pooled ``httpx.AsyncClient`` sized to the concurrency.

>>> async with smartcar.fleet.Fleet() as fleet:           # SMARTCAR_CLIENT_ID / SMARTCAR_CLIENT_SECRET
...     async for result in fleet.snapshot(fleet.connections()):
...         print(result.vehicle_id, result.error or result.value["signals"])

``fan_out(items, fetch)`` is the generic part: any ``async fetch(item)`` run over many items with bounded
concurrency. ``snapshot_sync`` / ``iter_sync`` serve plain scripts.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from . import _core, _transport
from . import smartcar as module
from ._async_transport import AsyncTransport
from ._retry import RetryPolicy
from .exception import SmartcarException
from .v3.client import AsyncClient
from .v3.models import Connection, VehicleAttributes
from .vehicle import Vehicle

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - item type

DEFAULT_CONCURRENCY = 32
DEFAULT_TIMEOUT = 60.0
V2_DEFAULT_PATHS = ("/", "/odometer", "/location", "/battery", "/fuel", "/charge")


@dataclass(frozen=True)
class FleetResult(Generic[T]):
    """One vehicle's outcome: ``value`` when it worked, else ``error`` (the exception it raised)."""

    vehicle_id: str
    value: T | None = None
    error: BaseException | None = None
    user_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class Target:
    """A vehicle to read, with the user it is read for (API v3 ``sc-user-id``; None with a user token)."""

    vehicle_id: str
    user_id: str | None = None


TargetLike = Target | Connection | tuple[str, str | None] | str


def as_target(item: TargetLike, user_id: str | None = None) -> Target:
    """A :class:`Target` from a target, a v3 ``Connection``, a ``(vehicle_id, user_id)`` pair or an id."""
    if isinstance(item, Target):
        return item
    if isinstance(item, Connection):
        return Target(item.vehicle_id, item.user_id or user_id)
    if isinstance(item, tuple):
        return Target(item[0], item[1] if item[1] is not None else user_id)
    return Target(str(item), user_id)


def error_kind(error: BaseException) -> str:
    """A short label to group errors by: ``TYPE:CODE`` for API errors, ``SDK_ERROR`` or the class name."""
    if isinstance(error, SmartcarException):
        type_ = getattr(error, "type", None)
        if type_:
            code = getattr(error, "code", None)
            return f"{type_}:{code}" if code else str(type_)
        return str(error.message or "SDK_ERROR")
    return type(error).__name__


# -- Generic fan-out -----------------------------------------------------------------------------------------
async def fan_out(items: Iterable[I], fetch: Callable[[I], Awaitable[T]], *, key: Callable[[I], Target],
                  concurrency: int = DEFAULT_CONCURRENCY) -> AsyncIterator[FleetResult[T]]:
    """Run ``fetch(item)`` for every item, at most ``concurrency`` at once, yielding results as they complete.

    Items are pulled lazily; an exception from one fetch becomes that item's ``FleetResult.error`` (only
    cancellation propagates). Leaving the loop early cancels the fetches still running.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    source = iter(items)
    running: set[asyncio.Task[FleetResult[T]]] = set()

    async def one(item: I) -> FleetResult[T]:
        target = key(item)
        try:
            return FleetResult(target.vehicle_id, await fetch(item), None, target.user_id)
        except Exception as error:  # noqa: BLE001 - isolate every vehicle's failure
            return FleetResult(target.vehicle_id, None, error, target.user_id)

    def start_next() -> None:
        for item in source:
            running.add(asyncio.ensure_future(one(item)))
            return

    for _ in range(concurrency):
        start_next()
    try:
        while running:
            done, _pending = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                running.discard(task)
                start_next()
                yield task.result()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


# -- The fleet reader ------------------------------------------------------------------------------------------
class Fleet:
    """Reads many vehicles at once: API v3 with client credentials (``snapshot``, on ``smartcar.AsyncClient``),
    or API v2 with a user access token (``snapshot_v2``, the ``AsyncVehicle`` requests). Use as
    ``async with Fleet(...) as fleet``.

    ``concurrency`` bounds the requests in flight and sizes the connection pool (all kept alive).
    ``max_retries`` / ``retry_policy`` as for ``smartcar.Client`` (default: the process-wide policy).
    Client credentials are needed only for API v3.
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None, *,
                 concurrency: int = DEFAULT_CONCURRENCY, timeout: float = DEFAULT_TIMEOUT,
                 max_retries: int | None = None, retry_policy: RetryPolicy | None = None,
                 http_client: httpx.AsyncClient | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.concurrency = concurrency
        self.retry_policy = (retry_policy or _transport.retry_policy()).with_changes(max_retries=max_retries)
        self._own_http = http_client is None
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._http = http_client or httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)
        self._transport = AsyncTransport(timeout, self._http)
        self._client: AsyncClient | None = None

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()  # leaves our http client open: it was passed in
        if self._own_http:
            await self._http.aclose()

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        return await _core.aperform(self._transport, method, url, **kwargs)

    async def execute(self, call: _core.Call[T]) -> T:
        """Send one SDK call (spec + parser) over the fleet's pool, with its retry policy."""
        return await _core.aexecute(call, self.retry_policy, self._request)

    # v3 --------------------------------------------------------------------------------------------------
    @property
    def client(self) -> AsyncClient:
        """The ``smartcar.AsyncClient`` the v3 reads go through (created on first use, on our pool)."""
        if self._client is None:
            self._client = AsyncClient(self.client_id, self.client_secret, retry_policy=self.retry_policy,
                                       http_client=self._http)
        return self._client

    async def connections(self, user_id: str | None = None, mode: str | None = None) -> list[Connection]:
        """Every connection of the application (optionally one user's, or one mode's)."""
        return [c async for c in self.client.connections.list(user_id=user_id, mode=mode, page_size=100)]

    async def read_v3(self, target: Target, signals: Sequence[str] | None = None,
                      attributes: bool = True) -> dict[str, Any]:
        """One vehicle: ``{"attributes": VehicleAttributes | None, "signals": {code: Signal}}``.

        Signals come from the vehicle's signal list (one request per 100 signals); ``signals`` keeps only
        those codes (a code the user did not grant is absent; one the vehicle lacks has ``status`` ERROR).
        """
        vehicle = self.client.vehicle(target.vehicle_id, target.user_id)
        wanted = {str(code) for code in signals} if signals is not None else None
        read_signals = wanted is None or bool(wanted)
        tasks: list[Awaitable[Any]] = []
        if attributes:
            tasks.append(vehicle.attributes())
        if read_signals:
            tasks.append(vehicle.signals())
        results = await asyncio.gather(*tasks)
        found = {s.code: s for s in results[-1]} if read_signals else {}
        if wanted is not None:
            found = {code: signal for code, signal in found.items() if code in wanted}
        attrs: VehicleAttributes | None = results[0] if attributes else None
        return {"attributes": attrs, "signals": found}

    def snapshot(self, vehicles: Iterable[TargetLike], *, user_id: str | None = None,
                 signals: Sequence[str] | None = None, attributes: bool = True,
                 concurrency: int | None = None) -> AsyncIterator[FleetResult[dict[str, Any]]]:
        """API v3 attributes and signals of many vehicles, as they complete (see :meth:`read_v3`).

        ``vehicles``: v3 ``Connection`` objects, ``Target``s, ``(vehicle_id, user_id)`` pairs or ids
        (then ``user_id`` applies to all).
        """
        targets = (as_target(item, user_id) for item in vehicles)
        return fan_out(targets, lambda t: self.read_v3(t, signals, attributes), key=lambda t: t,
                       concurrency=concurrency or self.concurrency)

    # v2 --------------------------------------------------------------------------------------------------
    async def vehicle_ids(self, access_token: str) -> list[str]:
        """Every vehicle id an access token may use (``GET /vehicles``, all pages)."""
        ids: list[str] = []
        offset = 0
        while True:
            page = await self.execute(module.vehicles_call(access_token, {"limit": 50, "offset": offset}))
            ids.extend(page.vehicles)
            offset += 50
            if not page.vehicles or offset >= page.paging.count:
                return ids

    async def read_v2(self, vehicle: Vehicle, paths: Sequence[str] | None = None) -> Any:
        """One v2 request: a ``batch`` of ``paths`` (the batch namedtuple), or, with one path, that endpoint's
        tuple (``"/odometer"`` → ``Odometer``)."""
        paths = list(paths or V2_DEFAULT_PATHS)
        if len(paths) == 1:
            return await self.execute(vehicle.read_call(paths[0].lstrip("/")))
        return await self.execute(vehicle.batch_call(paths))

    def snapshot_v2(self, vehicle_ids: Iterable[str], access_token: str, *, paths: Sequence[str] | None = None,
                    options: Mapping[str, Any] | None = None,
                    concurrency: int | None = None) -> AsyncIterator[FleetResult[Any]]:
        """API v2: ``read_v2`` for many vehicles of one access token, as they complete. ``options`` as
        ``smartcar.Vehicle`` takes them (``unit_system``, ``version``, ``flags``)."""
        vehicles = (Vehicle(vid, access_token, dict(options) if options else None) for vid in vehicle_ids)
        return fan_out(vehicles, lambda v: self.read_v2(v, paths), key=lambda v: Target(v.vehicle_id),
                       concurrency=concurrency or self.concurrency)


# -- Sync wrappers ---------------------------------------------------------------------------------------------
_DONE = object()


def iter_sync(start: Callable[[Fleet], AsyncIterator[FleetResult[T]]], **fleet_options: Any) -> Iterator[FleetResult[T]]:
    """Iterate an async fleet read from plain code, results as they complete (an event loop runs in a thread).

    >>> for r in smartcar.fleet.iter_sync(lambda f: f.snapshot_v2(ids, token, paths=["/odometer"])):
    ...     print(r.vehicle_id, r.ok)
    """
    results: queue.Queue[Any] = queue.Queue(maxsize=256)
    stop = threading.Event()

    async def produce() -> None:
        async with Fleet(**fleet_options) as fleet:
            async for result in start(fleet):
                while not stop.is_set():
                    try:
                        results.put_nowait(result)
                        break
                    except queue.Full:
                        await asyncio.sleep(0.005)
                if stop.is_set():
                    return

    def run() -> None:
        try:
            asyncio.run(produce())
        except BaseException as error:  # noqa: BLE001 - handed to the consuming thread
            results.put(error)
        results.put(_DONE)

    thread = threading.Thread(target=run, name="smartcar-fleet", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=30)


def snapshot_sync(vehicles: Iterable[TargetLike], *, user_id: str | None = None,
                  signals: Sequence[str] | None = None, attributes: bool = True,
                  **fleet_options: Any) -> list[FleetResult[dict[str, Any]]]:
    """:meth:`Fleet.snapshot` for scripts: every result, in completion order."""
    items = list(vehicles)
    return list(iter_sync(lambda f: f.snapshot(items, user_id=user_id, signals=signals, attributes=attributes),
                          **fleet_options))


__all__ = ["DEFAULT_CONCURRENCY", "Fleet", "FleetResult", "Target", "as_target", "error_kind", "fan_out",
           "iter_sync", "snapshot_sync"]
