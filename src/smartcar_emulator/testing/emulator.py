"""A running emulator as a test dependency: where it is, the environment that points SDKs at it, the application
registered in it, Connect in one call, and the control API (reset, clock, faults, vehicles, accounts).

Everything here goes through the emulator's HTTP control API (``/_emulator``), so the same handle drives an
emulator started in this process (:func:`running`) or one started elsewhere (``Emulator.attach(url)``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx2

from .in_process import in_process_async_client, in_process_client

if TYPE_CHECKING:
    import smartcar
    from smartcar_emulator.server import EmulatorServer

# Every permission a test-mode Tesla can serve: the default grant of :meth:`Emulator.connect`.
DEFAULT_SCOPES = ("read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
                  "control_charge", "read_tires", "read_security", "control_security", "control_navigation",
                  "read_speedometer", "read_compass")
FLOWS = ("code", "user")


class ControlError(RuntimeError):
    """The emulator's control API refused a request (the message carries its status and error body)."""

    def __init__(self, method: str, path: str, response: httpx2.Response) -> None:
        self.status_code = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text[:300]
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        super().__init__(f"{method} {path} answered {response.status_code}: {detail or self.body}")


@dataclass(frozen=True)
class AppCredentials:
    """The application registered in the emulator: what a test passes as ``client_id`` and friends."""

    client_id: str = "emulator-client-id"
    client_secret: str = "emulator-client-secret"
    redirect_uri: str = "http://localhost:8000/exchange"
    amt: str = "emulator-management-token"
    name: str = "Emulator Test App"
    connect_flow: str = "both"  # what Connect's redirect carries: code, user (user_id) or both

    def env(self) -> dict[str, str]:
        """``SMARTCAR_CLIENT_ID``, ``SMARTCAR_CLIENT_SECRET`` and ``SMARTCAR_REDIRECT_URI``."""
        return {"SMARTCAR_CLIENT_ID": self.client_id, "SMARTCAR_CLIENT_SECRET": self.client_secret,
                "SMARTCAR_REDIRECT_URI": self.redirect_uri}


