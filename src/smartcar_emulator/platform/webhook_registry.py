"""Webhooks and their subscriptions: the data model of the Management API v3 (and of v2 subscribe/unsubscribe).

The platform-level API the HTTP routers and the delivery worker call: create, list, get, update and delete an
application's webhooks; subscribe and unsubscribe vehicles; list the subscriptions of an application and the
webhooks subscribed to a vehicle (``subscribers``). Rows live in the ``webhooks`` and ``subscriptions`` tables.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..store import Database
from .errors import ApiError
from .ids import new_id
from .signals import BY_CODE


@dataclass(frozen=True)
class Webhook:
    id: str
    client_id: str
    name: str
    callback_uri: str
    is_enabled: bool
    auto_subscribe: bool
    triggers: tuple[str, ...]  # v3 signal codes whose change triggers a delivery
    data: tuple[str, ...]  # v3 signal codes every delivery carries
    error_callback_uri: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class Subscription:
    id: str
    webhook_id: str
    vehicle_id: str
    user_id: str | None
    created_at: float
    updated_at: float


def _invalid(field: str, message: str) -> ApiError:
    return ApiError("VALIDATION", detail=[{"field": field, "message": message}])


def check_uri(value: Any, field: str, optional: bool = False) -> str | None:
    """An http(s) URI, or VALIDATION naming the field."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or len(value) > 2048 \
            or any(ord(c) < 33 for c in value):
        raise _invalid(field, "Must be an http or https URI.")
    return value


def check_codes(value: Any, field: str) -> tuple[str, ...]:
    """A list of v3 signal codes (or ``{code}`` objects as the resource shows them), each known."""
    if not isinstance(value, list):
        raise _invalid(field, "Must be a list of signal codes.")
    codes: list[str] = []
    for item in value:
        code = item.get("code") if isinstance(item, dict) else item
        if not isinstance(code, str) or code.lower() not in BY_CODE:
            raise _invalid(field, f"Unknown signal code: {code!r}.")
        if code.lower() not in codes:
            codes.append(code.lower())
    return tuple(codes)


def _webhook(row: sqlite3.Row) -> Webhook:
    return Webhook(row["id"], row["client_id"], row["name"], row["callback_uri"], bool(row["is_enabled"]),
                   bool(row["auto_subscribe"]), tuple(json.loads(row["triggers"])), tuple(json.loads(row["data"])),
                   row["error_callback_uri"], row["created_at"], row["updated_at"] or row["created_at"])


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(row["id"], row["webhook_id"], row["vehicle_id"], row["user_id"], row["created_at"],
                        row["updated_at"] or row["created_at"])


