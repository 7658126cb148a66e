"""The Connect flow: preamble, brand, login, grant, and the redirect back to the application.

Each browser visit is a *session* stored in the database, so the pages need no JavaScript and a restart
does not lose a half-finished flow. Problems found before the redirect URI is trusted raise
:class:`ConnectPageError` (an error page); later ones become an ``error=...`` redirect.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ..clock import Clock
from ..store import Database
from .accounts import AccountRepository
from .apps import AppSettings, ApplicationRepository
from .catalog import MAKES, make_from_vin, normalize_make
from .connections import ConnectionRepository
from .errors import ConnectPageError, ConnectRedirectError
from .ids import new_id
from .oauth import PKCE_METHODS, TokenService, valid_pkce_value
from .permissions import KNOWN, capable, parse_scope
from .testmode import SPECIAL_VINS, V1_VINS, VehicleSpec, resolve_test_login
from .vehicles import MODES, Vehicle, VehicleRepository, owner_key

SESSION_TTL = 60 * 60

# Used when an authorize URL carries no scope (newer Connect takes the dashboard's configuration; the
# emulator's applications have none, so it asks for the common read permissions).
DEFAULT_SCOPE = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery",
                 "read_charge", "read_fuel", "read_tires", "read_engine_oil", "read_security"]

STEPS = ("preamble", "brand", "login", "grant", "done")


@dataclass
class Session:
    id: str
    client_id: str
    params: dict[str, Any]
    step: str
    make: str | None = None
    owner: str | None = None
    vehicle_ids: list[str] = field(default_factory=list)
    created_at: float = 0.0

    @property
    def scopes(self) -> list[str]:
        return list(self.params["scopes"])

    @property
    def required(self) -> set[str]:
        return set(self.params["required"])

    @property
    def mode(self) -> str:
        return str(self.params["mode"])


@dataclass(frozen=True)
class Outcome:
    """Where the browser goes next: a page of the flow, or a redirect to the application."""

    step: str | None = None
    redirect: str | None = None


def add_query(uri: str, params: Mapping[str, str | None]) -> str:
    """``uri`` with ``params`` added to its query; ``None`` values are left out."""
    clean = {k: v for k, v in params.items() if v is not None}
    return uri + ("&" if "?" in uri else "?") + urlencode(clean)


class ConnectService:
    def __init__(self, db: Database, clock: Clock, apps: ApplicationRepository, accounts: AccountRepository,
                 vehicles: VehicleRepository, connections: ConnectionRepository, tokens: TokenService) -> None:
        self.db = db
        self.clock = clock
        self.apps = apps
        self.accounts = accounts
        self.vehicles = vehicles
        self.connections = connections
        self.tokens = tokens

    # Sessions --------------------------------------------------------------------------------------
    def _save(self, session: Session) -> None:
        self.db.execute(
            "INSERT INTO connect_sessions (id, client_id, params, step, make, owner, vehicle_ids, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET step = excluded.step,"
            " make = excluded.make, owner = excluded.owner, vehicle_ids = excluded.vehicle_ids",
            (session.id, session.client_id, json.dumps(session.params), session.step, session.make,
             session.owner, json.dumps(session.vehicle_ids), session.created_at),
        )

    def session(self, session_id: str) -> Session:
        row = self.db.one("SELECT * FROM connect_sessions WHERE id = ?", (session_id,))
        if row is None or row["created_at"] + SESSION_TTL <= self.clock.timestamp():
            raise ConnectPageError("Session expired",
                                   "This Connect session does not exist or has expired. "
                                   "Please start again from the application.",
                                   status=404)
        return Session(row["id"], row["client_id"], json.loads(row["params"]), row["step"], row["make"],
                       row["owner"], json.loads(row["vehicle_ids"] or "[]"), row["created_at"])

    def _require_step(self, session: Session, *steps: str) -> None:
        """Reaching a step by URL before its turn is a configuration error, as on the real Connect."""
        if session.step not in steps:
            raise ConnectRedirectError(
                "configuration_error", "There has been an error in the configuration of your application.",
                status_code="400", error_message="Connect pages must be visited in order. Please start again.")

    def error_redirect(self, session: Session, error: ConnectRedirectError) -> Outcome:
        session.step = "done"
        self._save(session)
        params = {"error": error.error, "error_description": error.description, **error.extras,
                  "state": session.params.get("state")}
        return Outcome(redirect=add_query(session.params["redirect_uri"], params))

    # Steps -----------------------------------------------------------------------------------------
    def start(self, query: dict[str, str]) -> tuple[Session, Outcome]:
        """Validate an authorize request and open a session (preamble page next)."""
        app = self.apps.get(query.get("client_id"))
        if app is None:
            raise ConnectPageError("Unknown application",
                                   "The client_id in this link does not belong to any registered application.")
        redirect_uri = query.get("redirect_uri") or (app.redirect_uris[0] if app.redirect_uris else "")
        if redirect_uri not in app.redirect_uris:
            raise ConnectPageError("Invalid redirect URI",
                                   "The redirect_uri in this link is not registered for this application.")
        scope = query.get("scope", "")
        settings = app.settings  # the Dashboard's: allowed permissions and makes, default scope
        default = list(settings.default_scope or [p for p in DEFAULT_SCOPE if settings.allows_permission(p)])
        scopes, required = parse_scope(scope) if scope.strip() else (default, set())
        params: dict[str, Any] = {
            "redirect_uri": redirect_uri, "scopes": scopes, "required": sorted(required),
            "state": query.get("state"), "mode": (query.get("mode") or "live").lower(),
            "approval_prompt": (query.get("approval_prompt") or "auto").lower(),
            "single_select": (query.get("single_select") or "").lower() == "true",
            "single_select_vin": (query.get("single_select_vin") or "").upper() or None,
            "user": query.get("user"), "flags": query.get("flags"),
            "response_type": query.get("response_type", ""),
            "redirect_uri_sent": bool(query.get("redirect_uri")),
            "code_challenge": query.get("code_challenge") or None,
            "code_challenge_method": query.get("code_challenge_method") or None,
        }
        session = Session(new_id(), app.client_id, params, "preamble", created_at=self.clock.timestamp())
        make = normalize_make(query["make"]) if query.get("make") else None
        vin = params["single_select_vin"]
        if vin:
            params["single_select"] = True
            make = make_from_vin(vin) or make or ("AUDI" if vin.startswith("0SC") else None)
        session.make = make
        self._save(session)
        problem = self._check_params(params, scopes) or _check_settings(settings, scopes, make)
        if problem is not None:
            return session, self.error_redirect(session, problem)
        return session, Outcome(step="preamble")

    @staticmethod
    def _check_params(params: dict[str, Any], scopes: list[str]) -> ConnectRedirectError | None:
        def config_error(message: str) -> ConnectRedirectError:
            return ConnectRedirectError("configuration_error",
                                        "There has been an error in the configuration of your application.",
                                        status_code="400", error_message=message)

        if params["response_type"] != "code":
            return config_error("The response_type parameter must be 'code'.")
        if params["mode"] not in MODES:
            return config_error("The mode parameter must be one of test, live or simulated.")
        unknown = [s for s in scopes if s not in KNOWN]
        if unknown:
            return config_error(f"Unknown permission(s): {', '.join(unknown)}.")
        challenge, method = params["code_challenge"], params["code_challenge_method"]
        if method is not None and challenge is None:
            return config_error("code_challenge_method was sent without a code_challenge (PKCE, RFC 7636).")
        if challenge is not None:
            if (method or "plain") not in PKCE_METHODS:
                return config_error("code_challenge_method must be S256 or plain (PKCE, RFC 7636).")
            if not valid_pkce_value(challenge):
                return config_error("code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, "
                                    "'-', '.', '_' and '~' (PKCE, RFC 7636).")
        vin = params["single_select_vin"]
        if vin:
            if len(vin) != 17:
                return config_error("The single_select_vin parameter must be a 17-character VIN.")
            if params["mode"] == "live" and vin.startswith(("0SC", "3SC")):
                return config_error("You have entered a test mode VIN. "
                                    "Please enter a VIN that belongs to a real vehicle.")
            if vin.startswith("3SC") and params["mode"] != "simulated":
                return config_error("You have entered a simulated VIN. Please use simulated mode for this VIN.")
        return None

    def brands(self, session: Session) -> list[tuple[str, str]]:
        """The brand selector's (key, display name) pairs: the makes the application allows, by name."""
        app = self.apps.get(session.client_id)
        return [(key, name) for key, name in sorted(MAKES.items(), key=lambda kv: kv[1])
                if app is None or app.settings.allows_make(key)]

    def proceed(self, session_id: str) -> Outcome:
        """Leave the preamble: to the brand selector, or straight to login when the make is known."""
        session = self.session(session_id)
        try:
            self._require_step(session, "preamble", "brand", "login")
        except ConnectRedirectError as error:
            return self.error_redirect(session, error)
        session.step = "login" if session.make else "brand"
        self._save(session)
        return Outcome(step=session.step)

    def choose_brand(self, session_id: str, make: str) -> Outcome:
        session = self.session(session_id)
        try:
            self._require_step(session, "brand", "login")
        except ConnectRedirectError as error:
            return self.error_redirect(session, error)
        key = normalize_make(make)
        app = self.apps.get(session.client_id)
        if key is None or (app is not None and not app.settings.allows_make(key)):
            return self.error_redirect(session, ConnectRedirectError(
                "vehicle_incompatible", "The user\u2019s vehicle is not compatible.", make=make))
        session.make, session.step = key, "login"
        self._save(session)
        return Outcome(step="login")

    def check_page(self, session_id: str, step: str) -> tuple[Session, Outcome | None]:
        """The session for a page view, or the redirect when the page is out of order."""
        session = self.session(session_id)
        # Going back (the browser's back button) is fine, as the POST handlers allow; only later steps are not.
        allowed = {"brand": ("brand", "login"), "login": ("login",), "grant": ("grant",),
                   "preamble": ("preamble", "brand", "login")}
        try:
            self._require_step(session, *allowed.get(step, (step,)))
        except ConnectRedirectError as error:
            return session, self.error_redirect(session, error)
        return session, None

    def login(self, session_id: str, email: str, password: str) -> Outcome:
        """Check the OEM login; ``Outcome(step="login")`` means the credentials were refused."""
        session = self.session(session_id)
        try:
            self._require_step(session, "login")
            specs = self._account_vehicles(session, email, password)
        except ConnectRedirectError as error:
            return self.error_redirect(session, error)
        if specs is None:
            return Outcome(step="login")
        owner = owner_key(session.mode, email)
        make = session.make or "TESLA"
        vehicles = [self.vehicles.ensure(s.vin, s.make or make, session.mode, owner, first=i == 0, level=s.level,
                                         test_error=s.test_error, model=s.model) for i, s in enumerate(specs)]
        vin = session.params["single_select_vin"]
        if vin:
            vehicles = [v for v in vehicles if v.vin == vin]
        if not vehicles:
            return self.error_redirect(session, ConnectRedirectError(
                "no_vehicles", "No vehicles found. Please add vehicles to your account and try again."))
        # Vehicles that cannot serve a required: permission cannot be connected (wire reference §2.2, §2.5).
        capable_ones = [v for v in vehicles if all(capable(p, v.powertrain, v.level) for p in session.required)]
        if not capable_ones:
            first = vehicles[0]
            return self.error_redirect(session, ConnectRedirectError(
                "vehicle_incompatible", "The user\u2019s vehicle is not compatible.", vin=first.vin,
                make=first.make, model=first.model, year=str(first.year)))
        vehicles = capable_ones
        session.owner = owner
        session.vehicle_ids = [v.id for v in vehicles]
        session.step = "grant"
        self._save(session)
        if session.params["approval_prompt"] == "auto" and self._already_approved(session):
            return self._complete(session, session.vehicle_ids, session.scopes)
        return Outcome(step="grant")

    def _account_vehicles(self, session: Session, email: str, password: str) -> list[VehicleSpec] | None:
        if not email.strip() or not password:
            return None
        make = session.make or "TESLA"
        if session.mode == "live":
            if not self.accounts.login(email, password):
                return None
            owned = self.vehicles.owned_by(owner_key("live", email))
            return [VehicleSpec(v.vin, v.make) for v in owned if v.make == make or session.params["single_select_vin"]]
        if session.mode == "simulated":  # vehicles made for this login through the control API come first
            owned = [v for v in self.vehicles.owned_by(owner_key("simulated", email)) if v.make == make]
            if owned:
                return [VehicleSpec(v.vin, v.make) for v in owned]
        vin = session.params["single_select_vin"]
        if vin and session.mode == "test" and vin in SPECIAL_VINS:
            email = SPECIAL_VINS[vin]
        elif vin and session.mode == "test" and vin in V1_VINS:
            email = V1_VINS[vin]
        specs = resolve_test_login(email, make, session.mode, frozenset(session.required), frozenset(session.scopes))
        if vin and all(s.vin != vin for s in specs):
            specs = [VehicleSpec(vin, make_from_vin(vin) or make)]
        return specs

    def _already_approved(self, session: Session) -> bool:
        assert session.owner is not None
        user_id = self.connections.user_for(session.client_id, session.owner)
        for vehicle_id in session.vehicle_ids:
            existing = self.connections.find(session.client_id, user_id, vehicle_id)
            if existing is None or not set(session.scopes) <= set(existing.scopes):
                return False
        return True

    def offered_vehicles(self, session: Session) -> list[Vehicle]:
        return [v for v in (self.vehicles.get(i) for i in session.vehicle_ids) if v is not None]

    def decide(self, session_id: str, allow: bool, vehicle_ids: list[str] | None = None,
               scopes: list[str] | None = None) -> Outcome:
        """The user's answer on the grant page."""
        session = self.session(session_id)
        try:
            self._require_step(session, "grant")
        except ConnectRedirectError as error:
            return self.error_redirect(session, error)
        if not allow:
            return self.error_redirect(session, ConnectRedirectError("access_denied",
                                                                     "User denied access to application."))
        chosen = [v for v in (vehicle_ids if vehicle_ids is not None else session.vehicle_ids)
                  if v in session.vehicle_ids]
        if session.params["single_select"]:
            chosen = chosen[:1]
        granted = [s for s in session.scopes if s in (scopes if scopes is not None else session.scopes)
                   or s in session.required]
        if not chosen or not granted:
            return Outcome(step="grant")
        return self._complete(session, chosen, granted)

    def _complete(self, session: Session, vehicle_ids: list[str], scopes: list[str]) -> Outcome:
        """Store the grant and the code, then build the redirect (committed before it is sent)."""
        app = self.apps.get(session.client_id)
        assert app is not None and session.owner is not None
        redirect_uri = session.params["redirect_uri"]
        with self.db.transaction():
            user_id = self.connections.user_for(app.client_id, session.owner)
            for vehicle_id in vehicle_ids:
                self.connections.grant(app.client_id, user_id, vehicle_id, scopes)
            code = self.tokens.issue_code(app.client_id, redirect_uri, user_id,
                                          redirect_uri_sent=session.params.get("redirect_uri_sent", True),
                                          code_challenge=session.params.get("code_challenge"),
                                          code_challenge_method=session.params.get("code_challenge_method") or "plain")
            session.step = "done"
            self._save(session)
        params: dict[str, str] = {}
        if app.connect_flow in ("code", "both"):
            params["code"] = code
        if app.connect_flow in ("user", "both"):
            params["user_id"] = user_id
        if session.params.get("state") is not None:
            params["state"] = session.params["state"]
        return Outcome(redirect=add_query(redirect_uri, params))


def _check_settings(settings: AppSettings, scopes: list[str], make: str | None) -> ConnectRedirectError | None:
    """An authorize request outside the application's Dashboard settings."""
    outside = [s for s in scopes if s in KNOWN and not settings.allows_permission(s)]
    if outside:
        return ConnectRedirectError("configuration_error",
                                    "There has been an error in the configuration of your application.",
                                    status_code="400", error_message=f"The permission(s) {', '.join(outside)} are "
                                    "not enabled for this application. Enable them in the Smartcar Dashboard.")
    if make is not None and not settings.allows_make(make):
        return ConnectRedirectError("vehicle_incompatible", "The user\u2019s vehicle is not compatible.", make=make)
    return None
