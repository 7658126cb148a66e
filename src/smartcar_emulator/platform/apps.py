"""Registered applications (client id, secret, redirect URIs, management token) and their webhooks."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass, field, replace
from typing import Any

from ..clock import Clock
from ..store import Database
from .catalog import normalize_make
from .ids import new_id, new_secret, same_secret
from .permissions import KNOWN

CONNECT_FLOWS = ("code", "user", "both")


@dataclass(frozen=True)
class AppSettings:
    """What the Dashboard configures for an application. ``None`` means unrestricted (every documented permission,
    every make) or, for ``default_scope``, the emulator's default read permissions."""

    permissions: tuple[str, ...] | None = None
    makes: tuple[str, ...] | None = None
    default_scope: tuple[str, ...] | None = None

    def allows_permission(self, permission: str) -> bool:
        return self.permissions is None or permission in self.permissions

    def allows_make(self, make: str) -> bool:
        return self.makes is None or make in self.makes

    def to_json(self) -> dict[str, Any]:
        return {"permissions": list(self.permissions) if self.permissions is not None else None,
                "makes": list(self.makes) if self.makes is not None else None,
                "defaultScope": list(self.default_scope) if self.default_scope is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppSettings:
        def names(key: str) -> tuple[str, ...] | None:
            value = data.get(key)
            return tuple(str(v) for v in value) if isinstance(value, list) else None

        return cls(names("permissions"), names("makes"), names("defaultScope"))


UNSET: Any = object()  # ``configure`` leaves a setting as it is


def check_settings(settings: AppSettings) -> AppSettings:
    """Validated settings (makes normalised), or ValueError naming the problem."""
    for label, names in (("permission", settings.permissions), ("default scope permission", settings.default_scope)):
        unknown = [p for p in names or () if p not in KNOWN]
        if unknown:
            raise ValueError(f"unknown {label}(s): {', '.join(unknown)}")
    makes = None
    if settings.makes is not None:
        makes = tuple(normalize_make(m) or "" for m in settings.makes)
        unknown = [m for m, key in zip(settings.makes, makes) if not key]
        if unknown:
            raise ValueError(f"unknown make(s): {', '.join(unknown)}")
    outside = [p for p in settings.default_scope or () if not settings.allows_permission(p)]
    if outside:
        raise ValueError(f"default scope outside the allowed permissions: {', '.join(outside)}")
    for label, names in (("permissions", settings.permissions), ("makes", settings.makes),
                         ("default scope", settings.default_scope)):
        if names is not None and not names:
            raise ValueError(f"the allowed {label} need at least one entry (null lifts the restriction)")
    return replace(settings, makes=makes)


@dataclass(frozen=True)
class Application:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: tuple[str, ...]
    amt: str
    connect_flow: str
    settings: AppSettings = field(default_factory=AppSettings)


def _names(values: tuple[str, ...] | list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(dict.fromkeys(values))


class ApplicationRepository:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def register(self, client_id: str | None = None, client_secret: str | None = None,
                 redirect_uris: list[str] | tuple[str, ...] = (), amt: str | None = None,
                 name: str = "Emulated application", connect_flow: str = "both") -> Application:
        """Create or update an application; missing credentials are generated."""
        if connect_flow not in CONNECT_FLOWS:
            raise ValueError(f"connect flow must be one of {', '.join(CONNECT_FLOWS)}")
        existing = self.get(client_id) if client_id else None
        app = Application(
            client_id=client_id or new_id(),
            client_secret=client_secret or (existing.client_secret if existing else new_secret()),
            name=name if name != "Emulated application" or not existing else existing.name,
            redirect_uris=tuple(dict.fromkeys([*(existing.redirect_uris if existing else ()), *redirect_uris])),
            amt=amt or (existing.amt if existing else new_id()),
            connect_flow=connect_flow,
        )
        self.db.execute(
            "INSERT INTO apps (client_id, client_secret, name, redirect_uris, amt, connect_flow, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET"
            " client_secret = excluded.client_secret,"
            " name = excluded.name, redirect_uris = excluded.redirect_uris, amt = excluded.amt,"
            " connect_flow = excluded.connect_flow",
            (app.client_id, app.client_secret, app.name, json.dumps(list(app.redirect_uris)), app.amt,
             app.connect_flow, self.clock.timestamp()),
        )
        return app

    def get(self, client_id: str | None) -> Application | None:
        if not client_id:
            return None
        row = self.db.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))
        if row is None:
            return None
        return Application(row["client_id"], row["client_secret"], row["name"],
                           tuple(json.loads(row["redirect_uris"])), row["amt"], row["connect_flow"],
                           AppSettings.from_json(json.loads(row["settings"] or "{}")))

    def settings(self, client_id: str) -> AppSettings:
        """An application's settings (unrestricted for an unknown one); one small query."""
        row = self.db.one("SELECT settings FROM apps WHERE client_id = ?", (client_id,))
        return AppSettings.from_json(json.loads(row["settings"] or "{}")) if row else AppSettings()

    def configure(self, client_id: str, permissions: tuple[str, ...] | None = UNSET,
                  makes: tuple[str, ...] | None = UNSET, default_scope: tuple[str, ...] | None = UNSET) -> Application:
        """Change an application's Dashboard settings (``None`` lifts a restriction; omitted ones stay).
        Raises KeyError for an unknown application, ValueError for invalid settings."""
        app = self.get(client_id)
        if app is None:
            raise KeyError(client_id)
        current = app.settings
        settings = check_settings(AppSettings(
            current.permissions if permissions is UNSET else _names(permissions),
            current.makes if makes is UNSET else _names(makes),
            current.default_scope if default_scope is UNSET else _names(default_scope)))
        self.db.execute("UPDATE apps SET settings = ? WHERE client_id = ?",
                        (json.dumps(settings.to_json()), client_id))
        return replace(app, settings=settings)

    def list(self) -> list[Application]:
        rows = self.db.all("SELECT client_id FROM apps ORDER BY created_at")
        return [app for app in (self.get(row["client_id"]) for row in rows) if app is not None]

    def authenticate(self, client_id: str | None, client_secret: str | None) -> Application | None:
        """The application if the secret matches (constant time), else None."""
        app = self.get(client_id)
        if app is None or not same_secret(client_secret, app.client_secret):
            return None
        return app

    def by_amt(self, amt: str | None) -> Application | None:
        """The application whose management token this is (constant-time compare)."""
        if not amt:
            return None
        for app in self.list():
            if same_secret(amt, app.amt):
                return app
        return None

    # Webhooks -------------------------------------------------------------------------------------
    def add_webhook(self, client_id: str, callback_uri: str, name: str = "Webhook",
                    webhook_id: str | None = None) -> str:
        webhook_id = webhook_id or new_id()
        self.db.execute(
            "INSERT INTO webhooks (id, client_id, name, callback_uri, created_at) VALUES (?, ?, ?, ?, ?)",
            (webhook_id, client_id, name, callback_uri, self.clock.timestamp()),
        )
        return webhook_id

    def webhook_owner(self, webhook_id: str) -> str | None:
        row = self.db.one("SELECT client_id FROM webhooks WHERE id = ?", (webhook_id,))
        return row["client_id"] if row else None

    def subscribe(self, webhook_id: str, vehicle_id: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO subscriptions (webhook_id, vehicle_id, created_at) VALUES (?, ?, ?)",
            (webhook_id, vehicle_id, self.clock.timestamp()),
        )

    def unsubscribe(self, webhook_id: str, vehicle_id: str) -> bool:
        return self.db.execute(
            "DELETE FROM subscriptions WHERE webhook_id = ? AND vehicle_id = ?", (webhook_id, vehicle_id)
        ) > 0

    def subscriptions(self, webhook_id: str) -> builtins.list[str]:  # `list` here is the method above
        rows = self.db.all("SELECT vehicle_id FROM subscriptions WHERE webhook_id = ? ORDER BY created_at",
                           (webhook_id,))
        return [row["vehicle_id"] for row in rows]