class WebhookRegistry:
    """An application's webhooks and the vehicles subscribed to them."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # Webhooks --------------------------------------------------------------------------------------
    def create(self, client_id: str, name: str, callback_uri: str, *, triggers: tuple[str, ...] = (),
               data: tuple[str, ...] = (), is_enabled: bool = True, auto_subscribe: bool = False,
               error_callback_uri: str | None = None, webhook_id: str | None = None) -> Webhook:
        now = self.clock.timestamp()
        webhook_id = webhook_id or new_id()
        self.db.execute(
            "INSERT INTO webhooks (id, client_id, name, callback_uri, created_at, is_enabled, auto_subscribe,"
            " triggers, data, error_callback_uri, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (webhook_id, client_id, name, callback_uri, now, int(is_enabled), int(auto_subscribe),
             json.dumps(list(triggers)), json.dumps(list(data)), error_callback_uri, now))
        found = self.get(client_id, webhook_id)
        assert found is not None
        return found

    def get(self, client_id: str | None, webhook_id: str) -> Webhook | None:
        """The webhook, if it exists (and belongs to ``client_id`` unless that is None)."""
        row = self.db.one("SELECT * FROM webhooks WHERE id = ?", (webhook_id,))
        if row is None or (client_id is not None and row["client_id"] != client_id):
            return None
        return _webhook(row)

    def require(self, client_id: str, webhook_id: str) -> Webhook:
        found = self.get(client_id, webhook_id)
        if found is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "webhookId", "message": "No such webhook."}])
        return found

    def list(self, client_id: str, name: str | None = None, callback_uri: str | None = None,
             is_enabled: bool | None = None, auto_subscribe: bool | None = None) -> list[Webhook]:
        """The application's webhooks, oldest first; ``name`` and ``callback_uri`` match partially, any case."""
        rows = self.db.all("SELECT * FROM webhooks WHERE client_id = ? ORDER BY created_at, id", (client_id,))
        found = [_webhook(row) for row in rows]
        return [w for w in found
                if (name is None or name.lower() in w.name.lower())
                and (callback_uri is None or callback_uri.lower() in w.callback_uri.lower())
                and (is_enabled is None or w.is_enabled == is_enabled)
                and (auto_subscribe is None or w.auto_subscribe == auto_subscribe)]

    def update(self, client_id: str, webhook_id: str, **changes: Any) -> Webhook:
        """Change any of ``name``, ``callback_uri``, ``is_enabled``, ``auto_subscribe``, ``triggers``, ``data``,
        ``error_callback_uri`` (already validated)."""
        current = self.require(client_id, webhook_id)
        columns = {"name": "name", "callback_uri": "callback_uri", "is_enabled": "is_enabled",
                   "auto_subscribe": "auto_subscribe", "triggers": "triggers", "data": "data",
                   "error_callback_uri": "error_callback_uri"}
        sets, values = [], []
        for key, value in changes.items():
            if key not in columns:
                raise TypeError(f"unknown webhook attribute {key}")
            sets.append(f"{columns[key]} = ?")
            values.append(json.dumps(list(value)) if key in ("triggers", "data")
                          else int(value) if key in ("is_enabled", "auto_subscribe") else value)
        sets.append("updated_at = ?")
        values.append(self.clock.timestamp())
        self.db.execute(f"UPDATE webhooks SET {', '.join(sets)} WHERE id = ?", (*values, current.id))
        return self.require(client_id, webhook_id)

    def delete(self, client_id: str, webhook_id: str) -> None:
        """Delete a webhook and every subscription to it."""
        webhook = self.require(client_id, webhook_id)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM subscriptions WHERE webhook_id = ?", (webhook.id,))
            conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook.id,))

    # Subscriptions ---------------------------------------------------------------------------------
    def subscribe(self, webhook_id: str, vehicle_id: str, user_id: str | None = None) -> Subscription:
        """Subscribe a vehicle (idempotent: an existing subscription is returned as it is)."""
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO subscriptions (webhook_id, vehicle_id, created_at, id, user_id,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (webhook_id, vehicle_id, now, new_id(), user_id, now))
            # Rows written before migration 4 (or by the v2 route) get an id and their user when first seen here.
            conn.execute("UPDATE subscriptions SET id = coalesce(id, ?), user_id = coalesce(user_id, ?)"
                         " WHERE webhook_id = ? AND vehicle_id = ?", (new_id(), user_id, webhook_id, vehicle_id))
        row = self.db.one("SELECT * FROM subscriptions WHERE webhook_id = ? AND vehicle_id = ?",
                          (webhook_id, vehicle_id))
        assert row is not None
        return _subscription(row)

    def unsubscribe(self, webhook_id: str, vehicle_id: str) -> bool:
        return self.db.execute("DELETE FROM subscriptions WHERE webhook_id = ? AND vehicle_id = ?",
                               (webhook_id, vehicle_id)) > 0

    def subscription(self, client_id: str, subscription_id: str) -> Subscription | None:
        row = self.db.one("SELECT s.* FROM subscriptions s JOIN webhooks w ON w.id = s.webhook_id"
                          " WHERE s.id = ? AND w.client_id = ?", (subscription_id, client_id))
        return _subscription(row) if row else None

    def subscriptions(self, client_id: str, webhook_id: str | None = None, vehicle_id: str | None = None,
                      user_id: str | None = None) -> builtins.list[Subscription]:
        """The application's subscriptions, oldest first, optionally filtered."""
        self._backfill_ids()
        sql = ("SELECT s.* FROM subscriptions s JOIN webhooks w ON w.id = s.webhook_id WHERE w.client_id = ?")
        params: list[Any] = [client_id]
        for column, value in (("s.webhook_id", webhook_id), ("s.vehicle_id", vehicle_id), ("s.user_id", user_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return [_subscription(row) for row in self.db.all(sql + " ORDER BY s.created_at, s.id", tuple(params))]

    def subscribers(self, vehicle_id: str, enabled_only: bool = True) -> builtins.list[tuple[Webhook, Subscription]]:
        """The webhooks a vehicle is subscribed to (enabled ones by default), with each subscription."""
        self._backfill_ids()
        rows = self.db.all("SELECT w.*, s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at,"
                           " s.updated_at AS s_updated_at FROM subscriptions s JOIN webhooks w ON w.id = s.webhook_id"
                           " WHERE s.vehicle_id = ? ORDER BY s.created_at, s.id", (vehicle_id,))
        found = []
        for row in rows:
            webhook = _webhook(row)
            if enabled_only and not webhook.is_enabled:
                continue
            found.append((webhook, Subscription(row["s_id"], webhook.id, vehicle_id, row["s_user_id"],
                                                row["s_created_at"], row["s_updated_at"] or row["s_created_at"])))
        return found

    def auto_subscribe(self, client_id: str, vehicle_id: str, user_id: str | None) -> builtins.list[Subscription]:
        """Subscribe a newly connected vehicle to the application's enabled auto-subscribe webhooks."""
        return [self.subscribe(w.id, vehicle_id, user_id)
                for w in self.list(client_id, is_enabled=True, auto_subscribe=True)]

    def _backfill_ids(self) -> None:
        rows = self.db.all("SELECT webhook_id, vehicle_id FROM subscriptions WHERE id IS NULL")
        for row in rows:
            self.db.execute("UPDATE subscriptions SET id = ? WHERE webhook_id = ? AND vehicle_id = ? AND id IS NULL",
                            (new_id(), row["webhook_id"], row["vehicle_id"]))
