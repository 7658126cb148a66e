"""The API v3 clients: one application token, Connections, users, vehicles, signals and commands.

``Client`` (sync, ``httpx2.Client``) and ``AsyncClient`` (asyncio, ``httpx2.AsyncClient``) run the same
``_operations`` (request building and parsing) through the same core (error mapping, retry policy); each
owns its connection pool, closed by ``close()``/``aclose()`` or by leaving its ``with``/``async with`` block.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any, TypeVar

import httpx2

from .. import _args, _core
from .._async_transport import AsyncTransport
from .._http import DEFAULT_TIMEOUT, check_http_client
from .._retry import RetryPolicy
from .._transport import SyncTransport
from ..exception import MissingCredentialsError, SmartcarException
from . import _operations as ops
from ._management import AsyncSubscriptions, AsyncWebhooks, Subscriptions, Webhooks
from ._tokens import ApplicationTokens, AsyncApplicationTokens
from .models import CommandExecution, Connection, Page, Signal, VehicleAttributes, every_item, every_item_async
from .resources import ChargeSchedule, ChargeScheduleExecution, CompatibleVehicle
from .signal_groups import group_signals
from .signal_models import VehicleSignals
from .signal_codes import SignalCode

T = TypeVar("T")

MISSING_CREDENTIALS = ("smartcar.Client needs a client_id and a client_secret: pass them, or set the "
                       "SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET environment variables.")

SIGNALS_PAGE_SIZE = 100


def _page_args(page: Any, page_size: Any, user_id: Any, vehicle_id: Any, mode: Any) -> None:
    _signal_page_args(page, page_size)
    _args.optional_text(user_id, "user_id")
    _args.optional_text(vehicle_id, "vehicle_id")
    _args.optional_text(mode, "mode")


def _signal_page_args(page: Any, page_size: Any) -> tuple[int, int | None]:
    return _args.integer(page, "page", 1) or 1, _args.integer(page_size, "page_size", 1, optional=True)


def _signal_code(code: Any) -> str:
    return _args.text(code.value if isinstance(code, SignalCode) else code, "code")


def _compatible_args(region: Any, make: Any) -> tuple[str | None, str | None]:
    return _args.optional_text(region, "region"), _args.optional_text(make, "make")


SCHEDULE_TYPES = ("daily", "weekly", "workweek")


def _schedule_attributes(schedule_type: Any, latitude: Any, longitude: Any, start_time: Any, stop_time: Any,
                         days: Any) -> dict[str, Any]:
    if schedule_type not in SCHEDULE_TYPES:
        raise ValueError(f"schedule_type must be one of {', '.join(SCHEDULE_TYPES)}")
    attributes: dict[str, Any] = {
        "location": {"latitude": _args.number(latitude, "latitude"), "longitude": _args.number(longitude, "longitude")},
        "startTime": _args.text(start_time, "start_time"), "stopTime": _args.text(stop_time, "stop_time")}
    if days is not None:
        attributes["days"] = _args.str_list(days, "days")
    elif schedule_type == "weekly":
        raise ValueError("a weekly schedule needs days, e.g. ['MONDAY', 'THURSDAY']")
    return attributes


def _is_unauthorized(error: SmartcarException) -> bool:
    return getattr(error, "status_code", None) == 401


class _ClientSettings:
    """Credentials and retry policy shared by ``Client`` and ``AsyncClient``."""

    def __init__(self, client_id: str | None, client_secret: str | None, max_retries: int | None,
                 retry_budget: float | None, retry_policy: RetryPolicy | None) -> None:
        _args.optional_text(client_id or None, "client_id")
        _args.optional_text(client_secret or None, "client_secret")
        _args.integer(max_retries, "max_retries", 0, optional=True)
        if retry_budget is not None and _args.number(retry_budget, "retry_budget") < 0:
            raise ValueError("retry_budget must not be negative")
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise TypeError(f"retry_policy must be a smartcar.RetryPolicy, not {type(retry_policy).__name__}")
        self.client_id = client_id or os.environ.get("SMARTCAR_CLIENT_ID")
        self.client_secret = client_secret or os.environ.get("SMARTCAR_CLIENT_SECRET")
        if not self.client_id or not self.client_secret:
            raise MissingCredentialsError(MISSING_CREDENTIALS)
        self.retry_policy = (retry_policy or RetryPolicy()).with_changes(max_retries=max_retries,
                                                                         budget=retry_budget)

    def _token_spec(self) -> _core.RequestSpec:
        assert self.client_id and self.client_secret
        return ops.token_request(self.client_id, self.client_secret)


class Client(_ClientSettings):
    """API v3 with an application token from OAuth client credentials.

    The token is fetched on first use, cached, renewed a minute before it expires, and fetched once even
    when many threads need it at the same moment; a 401 renews it once and retries the call once.
    Reads and token requests are retried on 429/5xx/connection errors (``max_retries``, default 2, within
    ``retry_budget`` seconds, default 60; ``max_retries=0`` turns retries off); commands only when they never
    reached the server. ``http_client``: your own ``httpx2.Client`` (not closed by ``close()``; anything else,
    e.g. a legacy ``httpx.Client`` or a ``requests.Session``, raises ``TypeError``).

    >>> with smartcar.Client() as client:              # SMARTCAR_CLIENT_ID / SMARTCAR_CLIENT_SECRET
    ...     for connection in client.connections.list(user_id=user_id):
    ...         vehicle = client.vehicle(connection.vehicle_id, user_id=user_id)
    ...         print(vehicle.attributes().make, vehicle.signal("odometer-traveleddistance").value)
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None, *,
                 max_retries: int | None = None, retry_budget: float | None = None,
                 retry_policy: RetryPolicy | None = None, timeout: float | None = None,
                 http_client: httpx2.Client | None = None) -> None:
        check_http_client(http_client, "smartcar.Client(http_client=...)", (httpx2.Client,))
        super().__init__(client_id, client_secret, max_retries, retry_budget, retry_policy)
        if timeout is not None and _args.number(timeout, "timeout") <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self._transport = SyncTransport(DEFAULT_TIMEOUT if timeout is None else timeout, http_client)
        self._owns_http = http_client is None
        self._tokens = ApplicationTokens(self._fetch_token)
        self.connections = Connections(self)
        self.users = Users(self)
        self.webhooks = Webhooks(self)  # Management API v3
        self.subscriptions = Subscriptions(self)

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        return _core.perform(self._transport, method, url, **kwargs)

    def _send(self, spec: _core.RequestSpec) -> Any:
        return _core.send(spec, self.retry_policy, self._request)

    def _fetch_token(self) -> tuple[str, float]:
        return _core.parsed(ops.parse_token, self._send(self._token_spec()))

    def application_token(self) -> str:
        """The current application token (fetched or renewed as needed)."""
        return self._tokens.get()

    def run(self, operation: ops.Operation[T]) -> T:
        """Send an operation with the application token; on 401 renew the token and retry once."""
        token = self._tokens.get()
        try:
            response = self._send(operation.spec(token))
        except SmartcarException as error:
            if not _is_unauthorized(error):
                raise
            self._tokens.invalidate(token)
            response = self._send(operation.spec(self._tokens.get()))
        return _core.parsed(operation.parse, response)

    def vehicle(self, vehicle_id: str, user_id: str | None) -> Vehicle:
        """A vehicle as seen by one user (``sc-user-id``)."""
        return Vehicle(self, vehicle_id, user_id)

    def compatible_vehicles(self, region: str | None = None, make: str | None = None) -> list[CompatibleVehicle]:
        """Supported models with their signals and commands (v3 compatibility API), by ``region`` (``US``, ``CA``,
        ``EUROPE``) and ``make``; cache the answer (the platform recomputes it daily)."""
        return self.run(ops.compatible_vehicles(*_compatible_args(region, make)))

    def close(self) -> None:
        """Close the client's connections (a ``http_client`` you passed in is left open)."""
        if self._owns_http:
            self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncClient(_ClientSettings):
    """``Client`` for asyncio: the same constructor (``http_client`` is an ``httpx2.AsyncClient``), the same
    resources and methods (awaited; ``connections.list`` is an async iterator) and the same results.

    >>> async with smartcar.AsyncClient() as client:
    ...     async for connection in client.connections.list(user_id=user_id):
    ...         vehicle = client.vehicle(connection.vehicle_id, user_id=user_id)
    ...         print((await vehicle.signal(SignalCode.ODOMETER)).value)
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None, *,
                 max_retries: int | None = None, retry_budget: float | None = None,
                 retry_policy: RetryPolicy | None = None, timeout: float | None = None,
                 http_client: httpx2.AsyncClient | None = None) -> None:
        check_http_client(http_client, "smartcar.AsyncClient(http_client=...)", (httpx2.AsyncClient,))
        super().__init__(client_id, client_secret, max_retries, retry_budget, retry_policy)
        if timeout is not None and _args.number(timeout, "timeout") <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self._transport = AsyncTransport(DEFAULT_TIMEOUT if timeout is None else timeout, http_client)
        self._owns_http = http_client is None
        self._tokens = AsyncApplicationTokens(self._fetch_token)
        self.connections = AsyncConnections(self)
        self.users = AsyncUsers(self)
        self.webhooks = AsyncWebhooks(self)  # Management API v3
        self.subscriptions = AsyncSubscriptions(self)

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        return await _core.aperform(self._transport, method, url, **kwargs)

    async def _send(self, spec: _core.RequestSpec) -> Any:
        return await _core.asend(spec, self.retry_policy, self._request)

    async def _fetch_token(self) -> tuple[str, float]:
        return _core.parsed(ops.parse_token, await self._send(self._token_spec()))

    async def application_token(self) -> str:
        """The current application token (fetched or renewed as needed)."""
        return await self._tokens.get()

    async def run(self, operation: ops.Operation[T]) -> T:
        """Send an operation with the application token; on 401 renew the token and retry once."""
        token = await self._tokens.get()
        try:
            response = await self._send(operation.spec(token))
        except SmartcarException as error:
            if not _is_unauthorized(error):
                raise
            self._tokens.invalidate(token)
            response = await self._send(operation.spec(await self._tokens.get()))
        return _core.parsed(operation.parse, response)

    def vehicle(self, vehicle_id: str, user_id: str | None) -> AsyncVehicle:
        """A vehicle as seen by one user (``sc-user-id``)."""
        return AsyncVehicle(self, vehicle_id, user_id)

    async def compatible_vehicles(self, region: str | None = None,
                                  make: str | None = None) -> list[CompatibleVehicle]:
        """Supported models with their signals and commands (see :meth:`Client.compatible_vehicles`)."""
        return await self.run(ops.compatible_vehicles(*_compatible_args(region, make)))

    async def aclose(self) -> None:
        """Close the client's connections (a ``http_client`` you passed in is left open)."""
        if self._owns_http:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


