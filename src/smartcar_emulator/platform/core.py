"""The platform façade: one object the HTTP layer calls, wiring the repositories together.

Every method takes and returns plain values and raises domain errors (:mod:`.errors`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..store import Database
from .accounts import AccountRepository
from .apps import Application, ApplicationRepository
from .catalog import MODELS, make_from_vin, models_of
from .compatible_vehicles import make_sold_in, region_of_country
from .commands import CommandService
from .connect import ConnectService
from .connections import Connection, ConnectionRepository
from .dynamics import StoredState, VehicleDynamics
from .errors import ApiError, OAuthError
from .executions import ExecutionStore
from .faults import FaultService
from .oauth import OAuthPolicy, TokenInfo, TokenPair, TokenService
from .permissions import capable
from .plan import PlanLimits
from .ratelimit import RateLimiter
from .state import VehicleState
from .v3 import V3Service
from .vehicles import Vehicle, VehicleRepository
from .webhook_outbox import WebhookOutbox
from .webhook_registry import WebhookRegistry

_ID_SYNTAX = re.compile(r"^[A-Za-z0-9-]{8,64}$")

# VINs whose compatibility answers the official SDKs' end-to-end tests recorded from the platform (wire reference
# §5.8): the powertrain the answer follows, or None for "compatible, but capable of nothing".
KNOWN_COMPATIBILITY: dict[str, str | None] = {
    "0SCGMCT0386A85356": "BEV",  # the test VIN: odometer capable, fuel VEHICLE_NOT_CAPABLE
    "5YJXCDE22HF068739": "BEV",  # a Tesla Model X: odometer and location capable
    "WAUAFAFL1GN014882": None,  # an Audi: compatible, every capability false
}


@dataclass(frozen=True)
class VehicleAccess:
    """A checked request on one vehicle: who asks, through which connection."""

    vehicle: Vehicle
    connection: Connection


class Platform:
    """Applications, users, vehicles, grants and tokens, with the platform's rules."""

    def __init__(self, db: Database | None = None, clock: Clock | None = None, seed: int = 0,
                 oauth_policy: OAuthPolicy | None = None, dynamics: VehicleDynamics | None = None) -> None:
        self.db = db or Database(":memory:")
        self.clock = clock or Clock()
        self.seed = seed
        self.oauth_policy = oauth_policy or OAuthPolicy()
        self.apps = ApplicationRepository(self.db, self.clock)
        self.vehicles = VehicleRepository(self.db, self.clock)
        self.accounts = AccountRepository(self.db, self.clock, self.vehicles)
        self.connections = ConnectionRepository(self.db, self.clock)
        self.tokens = TokenService(self.db, self.clock, self.oauth_policy)
        self.connect = ConnectService(self.db, self.clock, self.apps, self.accounts, self.vehicles,
                                      self.connections, self.tokens)
        self.v3 = V3Service(self.tokens, self.connections, self.vehicles, self.check_use, self.state, self.apps)
        # GET /v3/vehicles/{id}: the bare JSON:API resource (decided in the wire reference, §8.2); True wraps it
        # in {"data": ...} as the docs show.
        self.v3_vehicle_wrapped = False
        self.faults = FaultService(self.clock, seed)
        self.rate_limits = RateLimiter(self.clock)  # off until configured (serve --rate-limit, control API)
        self.plan_limits = PlanLimits(self.clock)  # per-app monthly allowance per vehicle; off until configured
        self.webhooks = WebhookRegistry(self.db, self.clock)  # Management API v3 webhooks and subscriptions
        self.connections.on_grant.append(lambda c: self.webhooks.auto_subscribe(c.client_id, c.vehicle_id, c.user_id))
        self.commands = CommandService(ExecutionStore(self.db, self.clock), self)  # v3 commands, charge schedules
        # Webhook deliveries queued with the state changes that cause them; sent by delivery/ (issue 15).
        self.outbox = WebhookOutbox(self.db, self.clock, self.apps, self.webhooks, self.vehicles, self.connections,
                                    self.faults, self.current_state)
        # How state moves over time: the simulator, attached at assembly (``simulator.attach`` in app.py), which
        # also sets ``simulator`` (its control operations, for the control API and the panel).
        self.dynamics: VehicleDynamics = dynamics or StoredState(self.vehicles)
        self.simulator: Any = None
        self.allow_remote_control = False  # the control API answers loopback clients only
        self.control_hosts: set[str] = set()  # and these host names too (serve --host; http/guard.py)
        self.workers = 1  # processes serving this database (serve --workers N): per-process state is then refused

    def reset(self, keep_apps: bool = False) -> dict[str, int]:
        """Back to a fresh platform: every vehicle, account, user, grant, token and fault rule gone, the clock
        on real time. ``keep_apps`` keeps registered applications and their webhooks. Counts what went."""
        rows = self.db.clear(keep=("apps", "webhooks") if keep_apps else ())
        faults = self.faults.clear()
        self.rate_limits.reset()
        self.plan_limits.reset()
        self.commands.async_seconds = 0.0
        self.clock.reset()
        return {"rows": rows, "faults": faults}

    # OAuth -----------------------------------------------------------------------------------------
    def client(self, client_id: str | None, client_secret: str | None) -> Application:
        app = self.apps.authenticate(client_id, client_secret)
        if app is None:
            raise OAuthError("invalid_client", "Invalid client_id or client_secret.", status=401)
        return app

    def exchange_code(self, app: Application, code: str | None, redirect_uri: str | None,
                      code_verifier: str | None = None) -> TokenPair:
        if not code:
            raise OAuthError("invalid_request", "The code parameter is required.")
        return self.tokens.redeem_code(app.client_id, code, redirect_uri, code_verifier)

    def refresh(self, app: Application, refresh_token: str | None) -> TokenPair:
        if not refresh_token:
            raise OAuthError("invalid_request", "The refresh_token parameter is required.")
        return self.tokens.refresh(app.client_id, refresh_token)

    # Vehicle API access ----------------------------------------------------------------------------
    def user_token(self, token: str | None) -> TokenInfo:
        """A live user access token, or AUTHENTICATION."""
        info = self.tokens.check(token) if token else None
        if info is None or info.user_id is None:
            raise ApiError("AUTHENTICATION")
        return info

    def vehicle_ids(self, info: TokenInfo) -> list[str]:
        assert info.user_id is not None
        return [c.vehicle_id for c in self.connections.of_user(info.client_id, info.user_id)]

    def access(self, token: str | None, vehicle_id: str, permission: str | None = None,
               data: bool = False, count: bool = True) -> VehicleAccess:
        """Check that the token may use ``permission`` on the vehicle.

        ``data`` marks an endpoint that reads or commands the vehicle (not VIN, attributes or
        permissions): only those answer with a test vehicle's forced error. ``count=False``: the request does
        not count against rate limits (a batch envelope, whose items each count).
        """
        info = self.user_token(token)
        if not _ID_SYNTAX.match(vehicle_id):
            raise ApiError("VALIDATION", detail=[{"field": "vehicle_id", "message": "Invalid vehicle id."}])
        assert info.user_id is not None
        connection = self.connections.find(info.client_id, info.user_id, vehicle_id)
        vehicle = self.vehicles.get(vehicle_id) if connection else None
        if connection is None or vehicle is None:
            raise ApiError("PERMISSION")
        self.check_use(vehicle, connection, permission, data, count)
        return VehicleAccess(vehicle, connection)

    def check_use(self, vehicle: Vehicle, connection: Connection, permission: str | None, data: bool,
                  count: bool = True) -> None:
        """The checks of every vehicle request (any API version) once its connection is known: the granted
        scope, the vehicle's capability, a test vehicle's forced error, injected faults. Each one counts against
        the application's and the vehicle's rate limits first (batch items each count, as on the platform)."""
        if count:
            self.rate_limits.take(connection.client_id, vehicle.id)
            self.plan_limits.take(connection.client_id, vehicle.id)
        if permission and permission not in connection.scopes:
            raise ApiError("PERMISSION")
        settings = self.apps.settings(connection.client_id)  # the Dashboard's, which may have changed since
        if permission and not settings.allows_permission(permission):
            raise ApiError("PERMISSION")
        if not settings.allows_make(vehicle.make):
            raise ApiError("COMPATIBILITY", "MAKE_NOT_COMPATIBLE")
        if permission and not capable(permission, vehicle.powertrain, vehicle.level):
            raise ApiError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
        if data and vehicle.test_error:
            raise forced_error(vehicle.test_error)
        self.check_faults(vehicle.id, data)

    def check_per_process_change(self, what: str) -> None:
        """Refuse a change to state each worker process keeps for itself (the clock offset, fault rules, limits,
        command timing, the delivery policy) when ``serve --workers N`` runs several: it would reach one worker of
        N and the others would go on as before. A 409 saying what to do instead."""
        if self.workers > 1:
            raise ApiError("CONFLICT", None, status=409, description=(
                f"{what} is kept by each worker process, and this emulator runs {self.workers} (serve --workers "
                f"{self.workers}): the change would reach one of them. Serve with one worker (the default) to "
                f"change it."))

    def check_faults(self, vehicle_id: str, data: bool) -> None:
        """Raise the error an injected fault rule answers with (see :mod:`.faults`)."""
        error = self.faults.check(vehicle_id, data)
        if error is not None:
            raise error

    def state(self, vehicle_id: str) -> VehicleState:
        """What data endpoints read: advanced to now (pending command executions that came due applied first);
        sensors randomised for test-mode vehicles."""
        self.commands.settle(vehicle_id)
        return self.dynamics.reading(vehicle_id)

    def current_state(self, vehicle_id: str) -> VehicleState:
        """The state advanced to now, without completing pending executions (commands' own reads)."""
        return self.dynamics.reading(vehicle_id)

    def update_state(self, vehicle_id: str, change: Callable[[VehicleState], None]) -> VehicleState:
        """Advance to now and apply ``change`` (through the simulator when attached)."""
        return self.dynamics.update(vehicle_id, change)

    def disconnect(self, grant: VehicleAccess) -> None:
        self.connections.delete([grant.connection.id])

    # Commands --------------------------------------------------------------------------------------
    # Smartcar's test mode answers every documented command with success; its state-dependent errors
    # (IN_MOTION, DOOR_OPEN, CHARGING_PLUG_NOT_CONNECTED, NOT_CHARGING, ...) come only from the special test
    # logins (``vehicle.test_error``) and fault rules, checked before a command runs. Simulated and live
    # vehicles apply the preconditions a real car would. A test vehicle the control API set driving is the one
    # exception: IN_MOTION stays, since only an explicit trip puts it in motion.
    def set_lock(self, vehicle_id: str, locked: bool) -> VehicleState:
        vehicle = self.vehicles.get(vehicle_id)
        test_mode = vehicle is not None and vehicle.mode == "test"

        def change(state: VehicleState) -> None:
            if state.speed_kph > 0:
                raise ApiError("VEHICLE_STATE", "IN_MOTION")
            if locked and test_mode:  # the test vehicle closes what was open, then locks
                state.doors = {door: "CLOSED" if status == "OPEN" else status for door, status in state.doors.items()}
                state.storage = {key: "CLOSED" if status == "OPEN" else status for key, status in state.storage.items()}
            if locked and "OPEN" in state.doors.values():
                raise ApiError("VEHICLE_STATE", "DOOR_OPEN")
            if locked and state.storage.get("rear") == "OPEN":
                raise ApiError("VEHICLE_STATE", "TRUNK_OPEN")
            if locked and state.storage.get("front") == "OPEN":  # the hood, or a BEV's front trunk
                raise ApiError("VEHICLE_STATE", "TRUNK_OPEN" if vehicle and vehicle.powertrain == "BEV"
                               else "HOOD_OPEN")
            state.locked = locked

        return self.dynamics.update(vehicle_id, change)

    def set_charging(self, vehicle_id: str, start: bool) -> VehicleState:
        vehicle = self.vehicles.get(vehicle_id)
        test_mode = vehicle is not None and vehicle.mode == "test"

        def change(state: VehicleState) -> None:
            full = state.battery_soc is not None and state.battery_soc >= state.charge_limit - 1e-9
            if test_mode:  # success, and the vehicle reports what a real one would after the command
                if start:
                    if state.speed_kph > 0:
                        raise ApiError("VEHICLE_STATE", "IN_MOTION")
                    state.plugged_in = True
                    state.charging_port = "CLOSED"
                    state.charging = not full  # at its limit it reports FULLY_CHARGED
                else:
                    state.charging = False
                return
            if start:
                if state.speed_kph > 0:
                    raise ApiError("VEHICLE_STATE", "IN_MOTION")
                if not state.plugged_in:
                    raise ApiError("VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")
                if state.charging:
                    raise ApiError("VEHICLE_STATE", "CHARGING_IN_PROGRESS")
                if full:
                    raise ApiError("VEHICLE_STATE", "FULLY_CHARGED")
            elif not state.charging:
                raise ApiError("VEHICLE_STATE", "NOT_CHARGING")
            state.charging = start

        return self.dynamics.update(vehicle_id, change)

    def set_charge_limit(self, vehicle_id: str, limit: float) -> VehicleState:
        def change(state: VehicleState) -> None:
            state.charge_limit = round(limit, 4)
            if state.charging and state.battery_soc is not None and state.battery_soc >= limit:
                state.charging = False

        return self.dynamics.update(vehicle_id, change)

    def send_destination(self, vehicle_id: str, latitude: float, longitude: float) -> VehicleState:
        def change(state: VehicleState) -> None:
            state.destination = {"latitude": latitude, "longitude": longitude}

        return self.dynamics.update(vehicle_id, change)

    # Webhooks --------------------------------------------------------------------------------------
    def subscribe(self, grant: VehicleAccess, webhook_id: str) -> None:
        if self.apps.webhook_owner(webhook_id) != grant.connection.client_id:
            raise ApiError("VALIDATION", detail=[{"field": "webhookId", "message": "Unknown webhook id."}])
        self.webhooks.subscribe(webhook_id, grant.vehicle.id, grant.connection.user_id)

    def unsubscribe(self, amt: str | None, vehicle_id: str, webhook_id: str) -> None:
        app = self.apps.by_amt(amt)
        if app is None:
            raise ApiError("AUTHENTICATION")
        if self.apps.webhook_owner(webhook_id) != app.client_id:
            raise ApiError("VALIDATION", detail=[{"field": "webhookId", "message": "Unknown webhook id."}])
        self.apps.unsubscribe(webhook_id, vehicle_id)

    # Management ------------------------------------------------------------------------------------
    def management_app(self, username: str | None, amt: str | None) -> Application:
        app = self.apps.by_amt(amt) if username == "default" else None
        if app is None:
            raise ApiError("AUTHENTICATION")
        return app

    def compatibility(self, vin: str, scopes: list[str],
                      country: str = "US") -> tuple[bool, str | None, list[tuple[str, bool]]]:
        """Whether a VIN's make is supported in the country's market (a checked ISO 3166-1 alpha-2 code), and per
        permission whether the vehicle is capable."""
        make = make_from_vin(vin) or ("AUDI" if vin.upper().startswith("0SC") else None)
        if make is not None and not make_sold_in(make, region_of_country(country)):
            return False, "MAKE_NOT_COMPATIBLE", []  # "…not yet compatible with this vehicle's make in the country"
        if vin.upper() in KNOWN_COMPATIBILITY:
            powertrain = KNOWN_COMPATIBILITY[vin.upper()]
            return True, None, [(s, powertrain is not None and capable(s, powertrain)) for s in scopes]
        if make is None:
            return False, "MAKE_NOT_COMPATIBLE", []
        models = models_of(make) or list(MODELS)
        powertrain = models[0].powertrain
        return True, None, [(s, capable(s, powertrain)) for s in scopes]


def forced_error(test_error: str) -> ApiError:
    """The error a test vehicle was created to answer with (``TYPE.CODE`` or ``TYPE.CODE|v1 error|code|message``)."""
    v2, _, v1 = test_error.partition("|")
    type_, _, code = v2.partition(".")
    if not v1:
        return ApiError(type_, code or None)
    _v1_type, v1_code, message = v1.split("|", 2)
    return ApiError(type_, code or None, v1_code=v1_code, v1_description=message)
