"""API v3 rules: application tokens scoped to a user by ``sc-user-id``, connections, users.

A v3 request carries either a user access token (the user comes from the token) or an application token
from ``POST /oauth2/token`` plus the ``sc-user-id`` header. Either way the user must own a connection to the
vehicle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .apps import ApplicationRepository
from .connections import Connection, ConnectionRepository
from .errors import ApiError
from .oauth import TokenService
from .signals import BY_CODE, SIGNALS, SignalReading, read
from .state import VehicleState
from .vehicles import MODES, Vehicle, VehicleRepository

# The checks every vehicle request runs once its connection is known (``Platform.check_use``).
UseCheck = Callable[[Vehicle, Connection, "str | None", bool], None]


@dataclass(frozen=True)
class Caller:
    """Who makes a v3 request: the application, and the user when one is known."""

    client_id: str
    user_id: str | None
    application_token: bool


def missing_user_header() -> ApiError:
    # Unconfirmed status: the OpenAPI marks sc-user-id required; 400 VALIDATION is the plausible answer.
    return ApiError("VALIDATION", detail=[{"field": "sc-user-id",
                                           "message": "The sc-user-id header is required with an application token."}])


class V3Service:
    def __init__(self, tokens: TokenService, connections: ConnectionRepository, vehicles: VehicleRepository,
                 check_use: UseCheck, state: Callable[[str], VehicleState], apps: ApplicationRepository) -> None:
        self.state = state  # what data endpoints read (the platform's dynamics)
        self.apps = apps
        self.tokens = tokens
        self._connections = connections
        self.vehicles = vehicles
        self.check_use = check_use

    def caller(self, token: str | None, user_header: str | None, need_user: bool = False) -> Caller:
        """Authenticate a v3 request; ``need_user`` makes ``sc-user-id`` mandatory for application tokens."""
        info = self.tokens.check(token, kinds=("access", "application")) if token else None
        if info is None:
            raise ApiError("AUTHENTICATION")
        if info.kind == "access":
            return Caller(info.client_id, info.user_id, application_token=False)
        user_id = (user_header or "").strip() or None
        if need_user and user_id is None:
            raise missing_user_header()
        return Caller(info.client_id, user_id, application_token=True)

    def application(self, token: str | None) -> str:
        """The client id behind an application token (connections and users endpoints)."""
        info = self.tokens.check(token, kinds=("application",)) if token else None
        if info is None:
            raise ApiError("AUTHENTICATION")
        return info.client_id

    def vehicle(self, caller: Caller, vehicle_id: str, permission: str | None = None,
                data: bool = False) -> tuple[Vehicle, Connection]:
        """The vehicle if the caller's user owns a connection to it (and the permission, if any)."""
        connections = self._connections.search(caller.client_id, caller.user_id, vehicle_id)
        vehicle = self.vehicles.get(vehicle_id) if connections else None
        if vehicle is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "vehicleId",
                                                                 "message": "No connected vehicle with this id."}])
        connection = connections[0]
        self.check_use(vehicle, connection, permission, data)
        return vehicle, connection

    def signals(self, caller: Caller, vehicle_id: str,
                code: str | None = None) -> tuple[Vehicle, list[SignalReading]]:
        """Every catalogue signal (or the one ``code``), each with its body or its per-signal error."""
        spec = BY_CODE.get(code.lower()) if code is not None else None
        if code is not None and spec is None:
            self.vehicle(caller, vehicle_id)
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "signalCode",
                                                                 "message": "Unknown signal code."}])
        vehicle, connection = self.vehicle(caller, vehicle_id, data=True)
        settings = self.apps.settings(connection.client_id)  # a permission the app no longer allows: PERMISSION
        granted = [p for p in connection.scopes if settings.allows_permission(p)]
        return vehicle, read(vehicle, self.state(vehicle_id), granted, [spec] if spec else SIGNALS)

    def connections(self, client_id: str, user_id: str | None, vehicle_id: str | None,
                    mode: str | None) -> list[Connection]:
        if mode and mode not in MODES:
            raise ApiError("VALIDATION", "PARAMETER",
                           detail=[{"field": "filter[mode]", "message": "Must be one of: live, simulated, test."}])
        return self._connections.search(client_id, user_id, vehicle_id, (mode,) if mode else None)

    def connection(self, client_id: str, connection_id: str) -> Connection:
        found = self._connections.get(connection_id)
        if found is None or found.client_id != client_id:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "connectionId",
                                                                 "message": "No connection with this id."}])
        return found

    def delete_connection(self, client_id: str, connection_id: str) -> None:
        self._connections.delete([self.connection(client_id, connection_id).id])

    def delete_user(self, client_id: str, user_id: str) -> None:
        """Purge a user: every connection of theirs to this application, and their tokens."""
        found = self._connections.search(client_id, user_id)
        if not found and not self._connections.user_exists(user_id):
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "userId", "message": "No such user."}])
        self._connections.delete([c.id for c in found])
        self.tokens.revoke_user(client_id, user_id)