class Connections:
    """``/v3/connections``: which users connected which vehicles to the application."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def page(self, page: int = 1, page_size: int | None = None, *, user_id: str | None = None,
             vehicle_id: str | None = None, mode: str | None = None) -> Page[Connection]:
        """One page of connections, optionally filtered by user, vehicle or mode (``live``, ``simulated``)."""
        _page_args(page, page_size, user_id, vehicle_id, mode)
        return self._client.run(ops.list_connections(user_id, vehicle_id, mode, page, page_size))

    def list(self, user_id: str | None = None, vehicle_id: str | None = None, mode: str | None = None,
             page_size: int | None = None) -> Iterator[Connection]:
        """Every matching connection, fetching pages as the iteration goes."""
        return every_item(lambda number: self.page(number, page_size, user_id=user_id, vehicle_id=vehicle_id,
                                                   mode=mode))

    def get(self, connection_id: str) -> Connection:
        return self._client.run(ops.get_connection(_args.text(connection_id, "connection_id")))

    def delete(self, connection_id: str) -> None:
        self._client.run(ops.delete_connection(_args.text(connection_id, "connection_id")))


class Users:
    """``/v3/users``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def delete(self, user_id: str) -> None:
        """Delete a user: all their connections and data are purged."""
        self._client.run(ops.delete_user(_args.text(user_id, "user_id")))


