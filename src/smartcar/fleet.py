"""Fleet fan-out: read many vehicles concurrently, results as they complete, one failure never stops the rest.

Async-first. Every request is built and parsed by the SDK's shared pure builders (``_core``,
``v3._operations``, ``Vehicle``'s specs and parsers); only sending differs, over one pooled
``httpx.AsyncClient``.

>>> async with smartcar.fleet.Fleet() as fleet:           # SMARTCAR_CLIENT_ID / SMARTCAR_CLIENT_SECRET
...     async for result in fleet.snapshot(fleet.connections()):
...         print(result.vehicle_id, result.error or result.value["signals"])

``fan_out(items, fetch)`` is the generic part: any ``async fetch(item)`` run over many items with bounded
concurrency. ``snapshot_sync`` / ``iter_sync`` serve plain scripts.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from . import _core, _transport
from .exception import MissingCredentialsError, SmartcarException, sdk_error
from .v3 import _operations as ops
from .v3.client import MISSING_CREDENTIALS
from .v3.models import Connection, Signal, VehicleAttributes
from .vehicle import Vehicle, _parse_batch

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


# -- Sending ---------------------------------------------------------------------------------------------------
class _AsyncSender:
    """What ``smartcar.helpers.requester`` does, over an ``httpx.AsyncClient``: our User-Agent, error
    statuses mapped by ``_core.error_for``, any other failure a chained ``SDK_ERROR``."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, spec: _core.RequestSpec) -> httpx.Response:
        try:
            response = await self.http.request(
                spec.method, spec.url, headers=_core.prepare_headers(spec.headers),
                params=_transport._drop_none(spec.params), json=spec.json, data=_transport._drop_none(spec.data),
                auth=spec.auth)
        except Exception as exc:
            raise sdk_error() from exc
        if response.status_code >= 400:
            raise _core.error_for(response.status_code, response.headers, response.text)
        return response

    async def execute(self, call: _core.Call[T]) -> T:
        return call.parse(await self.send(call.spec))


class _AsyncAppTokens:
    """The v3 application token for async callers: one fetch at a time, cached until a minute before expiry."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> None:
        self._fetch = fetch
        self._lock = asyncio.Lock()
        self._current: tuple[str, float] | None = None

    async def get(self) -> str:
        loop = asyncio.get_running_loop()
        current = self._current
        if current is not None and loop.time() < current[1]:
            return current[0]
        async with self._lock:
            current = self._current
            if current is None or loop.time() >= current[1]:
                token, expires_in = await self._fetch()
                current = (token, loop.time() + max(0.0, expires_in - 60.0))
                self._current = current
            return current[0]

    def invalidate(self, token: str) -> None:
        if self._current is not None and self._current[0] == token:
            self._current = None


# -- The fleet reader ------------------------------------------------------------------------------------------
class Fleet:
    """Reads many vehicles at once: API v3 with client credentials (``snapshot``), or API v2 with a user
    access token (``snapshot_v2``). Use as ``async with Fleet(...) as fleet``.

    ``concurrency`` bounds requests in flight (and the connection pool).
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None, *,
                 concurrency: int = DEFAULT_CONCURRENCY, timeout: float = DEFAULT_TIMEOUT,
                 http_client: httpx.AsyncClient | None = None) -> None:
        self.client_id = client_id or os.environ.get("SMARTCAR_CLIENT_ID")
        self.client_secret = client_secret or os.environ.get("SMARTCAR_CLIENT_SECRET")
        self.concurrency = concurrency
        self._own_http = http_client is None
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._http = http_client or httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)
        self._sender = _AsyncSender(self._http)
        self._tokens = _AsyncAppTokens(self._fetch_token)

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # v3 --------------------------------------------------------------------------------------------------
    async def _fetch_token(self) -> tuple[str, float]:
        if not self.client_id or not self.client_secret:
            raise MissingCredentialsError(MISSING_CREDENTIALS)
        return ops.parse_token(await self._sender.send(ops.token_request(self.client_id, self.client_secret)))

    async def run(self, operation: ops.Operation[T]) -> T:
        """Send a v3 operation with the application token; a 401 renews the token and retries once."""
        token = await self._tokens.get()
        try:
            response = await self._sender.send(operation.spec(token))
        except SmartcarException as error:
            if getattr(error, "status_code", None) != 401:
                raise
            self._tokens.invalidate(token)
            response = await self._sender.send(operation.spec(await self._tokens.get()))
        return operation.parse(response)

    async def connections(self, user_id: str | None = None, mode: str | None = None) -> list[Connection]:
        """Every connection of the application (optionally one user's, or one mode's)."""
        found: list[Connection] = []
        number = 1
        while True:
            page = await self.run(ops.list_connections(user_id, None, mode, number, 100))
            found.extend(page.items)
            if not page.has_next:
                return found
            number += 1

    async def read_v3(self, target: Target, signals: Sequence[str] | None = None,
                      attributes: bool = True) -> dict[str, Any]:
        """One vehicle: ``{"attributes": VehicleAttributes | None, "signals": {code: Signal}}``.

        Signals come from the vehicle's signal list (one request per 100 signals); ``signals`` keeps only
        those codes (a code the user did not grant is absent; one the vehicle lacks has ``status`` ERROR).
        """
        wanted = {str(code) for code in signals} if signals is not None else None
        tasks: list[Awaitable[Any]] = []
        if attributes:
            tasks.append(self.run(ops.get_vehicle(target.vehicle_id, target.user_id)))
        if wanted is None or wanted:
            tasks.append(self._signals(target))
        results = await asyncio.gather(*tasks)
        found: dict[str, Signal] = results[-1] if (wanted is None or wanted) else {}
        if wanted is not None:
            found = {code: signal for code, signal in found.items() if code in wanted}
        attrs: VehicleAttributes | None = results[0] if attributes else None
        return {"attributes": attrs, "signals": found}

    async def _signals(self, target: Target) -> dict[str, Signal]:
        found: dict[str, Signal] = {}
        number = 1
        while True:
            page = await self.run(ops.list_signals(target.vehicle_id, target.user_id, number, 100))
            found.update((signal.code, signal) for signal in page.items)
            if not page.has_next:
                return found
            number += 1

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
        from . import smartcar as module

        ids: list[str] = []
        offset = 0
        while True:
            call = module.vehicles_call(access_token, {"limit": 50, "offset": offset})
            page = await self._sender.execute(call)
            ids.extend(page.vehicles)
            offset += 50
            if not page.vehicles or offset >= page.paging.count:
                return ids

    async def read_v2(self, vehicle: Vehicle, paths: Sequence[str] | None = None) -> Any:
        """One v2 request: a ``batch`` of ``paths`` (the batch namedtuple), or, with one path, that endpoint's
        tuple (``"/odometer"`` → ``Odometer``)."""
        paths = list(paths or V2_DEFAULT_PATHS)
        if len(paths) == 1:
            path = paths[0].lstrip("/")
            return await self._sender.execute(vehicle._call("GET", path, path))
        spec = _core.RequestSpec("POST", vehicle._format_url("batch"), vehicle._get_headers(),
                                 json={"requests": [{"path": p} for p in paths]})
        return await self._sender.execute(_core.Call(spec, _parse_batch))

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
