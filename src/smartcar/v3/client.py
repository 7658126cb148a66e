"""The API v3 client: one application token, Connections, users, vehicles, signals and commands."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, TypeVar

from .. import _core
from ..exception import MissingCredentialsError, SmartcarException
from . import _operations as ops
from ._tokens import ApplicationTokens
from .models import CommandExecution, Connection, Page, Signal, VehicleAttributes
from .signal_codes import SignalCode

T = TypeVar("T")

MISSING_CREDENTIALS = ("smartcar.Client needs a client_id and a client_secret: pass them, or set the "
                       "SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET environment variables.")


class Client:
    """API v3 with an application token from OAuth client credentials.

    The token is fetched on first use, cached, renewed a minute before it expires, and fetched once even
    when many threads need it at the same moment; a 401 renews it once and retries the call once.

    >>> client = smartcar.Client()                      # SMARTCAR_CLIENT_ID / SMARTCAR_CLIENT_SECRET
    >>> for connection in client.connections.list(user_id=user_id):
    ...     vehicle = client.vehicle(connection.vehicle_id, user_id=user_id)
    ...     print(vehicle.attributes().make, vehicle.signal("odometer-traveleddistance").value)
    """

    def __init__(self, client_id: str | None = None, client_secret: str | None = None) -> None:
        self.client_id = client_id or os.environ.get("SMARTCAR_CLIENT_ID")
        self.client_secret = client_secret or os.environ.get("SMARTCAR_CLIENT_SECRET")
        if not self.client_id or not self.client_secret:
            raise MissingCredentialsError(MISSING_CREDENTIALS)
        self._tokens = ApplicationTokens(self._fetch_token)
        self.connections = Connections(self)
        self.users = Users(self)

    def _fetch_token(self) -> tuple[str, float]:
        assert self.client_id and self.client_secret
        return ops.parse_token(_core.send(ops.token_request(self.client_id, self.client_secret)))

    def application_token(self) -> str:
        """The current application token (fetched or renewed as needed)."""
        return self._tokens.get()

    def run(self, operation: ops.Operation[T]) -> T:
        """Send an operation with the application token; on 401 renew the token and retry once."""
        token = self._tokens.get()
        try:
            response = _core.send(operation.spec(token))
        except SmartcarException as error:
            if getattr(error, "status_code", None) != 401:
                raise
            self._tokens.invalidate(token)
            response = _core.send(operation.spec(self._tokens.get()))
        return operation.parse(response)

    def vehicle(self, vehicle_id: str, user_id: str | None) -> Vehicle:
        """A vehicle as seen by one user (``sc-user-id``)."""
        return Vehicle(self, vehicle_id, user_id)


class Connections:
    """``/v3/connections``: which users connected which vehicles to the application."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def page(self, page: int = 1, page_size: int | None = None, *, user_id: str | None = None,
             vehicle_id: str | None = None, mode: str | None = None) -> Page[Connection]:
        """One page of connections, optionally filtered by user, vehicle or mode (``live``, ``simulated``)."""
        return self._client.run(ops.list_connections(user_id, vehicle_id, mode, page, page_size))

    def list(self, user_id: str | None = None, vehicle_id: str | None = None, mode: str | None = None,
             page_size: int | None = None) -> Iterator[Connection]:
        """Every matching connection, fetching pages as the iteration goes."""
        number = 1
        while True:
            result = self.page(number, page_size, user_id=user_id, vehicle_id=vehicle_id, mode=mode)
            yield from result.items
            if not result.has_next:
                return
            number += 1

    def get(self, connection_id: str) -> Connection:
        return self._client.run(ops.get_connection(connection_id))

    def delete(self, connection_id: str) -> None:
        self._client.run(ops.delete_connection(connection_id))


class Users:
    """``/v3/users``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def delete(self, user_id: str) -> None:
        """Delete a user: all their connections and data are purged."""
        self._client.run(ops.delete_user(user_id))


class Vehicle:
    """One vehicle through API v3, scoped to a user."""

    def __init__(self, client: Client, vehicle_id: str, user_id: str | None) -> None:
        self._client = client
        self.vehicle_id = vehicle_id
        self.user_id = user_id

    def attributes(self) -> VehicleAttributes:
        """Make, model, year, powertrain type and mode."""
        return self._client.run(ops.get_vehicle(self.vehicle_id, self.user_id))

    def signals_page(self, page: int = 1, page_size: int | None = None) -> Page[Signal]:
        return self._client.run(ops.list_signals(self.vehicle_id, self.user_id, page, page_size))

    def signals(self) -> list[Signal]:
        """Every signal the user granted (all pages)."""
        found: list[Signal] = []
        number = 1
        while True:
            page = self.signals_page(number, 100)
            found.extend(page.items)
            if not page.has_next:
                return found
            number += 1

    def signal(self, code: str | SignalCode) -> Signal:
        """One signal by code, e.g. ``SignalCode.ODOMETER`` or ``"odometer-traveleddistance"``."""
        return self._client.run(ops.get_signal(self.vehicle_id, self.user_id, str(code)))

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
        return self._command("charge/set-limit", {"percent": percent})

    def send_destination(self, latitude: float, longitude: float) -> CommandExecution:
        return self._command("navigation/set-destination", {"latitude": latitude, "longitude": longitude})