class Vehicle:
    """One vehicle through API v3, scoped to a user."""

    def __init__(self, client: Client, vehicle_id: str, user_id: str | None) -> None:
        self._client = client
        self.vehicle_id = _args.text(vehicle_id, "vehicle_id")
        self.user_id = _args.optional_header_text(user_id, "user_id")

    def attributes(self) -> VehicleAttributes:
        """Make, model, year, powertrain type and mode."""
        return self._client.run(ops.get_vehicle(self.vehicle_id, self.user_id))

    def signals_page(self, page: int = 1, page_size: int | None = None) -> Page[Signal]:
        return self._client.run(ops.list_signals(self.vehicle_id, self.user_id, *_signal_page_args(page, page_size)))

    def signals(self) -> list[Signal]:
        """Every signal of the vehicle (all pages). A signal the vehicle cannot serve or the grant does not cover
        is listed with ``ok`` False and its ``error``: one failed signal never makes the read raise."""
        return list(every_item(lambda number: self.signals_page(number, SIGNALS_PAGE_SIZE)))

    def signal_groups(self) -> VehicleSignals:
        """Every signal, typed by group: ``vehicle.signal_groups().charge.is_charging.body.value``."""
        return group_signals(self.signals())

    def signal(self, code: str | SignalCode) -> Signal:
        """One signal by code, e.g. ``SignalCode.ODOMETER`` or ``"odometer-traveleddistance"``."""
        return self._client.run(ops.get_signal(self.vehicle_id, self.user_id, _signal_code(code)))

    def _command(self, name: str, attributes: dict[str, Any] | None = None) -> CommandExecution:
        return self._client.run(ops.command(self.vehicle_id, self.user_id, name, attributes))

    def lock(self) -> CommandExecution:
        return self._command("security/lock")

    def unlock(self) -> CommandExecution:
        return self._command("security/unlock")

    def start_charge(self) -> CommandExecution:
        return self._command("charge/start")

    def stop_charge(self) -> CommandExecution:
        return self._command("charge/stop")

    def set_charge_limit(self, percent: float) -> CommandExecution:
        """Set the charge limit in percent (50–100)."""
        return self._command("charge/set-limit", {"percent": _args.number(percent, "percent")})

    def send_destination(self, latitude: float, longitude: float) -> CommandExecution:
        return self._command("navigation/set-destination", {"latitude": _args.number(latitude, "latitude"),
                                                                   "longitude": _args.number(longitude, "longitude")})

    def command_execution(self, execution_id: str) -> CommandExecution:
        """A command execution by id: a ``PENDING`` one (HTTP 202) reads ``SUCCESS`` or ``FAILED`` once done."""
        return self._client.run(ops.command_execution(self.vehicle_id, self.user_id,
                                                      _args.text(execution_id, "execution_id")))

    def create_charge_schedule(self, schedule_type: str, latitude: float, longitude: float, start_time: str,
                               stop_time: str, days: list[str] | None = None) -> ChargeScheduleExecution:
        """Create a ``daily``, ``weekly`` (``days`` required) or ``workweek`` charge schedule at a location;
        times ``HH:mm``. The schedule shows in the ``charge-chargetimers`` signal."""
        attributes = _schedule_attributes(schedule_type, latitude, longitude, start_time, stop_time, days)
        return self._client.run(ops.create_charge_schedule(self.vehicle_id, self.user_id, schedule_type, attributes))

    def charge_schedule(self, schedule_id: str) -> ChargeSchedule:
        return self._client.run(ops.get_charge_schedule(self.vehicle_id, self.user_id,
                                                         _args.text(schedule_id, "schedule_id")))

    def delete_charge_schedule(self, schedule_id: str) -> ChargeScheduleExecution:
        return self._client.run(ops.delete_charge_schedule(self.vehicle_id, self.user_id,
                                                            _args.text(schedule_id, "schedule_id")))

    def charge_schedule_execution(self, execution_id: str) -> ChargeScheduleExecution:
        return self._client.run(ops.charge_schedule_execution(self.vehicle_id, self.user_id,
                                                              _args.text(execution_id, "execution_id")))