@dataclass
class Connected:
    """What a Connect walk produced: the user's tokens (code flow), their Smartcar user id and vehicle ids."""

    user_id: str
    vehicle_ids: list[str]
    access_token: str | None = field(default=None, repr=False)  # secrets stay out of reprs and test reports
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None
    code: str | None = field(default=None, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def vehicle_id(self) -> str:
        """The first vehicle's id."""
        return self.vehicle_ids[0]

    def vehicle(self, index: int = 0, **options: Any) -> smartcar.Vehicle:
        """A ``smartcar.Vehicle`` (API v2) for one of the connected vehicles, with the user's access token."""
        import smartcar

        if self.access_token is None:
            raise ValueError("this connection came from the user_id flow: it has no access token (use client())")
        return smartcar.Vehicle(self.vehicle_ids[index], self.access_token, options or None)

    def vehicles(self) -> list[smartcar.Vehicle]:
        """Every connected vehicle as a ``smartcar.Vehicle``."""
        return [self.vehicle(i) for i in range(len(self.vehicle_ids))]


class Emulator:
    """A handle on a running emulator.

    ``url`` and ``env`` (the ``SMARTCAR_*`` origins and credentials) point SDKs at it; ``app`` holds the
    registered application's credentials; ``clock``, ``faults``, ``vehicles`` and ``users`` drive its control API;
    ``rate_limits`` sets the platform's limits, ``plan_limits`` an application's monthly allowance per vehicle,
    ``commands`` whether v3 commands complete later; :meth:`connect` walks Connect; :meth:`reset` forgets everything
    but the registered application.
    """

    def __init__(self, url: str, app: AppCredentials | None = None, *, asgi_app: Any = None,
                 server: EmulatorServer | None = None, verify: ssl.SSLContext | bool = True) -> None:
        self.url = url.rstrip("/")
        self.app = app or AppCredentials()
        self.asgi_app = asgi_app
        self.server = server
        self._cleanup: list[Callable[[], Any]] = []
        # Control requests go in-process when the app lives here (no socket needed), else over HTTP(S).
        self.control = (in_process_client(asgi_app, base_url=self.url, timeout=30) if asgi_app is not None
                        else httpx2.Client(base_url=self.url, timeout=30, verify=verify))
        self.clock = ClockControl(self)
        self.faults = FaultControl(self)
        self.vehicles = VehicleControl(self)
        self.users = UserControl(self)
        self.rate_limits = RateLimitControl(self)
        self.plan_limits = PlanLimitControl(self)
        self.commands = CommandControl(self)

    @classmethod
    def attach(cls, url: str, app: AppCredentials | None = None,
               verify: ssl.SSLContext | bool = True) -> Emulator:
        """A handle on an emulator started elsewhere (``smartcar-emulator serve``); registers ``app`` in it.
        ``verify``: for an HTTPS emulator, e.g. ``TlsFiles.client_context()`` (default: the system's CAs)."""
        emulator = cls(url, app, verify=verify)
        emulator.register_app(emulator.app)
        return emulator

    # Environment -----------------------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        """Environment variables for every SDK: the ``SMARTCAR_*`` origins and the app's credentials (and, for
        an HTTPS emulator started here, what clients need to trust its CA)."""
        from smartcar_emulator.server import origin_env

        tls = self.server.tls.env() if self.server is not None and self.server.tls is not None else {}
        return {**origin_env(self.url), **self.app.env(), **tls}

    @property
    def platform(self) -> Any:
        """The emulator's platform object when it runs in this process (else ``None``): for white-box tests."""
        return self.server.platform if self.server is not None else None

    # Control API -----------------------------------------------------------------------------------------
    def request(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """A control API call (``path`` below ``/_emulator``); its JSON body, or :class:`ControlError`."""
        full = f"/_emulator{path}"
        response = self.control.request(method, full, json=json, params=params)
        if response.status_code >= 400:
            raise ControlError(method, full, response)
        return response.json() if response.content else None

    def reset(self, keep_apps: bool = False) -> dict[str, int]:
        """Forget vehicles, accounts, users, grants, tokens and fault rules, and put the clock back on real time.
        The handle's own application is registered again unless ``keep_apps`` kept every application."""
        removed: dict[str, int] = self.request("POST", "/reset", {"keep_apps": keep_apps})["removed"]
        if not keep_apps:
            self.register_app(self.app)
        return removed

    def register_app(self, app: AppCredentials | None = None, **changes: Any) -> AppCredentials:
        """Register (or update) an application; returns its credentials. ``changes`` override fields of ``app``
        (or of this handle's app), e.g. ``register_app(client_id="other", connect_flow="user")``."""
        app = replace(app or self.app, **changes)
        self.request("POST", "/apps", {"client_id": app.client_id, "client_secret": app.client_secret,
                                       "redirect_uris": [app.redirect_uri], "amt": app.amt, "name": app.name,
                                       "connect_flow": app.connect_flow})
        return app

    # Connect ---------------------------------------------------------------------------------------------
    def authorize_url(self, scopes: list[str] | tuple[str, ...] = DEFAULT_SCOPES, *, make: str | None = "TESLA",
                      mode: str = "test", state: str | None = None, app: AppCredentials | None = None,
                      **extra: str) -> str:
        """A Connect URL for ``app`` (default: this handle's), as the SDKs build it."""
        from smartcar_emulator.scripted import authorize_url

        app = app or self.app
        return authorize_url(self.url, app.client_id, app.redirect_uri, list(scopes), mode=mode, state=state,
                             make=make, **extra)

    def walk(self, url: str, *, email: str = "driver@example.com", password: str = "password",
             make: str | None = None, deny: bool = False) -> dict[str, str]:
        """Follow Connect from ``url`` (e.g. your app's ``/login`` redirect) like a browser; returns the query
        parameters of the redirect back to the application (``code``, ``state``, ``user_id`` or ``error``)."""
        from smartcar_emulator.walker import walk

        return walk(url, email=email, password=password, make=make, deny=deny, client=self.control).params

    def connect(self, scopes: list[str] | tuple[str, ...] | None = None, *, make: str | None = "TESLA",
                mode: str = "test", email: str | None = None, password: str = "password", flow: str = "code",
                app: AppCredentials | None = None) -> Connected:
        """Walk Connect for a new user and return what the app gets back.

        ``flow="code"`` exchanges the code for tokens; ``flow="user"`` keeps only the ``user_id`` (API v3).
        ``mode`` is ``test`` (any login), ``simulated`` (stateful simulator vehicles) or ``live`` (accounts made
        with ``users.add``). ``email`` defaults to a fresh address, so each call is a new user.
        """
        if flow not in FLOWS:
            raise ValueError(f"flow must be one of {', '.join(FLOWS)}, not {flow!r}")
        app = app or self.app
        email = email or f"driver-{time.monotonic_ns()}@example.com"
        params = self.walk(self.authorize_url(scopes or DEFAULT_SCOPES, make=make, mode=mode, state="emulator",
                                              app=app), email=email, password=password, make=make)
        if "error" in params:
            from smartcar_emulator.walker import ConnectError

            raise ConnectError(f"Connect answered {params['error']}: {params.get('error_description')}")
        if flow == "user" or "code" not in params:
            if "user_id" not in params:
                raise ValueError(f"the application {app.client_id} is configured for the code flow only")
            return Connected(user_id=params["user_id"], vehicle_ids=self._vehicles_of(params["user_id"], app),
                             raw=dict(params))
        token = self.control.post("/oauth/token", auth=(app.client_id, app.client_secret),
                                  data={"grant_type": "authorization_code", "code": params["code"],
                                        "redirect_uri": app.redirect_uri})
        if token.status_code != 200:
            raise ControlError("POST", "/oauth/token", token)
        tokens = token.json()
        return Connected(user_id=self._user_of(tokens["access_token"]),
                         vehicle_ids=self._vehicles_of_token(tokens["access_token"]),
                         access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                         expires_in=tokens["expires_in"], code=params["code"], raw={**params, **tokens})

    def _user_of(self, access_token: str) -> str:
        user: str = self.control.get("/v2.0/user", headers={"Authorization": f"Bearer {access_token}"}).json()["id"]
        return user

    def _vehicles_of_token(self, access_token: str) -> list[str]:
        ids: list[str] = []
        while True:
            page = self.control.get("/v2.0/vehicles", params={"limit": 50, "offset": len(ids)},
                                    headers={"Authorization": f"Bearer {access_token}"}).json()
            ids += page["vehicles"]
            if not page["vehicles"] or len(ids) >= page["paging"]["count"]:
                return ids

    def _vehicles_of(self, user_id: str, app: AppCredentials) -> list[str]:
        token = self.control.post("/oauth2/token", auth=(app.client_id, app.client_secret),
                                  data={"grant_type": "client_credentials"}).json()["access_token"]
        ids: list[str] = []
        url: str | None = "/v3/connections?" + urlencode({"user_id": user_id})
        while url:
            page = self.control.get(url, headers={"Authorization": f"Bearer {token}"}).json()
            ids += [c["relationships"]["vehicle"]["data"]["id"] for c in page["data"]]
            url = (page.get("links") or {}).get("next")
            if url and url.startswith("/") and not url.startswith("/v3"):
                url = "/v3" + url
        return ids

    # In-process mode -------------------------------------------------------------------------------------
    def http_client(self, **kwargs: Any) -> httpx2.Client:
        """An ``httpx2.Client`` that reaches this emulator with no socket (in this process only): pass it to
        ``smartcar.configure_http(http_client=...)`` or ``smartcar.Client(http_client=...)``."""
        return in_process_client(self._require_asgi(), **kwargs)

    def async_http_client(self, **kwargs: Any) -> httpx2.AsyncClient:
        """The ``httpx2.AsyncClient`` twin of :meth:`http_client`."""
        return in_process_async_client(self._require_asgi(), **kwargs)

    def _require_asgi(self) -> Any:
        if self.asgi_app is None:
            raise RuntimeError("in-process clients need an emulator started in this process (running(...)), "
                               f"not one attached at {self.url}")
        return self.asgi_app

    def close(self) -> None:
        """Close the control client and stop the server this handle started (if any)."""
        self.control.close()
        if self.server is not None:
            self.server.stop()
        for cleanup in self._cleanup:
            cleanup()


class ClockControl:
    """The platform clock: read it, move it forward, or set it (backwards included)."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def now(self) -> datetime:
        body = self._emulator.request("GET", "/clock")
        return datetime.fromtimestamp(body["timestamp"], timezone.utc)

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> datetime:
        """Move time forward; vehicles drive and charge through it, tokens expire. Returns the new time."""
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        body = self._emulator.request("POST", "/clock/advance", {"seconds": total})
        return datetime.fromtimestamp(body["timestamp"], timezone.utc)

    def set(self, moment: datetime | str) -> datetime:
        """Set the clock to ``moment`` (a timezone-aware datetime or an ISO-8601 string with a zone)."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError("moment must be timezone-aware (e.g. datetime(2030, 1, 1, tzinfo=timezone.utc))")
            moment = moment.isoformat()
        body = self._emulator.request("PUT", "/clock", {"now": moment})
        return datetime.fromtimestamp(body["timestamp"], timezone.utc)


class FaultControl:
    """Fault rules: make the platform answer errors, rate limits, sleep or latency (kinds in docs/emulator.md)."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def add(self, kind: str, vehicle_id: str | None = None, **options: Any) -> dict[str, Any]:
        """Add a rule, e.g. ``add("rate_limit", retry_after=30)``, ``add("asleep", vehicle_id=...)``,
        ``add("error", type="SERVER", code="INTERNAL", count=1)``, or for the token endpoints
        ``add("token", grant_type="refresh_token", status=503, count=1)``. Returns the rule (with its ``id``)."""
        spec = {"kind": kind, **options}
        if vehicle_id is not None:
            spec["vehicle_id"] = vehicle_id
        rule: dict[str, Any] = self._emulator.request("POST", "/faults", spec)
        return rule

    def list(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._emulator.request("GET", "/faults")["faults"]
        return rules

    def remove(self, fault_id: str) -> None:
        self._emulator.request("DELETE", f"/faults/{fault_id}")

    def clear(self) -> int:
        """Remove every rule; returns how many there were."""
        removed: int = self._emulator.request("DELETE", "/faults")["removed"]
        return removed


class VehicleControl:
    """Vehicles and their simulated state."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def list(self, mode: str | None = None) -> list[dict[str, Any]]:
        vehicles: list[dict[str, Any]] = self._emulator.request("GET", "/vehicles",
                                                                params={"mode": mode} if mode else None)["vehicles"]
        return vehicles

    def get(self, vehicle_id: str) -> dict[str, Any]:
        """The vehicle and its authoritative ``state`` (advanced to now) and fault rules."""
        vehicle: dict[str, Any] = self._emulator.request("GET", f"/vehicles/{vehicle_id}")
        return vehicle

    def create(self, make: str, model: str | None = None, *, year: int | None = None, mode: str = "simulated",
               email: str | None = None, vin: str | None = None) -> dict[str, Any]:
        """A new vehicle owned by the OEM account ``email`` (connect with that email to get it)."""
        body = {"make": make, "model": model, "year": year, "mode": mode, "email": email, "vin": vin}
        vehicle: dict[str, Any] = self._emulator.request("POST", "/vehicles",
                                                         {k: v for k, v in body.items() if v is not None})
        return vehicle

    def set_state(self, vehicle_id: str, **fields: Any) -> dict[str, Any]:
        """Set state fields, e.g. ``set_state(vid, battery_soc=0.2, plugged_in=True)``."""
        vehicle: dict[str, Any] = self._emulator.request("PATCH", f"/vehicles/{vehicle_id}/state", fields)
        return vehicle

    def start_trip(self, vehicle_id: str, **trip: Any) -> dict[str, Any]:
        """Start driving (``distance_km``, ``speed_kph``, ``destination``...); ``stop_trip`` parks."""
        vehicle: dict[str, Any] = self._emulator.request("POST", f"/vehicles/{vehicle_id}/trip", trip)
        return vehicle

    def stop_trip(self, vehicle_id: str) -> dict[str, Any]:
        vehicle: dict[str, Any] = self._emulator.request("DELETE", f"/vehicles/{vehicle_id}/trip")
        return vehicle


class RateLimitControl:
    """The platform's rate limits, per application (``RATE_LIMIT:SMARTCAR_API``) and per vehicle
    (``RATE_LIMIT:VEHICLE``). Off unless set; a reset turns them off again."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def set(self, app: str | None = None, vehicle: str | None = None) -> dict[str, Any]:
        """E.g. ``set(app="50/s")``, ``set(vehicle="2/min,burst=5")``, ``set(app="platform")`` (120 at once, then
        2 a minute, as documented); ``None`` for no limit. Buckets start full and refill on the emulator's clock."""
        limits: dict[str, Any] = self._emulator.request("PUT", "/rate-limits", {"app": app, "vehicle": vehicle})
        return limits

    def get(self) -> dict[str, Any]:
        limits: dict[str, Any] = self._emulator.request("GET", "/rate-limits")
        return limits


class PlanLimitControl:
    """A pricing plan's monthly allowance of requests per vehicle (``430 BILLING:VEHICLE_REQUEST_LIMIT`` once
    used). Off unless set; a reset turns it off again; it renews with the emulator clock's month."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def set(self, requests_per_vehicle: int | None, client_id: str | None = None) -> dict[str, Any]:
        """E.g. ``set(500)`` for the registered app (``None`` lifts it); returns allowances and this month's usage."""
        found: dict[str, Any] = self._emulator.request("PUT", "/plan-limits", {
            "clientId": client_id or self._emulator.app.client_id, "requestsPerVehicle": requests_per_vehicle})
        return found

    def get(self) -> dict[str, Any]:
        found: dict[str, Any] = self._emulator.request("GET", "/plan-limits")
        return found


class CommandControl:
    """How v3 commands and charge-schedule operations complete: at once (the default) or ``202 PENDING`` for
    ``async_seconds`` of the emulator clock."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def set_async(self, seconds: float) -> None:
        """``set_async(30)``: pending for 30 s (advance ``clock`` to complete them); ``set_async(0)``: synchronous."""
        self._emulator.request("PUT", "/commands", {"asyncSeconds": seconds})


class UserControl:
    """OEM accounts of live mode: the logins Connect accepts with ``mode="live"``."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def add(self, email: str, password: str = "password", *, make: str = "TESLA", vehicles: int = 1) -> dict[str, Any]:
        account: dict[str, Any] = self._emulator.request("POST", "/users", {"email": email, "password": password,
                                                                             "make": make, "vehicles": vehicles})
        return account


@contextmanager
def running(*, app: AppCredentials | None = None, db: str = ":memory:", port: int | None = None, seed: int = 0,
            refresh_grace: float = 0.0, time_scale: float = 1.0, tls: bool = False,
            tls_dir: str | None = None) -> Iterator[Emulator]:
    """Start an emulator on a free loopback port (in a background thread) for the block; stop it after.

    >>> with running() as emulator:
    ...     os.environ.update(emulator.env)        # SMARTCAR_* origins and the app's credentials
    ...     connected = emulator.connect(make="TESLA")

    ``db`` is ``:memory:`` (nothing kept) or a file; ``refresh_grace`` is the token endpoint's refresh-token
    reuse window in seconds (0: strict, as the cloud); ``time_scale`` speeds simulated time; ``tls`` serves HTTPS
    from a local CA (in ``tls_dir``, else a temporary folder), and ``env`` then carries ``SSL_CERT_FILE`` & co.
    """
    emulator = start(app=app, db=db, port=port, seed=seed, refresh_grace=refresh_grace, time_scale=time_scale,
                     tls=tls, tls_dir=tls_dir)
    try:
        yield emulator
    finally:
        emulator.close()


def start(*, app: AppCredentials | None = None, db: str = ":memory:", port: int | None = None, seed: int = 0,
          refresh_grace: float = 0.0, time_scale: float = 1.0, tls: bool = False,
          tls_dir: str | None = None) -> Emulator:
    """What :func:`running` does, without the block: call ``close()`` on the result when done."""
    from smartcar_emulator.clock import Clock
    from smartcar_emulator.platform.core import Platform
    from smartcar_emulator.platform.oauth import OAuthPolicy
    from smartcar_emulator.server import EmulatorServer
    from smartcar_emulator.store import Database

    platform = Platform(Database(db), clock=Clock(time_scale), seed=seed,
                        oauth_policy=OAuthPolicy(refresh_grace=refresh_grace))
    folder = None
    if tls and tls_dir is None:
        import tempfile

        folder = tempfile.TemporaryDirectory(prefix="smartcar-emulator-tls-")
    files = None
    if tls:
        from smartcar_emulator.tls import ensure

        files = ensure(["127.0.0.1"], tls_dir or (folder.name if folder else None))
    server = EmulatorServer(port=port, platform=platform, tls=files).start()
    emulator = Emulator(server.url, app, asgi_app=server.app, server=server)
    if folder is not None:
        emulator._cleanup.append(folder.cleanup)
    emulator.register_app(emulator.app)
    return emulator