class AsyncConnections:
    """``/v3/connections`` for ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def page(self, page: int = 1, page_size: int | None = None, *, user_id: str | None = None,
                   vehicle_id: str | None = None, mode: str | None = None) -> Page[Connection]:
        """One page of connections, optionally filtered by user, vehicle or mode (``live``, ``simulated``)."""
        _page_args(page, page_size, user_id, vehicle_id, mode)
        return await self._client.run(ops.list_connections(user_id, vehicle_id, mode, page, page_size))

    async def list(self, user_id: str | None = None, vehicle_id: str | None = None, mode: str | None = None,
                   page_size: int | None = None) -> AsyncIterator[Connection]:
        """Every matching connection (``async for``), fetching pages as the iteration goes."""
        async for item in every_item_async(lambda number: self.page(number, page_size, user_id=user_id,
                                                                    vehicle_id=vehicle_id, mode=mode)):
            yield item

    async def get(self, connection_id: str) -> Connection:
        return await self._client.run(ops.get_connection(_args.text(connection_id, "connection_id")))

    async def delete(self, connection_id: str) -> None:
        await self._client.run(ops.delete_connection(_args.text(connection_id, "connection_id")))


class AsyncUsers:
    """``/v3/users`` for ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def delete(self, user_id: str) -> None:
        """Delete a user: all their connections and data are purged."""
        await self._client.run(ops.delete_user(_args.text(user_id, "user_id")))


class AsyncVehicle:
    """One vehicle through API v3, scoped to a user (``AsyncClient``)."""

    def __init__(self, client: AsyncClient, vehicle_id: str, user_id: str | None) -> None:
        self._client = client
        self.vehicle_id = _args.text(vehicle_id, "vehicle_id")
        self.user_id = _args.optional_header_text(user_id, "user_id")

    async def attributes(self) -> VehicleAttributes:
        """Make, model, year, powertrain type and mode."""
        return await self._client.run(ops.get_vehicle(self.vehicle_id, self.user_id))

    async def signals_page(self, page: int = 1, page_size: int | None = None) -> Page[Signal]:
        return await self._client.run(ops.list_signals(self.vehicle_id, self.user_id, *_signal_page_args(page, page_size)))

    async def signals(self) -> list[Signal]:
        """Every signal of the vehicle (all pages); failed signals carry their ``error`` and never raise."""
        return [signal async for signal in every_item_async(
            lambda number: self.signals_page(number, SIGNALS_PAGE_SIZE))]

    async def signal_groups(self) -> VehicleSignals:
        """Every signal, typed by group (see :meth:`Vehicle.signal_groups`)."""
        return group_signals(await self.signals())

    async def signal(self, code: str | SignalCode) -> Signal:
        """One signal by code, e.g. ``SignalCode.ODOMETER`` or ``"odometer-traveleddistance"``."""
        return await self._client.run(ops.get_signal(self.vehicle_id, self.user_id, _signal_code(code)))

    async def _command(self, name: str, attributes: dict[str, Any] | None = None) -> CommandExecution:
        return await self._client.run(ops.command(self.vehicle_id, self.user_id, name, attributes))

    async def lock(self) -> CommandExecution:
        return await self._command("security/lock")

    async def unlock(self) -> CommandExecution:
        return await self._command("security/unlock")

    async def start_charge(self) -> CommandExecution:
        return await self._command("charge/start")

    async def stop_charge(self) -> CommandExecution:
        return await self._command("charge/stop")

    async def set_charge_limit(self, percent: float) -> CommandExecution:
        """Set the charge limit in percent (50–100)."""
        return await self._command("charge/set-limit", {"percent": _args.number(percent, "percent")})

    async def send_destination(self, latitude: float, longitude: float) -> CommandExecution:
        return await self._command("navigation/set-destination", {"latitude": _args.number(latitude, "latitude"),
                                                                   "longitude": _args.number(longitude, "longitude")})

    async def command_execution(self, execution_id: str) -> CommandExecution:
        """A command execution by id: a ``PENDING`` one (HTTP 202) reads ``SUCCESS`` or ``FAILED`` once done."""
        return await self._client.run(ops.command_execution(self.vehicle_id, self.user_id,
                                                      _args.text(execution_id, "execution_id")))

    async def create_charge_schedule(self, schedule_type: str, latitude: float, longitude: float, start_time: str,
                               stop_time: str, days: list[str] | None = None) -> ChargeScheduleExecution:
        """Create a ``daily``, ``weekly`` (``days`` required) or ``workweek`` charge schedule at a location;
        times ``HH:mm``. The schedule shows in the ``charge-chargetimers`` signal."""
        attributes = _schedule_attributes(schedule_type, latitude, longitude, start_time, stop_time, days)
        return await self._client.run(ops.create_charge_schedule(self.vehicle_id, self.user_id, schedule_type, attributes))

    async def charge_schedule(self, schedule_id: str) -> ChargeSchedule:
        return await self._client.run(ops.get_charge_schedule(self.vehicle_id, self.user_id,
                                                         _args.text(schedule_id, "schedule_id")))

    async def delete_charge_schedule(self, schedule_id: str) -> ChargeScheduleExecution:
        return await self._client.run(ops.delete_charge_schedule(self.vehicle_id, self.user_id,
                                                            _args.text(schedule_id, "schedule_id")))

    async def charge_schedule_execution(self, execution_id: str) -> ChargeScheduleExecution:
        return await self._client.run(ops.charge_schedule_execution(self.vehicle_id, self.user_id,
                                                              _args.text(execution_id, "execution_id")))
