"""Webhook delivery as data: what to send, to whom, and what happened (no HTTP here).

The simulator reports every state change (:meth:`WebhookOutbox.changed`); events for subscribed webhooks are
written to the ``deliveries`` table in the same transaction as the change (an outbox), so a change the API
acknowledged is never lost, even if the emulator stops before sending. A delivery worker (``delivery/``, above
this layer) claims due rows, sends them and records each attempt here; retries follow :class:`DeliveryPolicy`
on the platform clock. Webhooks are challenged (``VERIFY``) on creation and when their callback URI changes;
deliveries wait until the callback has answered correctly.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..store import Database
from . import webhook_payloads as payloads
from .apps import ApplicationRepository
from .connections import ConnectionRepository
from .errors import ApiError
from .faults import FaultService
from .ids import new_id
from .permissions import KNOWN
from .signals import BY_CODE, read
from .state import VehicleState
from .vehicles import Vehicle, VehicleRepository
from .webhook_registry import Subscription, Webhook, WebhookRegistry

VERSIONS = ("v2", "v3")
# Events the simulator raises, and the v3 signals that trigger (and are carried by) each.
EVENT_SIGNALS: dict[str, tuple[str, ...]] = {
    "CHARGING_STARTED": ("charge-ischarging",),
    "CHARGING_STOPPED": ("charge-ischarging",),
    "CHARGING_COMPLETED": ("charge-ischarging", "tractionbattery-stateofcharge"),
    "LOCK_STATE_CHANGED": ("closure-islocked",),
    "TRIP_ENDED": ("odometer-traveleddistance", "location-preciselocation"),
    "BATTERY_LOW": ("tractionbattery-stateofcharge",),
}
V2_EVENTS = ("CHARGING_STARTED", "CHARGING_STOPPED", "CHARGING_COMPLETED")  # v2 event-based webhooks: charging only
# What a scheduled v3 delivery carries when the webhook names no data signals.
DEFAULT_SIGNALS = ("tractionbattery-stateofcharge", "charge-ischarging", "closure-islocked",
                   "odometer-traveleddistance", "location-preciselocation")
ERROR_FAULTS = ("VEHICLE_STATE", "CONNECTED_SERVICES_ACCOUNT")  # fault types a VEHICLE_ERROR reports


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retries (after the first attempt) with exponential backoff from ``backoff_s`` on the platform clock
    (25, 50, 100 s as the platform documents), the real-time limit of one attempt, the low-battery threshold."""

    retries: int = 3
    backoff_s: float = 25.0
    timeout_s: float = 15.0
    low_battery: float = 0.2

    def delay(self, attempts: int) -> float:
        return self.backoff_s * 2 ** (attempts - 1)


@dataclass(frozen=True)
class Snapshot:
    """The part of a vehicle's state events are detected from."""

    charging: bool
    locked: bool
    driving: bool
    soc: float | None

    @classmethod
    def of(cls, state: VehicleState) -> Snapshot:
        return cls(state.charging, state.locked, state.trip is not None, state.battery_soc)


def detect(before: Snapshot, after: VehicleState, low_battery: float) -> list[str]:
    """The events between two states of one vehicle."""
    events = []
    if after.charging and not before.charging:
        events.append("CHARGING_STARTED")
    elif before.charging and not after.charging:
        full = after.battery_soc is not None and after.battery_soc >= after.charge_limit - 1e-6
        events.append("CHARGING_COMPLETED" if full else "CHARGING_STOPPED")
    if after.locked != before.locked:
        events.append("LOCK_STATE_CHANGED")
    if before.driving and after.trip is None:
        events.append("TRIP_ENDED")
    if before.soc is not None and after.battery_soc is not None and before.soc >= low_battery > after.battery_soc:
        events.append("BATTERY_LOW")
    return events


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker is about to send."""

    id: str
    event_id: str
    webhook_id: str
    url: str
    amt: str
    payload: dict[str, Any]
    attempt: int


@dataclass(frozen=True)
class Challenge:
    """A VERIFY a worker is about to send."""

    webhook_id: str
    url: str
    amt: str
    challenge: str
    payload: dict[str, Any]


class WebhookOutbox:
    """Delivery settings, the queue, VERIFY state and the delivery log."""

    def __init__(self, db: Database, clock: Clock, apps: ApplicationRepository, webhooks: WebhookRegistry,
                 vehicles: VehicleRepository, connections: ConnectionRepository, faults: FaultService,
                 reading: Callable[[str], VehicleState], policy: DeliveryPolicy | None = None) -> None:
        self.db, self.clock, self.apps, self.webhooks = db, clock, apps, webhooks
        self.vehicles, self.connections, self.faults = vehicles, connections, faults
        self.reading = reading  # a vehicle's state advanced to now (the platform's dynamics)
        self.policy = policy or DeliveryPolicy()
        self.wake: list[Callable[[], None]] = []  # called when something is queued (the worker's doorbell)

    # Settings --------------------------------------------------------------------------------------
    def settings(self, webhook_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM webhook_delivery WHERE webhook_id = ?", (webhook_id,))
        return {"version": row["version"] if row else "v3", "intervalSeconds": row["interval_s"] if row else None,
                "nextScheduledAt": row["next_scheduled_at"] if row else None,
                "verification": {"status": (row["verify_status"] if row else None) or "pending",
                                 "uri": row["verify_uri"] if row else None,
                                 "detail": row["verify_detail"] if row else None,
                                 "verifiedAt": row["verified_at"] if row else None}}

    def configure(self, webhook_id: str, version: str | None = None, interval_s: float | None | Any = ...) -> None:
        """Payload format (``v2``/``v3``) and schedule (seconds on the platform clock, None: no schedule)."""
        if version is not None and version not in VERSIONS:
            raise ApiError("VALIDATION", detail=[{"field": "version", "message": "Must be v2 or v3."}])
        if interval_s is not ... and interval_s is not None and (
                isinstance(interval_s, bool) or not isinstance(interval_s, (int, float))
                or not 1 <= interval_s <= 366 * 86400):
            raise ApiError("VALIDATION", detail=[{"field": "intervalSeconds",
                                                  "message": "Must be between 1 second and one year, or null."}])
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO webhook_delivery (webhook_id) VALUES (?)", (webhook_id,))
            if version is not None:
                conn.execute("UPDATE webhook_delivery SET version = ? WHERE webhook_id = ?", (version, webhook_id))
            if interval_s is not ...:
                due = None if interval_s is None else self.clock.timestamp() + float(interval_s)
                conn.execute("UPDATE webhook_delivery SET interval_s = ?, next_scheduled_at = ? WHERE webhook_id = ?",
                             (interval_s, due, webhook_id))
        self._ring()

    def _version(self, webhook_id: str) -> str:
        row = self.db.one("SELECT version FROM webhook_delivery WHERE webhook_id = ?", (webhook_id,))
        return str(row["version"]) if row else "v3"

    # VERIFY ----------------------------------------------------------------------------------------
    def request_verification(self, webhook_id: str) -> None:
        """Challenge the webhook again (the Dashboard's "Verify this webhook")."""
        self.db.execute("INSERT INTO webhook_delivery (webhook_id, verify_status) VALUES (?, 'requested')"
                        " ON CONFLICT (webhook_id) DO UPDATE SET verify_status = 'requested'", (webhook_id,))
        self._ring()

    def challenges(self) -> list[Challenge]:
        """Webhooks to challenge now (new, URI changed, or asked for); each is marked pending once handed out."""
        rows = self.db.all(
            "SELECT w.id, w.client_id, w.name, w.callback_uri, d.version FROM webhooks w"
            " LEFT JOIN webhook_delivery d ON d.webhook_id = w.id WHERE d.webhook_id IS NULL"
            " OR d.verify_uri IS NULL OR d.verify_uri != w.callback_uri OR d.verify_status = 'requested'")
        found = []
        for row in rows:
            app = self.apps.get(row["client_id"])
            if app is None:
                continue
            challenge = secrets.token_hex(16)
            version = row["version"] or "v3"
            payload = (payloads.v2_verify(row["id"], challenge) if version == "v2"
                       else payloads.v3_verify(new_id(), row["id"], row["name"], challenge))
            with self.db.transaction() as conn:
                changed = conn.execute(
                    "INSERT INTO webhook_delivery (webhook_id, verify_uri, verify_status) VALUES (?, ?, 'pending')"
                    " ON CONFLICT (webhook_id) DO UPDATE SET verify_uri = excluded.verify_uri,"
                    " verify_status = 'pending', verify_detail = NULL"
                    " WHERE verify_uri IS NULL OR verify_uri != excluded.verify_uri OR verify_status = 'requested'",
                    (row["id"], row["callback_uri"])).rowcount
            if changed:  # another worker process may have taken it
                found.append(Challenge(row["id"], row["callback_uri"], app.amt, challenge, payload))
        return found

    def verified(self, challenge: Challenge, ok: bool, detail: str, status_code: int | None,
                 duration_ms: float, body: bytes) -> None:
        """Record a VERIFY's outcome (and log it as a delivery of its own)."""
        now = self.clock.timestamp()
        delivery_id = new_id()
        with self.db.transaction() as conn:
            conn.execute("UPDATE webhook_delivery SET verify_status = ?, verify_detail = ?, verified_at = ?"
                         " WHERE webhook_id = ? AND verify_uri = ?",
                         ("verified" if ok else "failed", detail, now if ok else None, challenge.webhook_id,
                          challenge.url))
            conn.execute("INSERT INTO deliveries (id, event_id, webhook_id, vehicle_id, event_type, payload, body,"
                         " status, attempts, next_attempt_at, created_at, updated_at)"
                         " VALUES (?, ?, ?, NULL, 'VERIFY', ?, ?, ?, 1, ?, ?, ?)",
                         (delivery_id, str(challenge.payload.get("eventId") or delivery_id), challenge.webhook_id,
                          json.dumps(challenge.payload), body.decode("utf-8"), "delivered" if ok else "failed",
                          now, now, now))
            conn.execute("INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, error, duration_ms)"
                         " VALUES (?, 1, ?, ?, ?, ?)", (delivery_id, now, status_code, None if ok else detail,
                                                        duration_ms))
        if ok:
            self._ring()

    # Events ----------------------------------------------------------------------------------------
    def changed(self, vehicle: Vehicle, before: Snapshot, after: VehicleState) -> int:
        """Queue the events between two states for the vehicle's subscribed webhooks (call inside the state
        change's transaction). Returns how many deliveries were queued."""
        events = detect(before, after, self.policy.low_battery)
        if not events:
            return 0
        subscribers = self.webhooks.subscribers(vehicle.id)
        queued = sum(self._queue_event(vehicle, after, event, subscribers) for event in events)
        if queued:
            self._ring()
        return queued

    def _queue_event(self, vehicle: Vehicle, state: VehicleState, event: str,
                     subscribers: list[tuple[Webhook, Subscription]]) -> int:
        now = self.clock.timestamp()
        codes = EVENT_SIGNALS[event]
        queued = 0
        for webhook, subscription in subscribers:
            if self._version(webhook.id) == "v2":
                if event in V2_EVENTS:
                    event_id = new_id()
                    self._insert(webhook, vehicle.id, event_id, event, payloads.v2_event(
                        event_id, webhook.id, vehicle, event, now))
                    queued += 1
                continue
            if webhook.triggers and not set(codes) & set(webhook.triggers):
                continue
            self._insert_v3(webhook, subscription, vehicle, state, codes, now)
            queued += 1
        return queued

    def _error_of(self, vehicle_id: str) -> tuple[str, str] | None:
        for fault in self.faults.list(vehicle_id):
            if fault.type in ERROR_FAULTS and fault.code and fault.kind != "failure_rate":
                return fault.type, fault.code
        return None

    def _insert_v3(self, webhook: Webhook, subscription: Subscription, vehicle: Vehicle, state: VehicleState,
                   codes: tuple[str, ...], now: float, trigger_type: str = "SIGNAL_UPDATED") -> None:
        client_id = webhook.client_id
        user_id = subscription.user_id
        connection = next(iter(self.connections.search(client_id, user_id, vehicle.id)), None)
        user_id = user_id or (connection.user_id if connection else None)
        scopes = connection.scopes if connection else tuple(KNOWN)
        wanted = [c for c in dict.fromkeys([*codes, *webhook.data]) if c in BY_CODE]
        event_id = new_id()
        error = self._error_of(vehicle.id)
        if error is not None:
            signals = [{"code": c, "name": BY_CODE[c].name, "group": BY_CODE[c].group} for c in wanted]
            payload = payloads.v3_error(event_id, webhook.id, webhook.name, vehicle, user_id, error, "ERROR", signals)
            self._insert(webhook, vehicle.id, event_id, "VEHICLE_ERROR", payload)
            return
        self._resolve(webhook, vehicle, user_id, wanted)
        readings = read(vehicle, state, scopes, [BY_CODE[c] for c in wanted])
        trigger_codes = set(codes)
        triggers = [payloads.trigger(trigger_type, r) for r in readings if r.spec.code in trigger_codes] \
            if trigger_type == "SIGNAL_UPDATED" else [payloads.trigger(trigger_type)]
        payload = payloads.v3_state(event_id, webhook.id, webhook.name, vehicle, user_id, readings, triggers, now)
        self._insert(webhook, vehicle.id, event_id, "VEHICLE_STATE", payload)

    def _resolve(self, webhook: Webhook, vehicle: Vehicle, user_id: str | None, codes: list[str]) -> None:
        """After a VEHICLE_ERROR, the next successful read first announces the recovery (``state: RESOLVED``)."""
        last = self.db.one("SELECT event_type, payload FROM deliveries WHERE webhook_id = ? AND vehicle_id = ?"
                           " AND event_type IN ('VEHICLE_STATE', 'VEHICLE_ERROR') ORDER BY created_at DESC, rowid DESC"
                           " LIMIT 1", (webhook.id, vehicle.id))
        if last is None or last["event_type"] != "VEHICLE_ERROR":
            return
        errors = json.loads(last["payload"]).get("data", {}).get("errors") or [{}]
        if errors[0].get("state") != "ERROR":
            return
        event_id = new_id()
        signals = [{"code": c, "name": BY_CODE[c].name, "group": BY_CODE[c].group} for c in codes]
        self._insert(webhook, vehicle.id, event_id, "VEHICLE_ERROR", payloads.v3_error(
            event_id, webhook.id, webhook.name, vehicle, user_id, (errors[0]["type"], errors[0]["code"]), "RESOLVED",
            signals))

    def _insert(self, webhook: Webhook, vehicle_id: str | None, event_id: str, event_type: str,
                payload: dict[str, Any], due: float | None = None) -> str:
        now = self.clock.timestamp()
        delivery_id = new_id()
        self.db.execute(
            "INSERT INTO deliveries (id, event_id, webhook_id, vehicle_id, event_type, payload, status, attempts,"
            " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
            (delivery_id, event_id, webhook.id, vehicle_id, event_type, payloads.serialise(payload),
             now if due is None else due, now, now))
        return delivery_id

    def test_event(self, client_id: str | None, webhook_id: str, vehicle_id: str | None = None) -> str:
        """Queue a delivery now for one subscribed vehicle (the first, unless named); returns the event id."""
        webhook = self.webhooks.get(client_id, webhook_id)
        if webhook is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "webhookId", "message": "No such webhook."}])
        subscribed = self.webhooks.subscriptions(webhook.client_id, webhook_id=webhook.id)
        chosen = next((s for s in subscribed if vehicle_id in (None, s.vehicle_id)), None)
        vehicle = self.vehicles.get(chosen.vehicle_id) if chosen else None
        if chosen is None or vehicle is None:
            raise ApiError("VALIDATION", detail=[{"field": "vehicleId",
                                                  "message": "Subscribe a vehicle to the webhook first."}])
        state = self.reading(vehicle.id)
        self._scheduled_one(webhook, [(vehicle, chosen, state)], "TEST")
        after = self.db.one("SELECT event_id FROM deliveries WHERE webhook_id = ? ORDER BY created_at DESC, rowid"
                            " DESC LIMIT 1", (webhook.id,))
        self._ring()
        assert after is not None
        return str(after["event_id"])

    # Schedules -------------------------------------------------------------------------------------
    def schedule_due(self) -> int:
        """Queue the scheduled deliveries that came due on the platform clock; returns how many."""
        now = self.clock.timestamp()
        rows = self.db.all("SELECT webhook_id, interval_s, next_scheduled_at FROM webhook_delivery"
                           " WHERE interval_s IS NOT NULL AND next_scheduled_at <= ?", (now,))
        queued = 0
        for row in rows:
            taken = self.db.execute("UPDATE webhook_delivery SET next_scheduled_at = ? WHERE webhook_id = ?"
                                    " AND next_scheduled_at = ?",
                                    (now + row["interval_s"], row["webhook_id"], row["next_scheduled_at"]))
            webhook = self.webhooks.get(None, row["webhook_id"])
            if not taken or webhook is None or not webhook.is_enabled:
                continue
            found = []
            for subscription in self.webhooks.subscriptions(webhook.client_id, webhook_id=webhook.id):
                vehicle = self.vehicles.get(subscription.vehicle_id)
                if vehicle is not None:
                    found.append((vehicle, subscription, self.reading(vehicle.id)))
            queued += self._scheduled_one(webhook, found, "SCHEDULED")
        if queued:
            self._ring()
        return queued

    def _scheduled_one(self, webhook: Webhook, found: list[tuple[Vehicle, Subscription, VehicleState]],
                       trigger_type: str) -> int:
        now = self.clock.timestamp()
        if not found:
            return 0
        if self._version(webhook.id) == "v2":
            event_id = new_id()
            vehicles = [payloads.v2_vehicle_data(v, s, new_id(), now) for v, _, s in found]
            self._insert(webhook, None if len(found) > 1 else found[0][0].id, event_id, "SCHEDULED",
                         payloads.v2_scheduled(webhook.id, found[0][0].mode, vehicles))
            return 1
        codes = tuple(webhook.data or DEFAULT_SIGNALS)
        for start in range(0, len(found), 50):  # short transactions: API requests wait for the lock in between
            with self.db.transaction():
                for vehicle, subscription, state in found[start:start + 50]:
                    self._insert_v3(webhook, subscription, vehicle, state, codes, now, trigger_type)
        return len(found)

    def active_subscribed(self) -> list[str]:
        """Subscribed vehicles that are charging or driving: time alone can raise their events (charge complete,
        trip ended, battery low), so the worker reads them now and then to let the simulator catch up."""
        rows = self.db.all("SELECT DISTINCT v.id FROM subscriptions s JOIN vehicles v ON v.id = s.vehicle_id"
                           " WHERE json_extract(v.state, '$.charging') OR json_extract(v.state, '$.trip') IS NOT NULL")
        return [row["id"] for row in rows]

    # The queue -------------------------------------------------------------------------------------
    def claim(self, limit: int) -> list[Claimed]:
        """Due deliveries of verified webhooks, leased to the caller for one attempt's time."""
        now = self.clock.timestamp()
        real = time.time()
        if self.db.one("SELECT 1 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1",
                       (now,)) is None:
            return []  # nothing due: no write lock taken (the worker asks ten times a second)
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT d.id, d.event_id, d.webhook_id, d.event_type, d.payload, d.attempts, w.callback_uri,"
                " w.error_callback_uri, a.amt FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                " JOIN apps a ON a.client_id = w.client_id JOIN webhook_delivery s ON s.webhook_id = w.id"
                " WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)"
                " AND s.verify_status = 'verified' AND s.verify_uri = w.callback_uri"
                " ORDER BY d.next_attempt_at LIMIT ?", (now, real, limit)).fetchall()
            lease = real + self.policy.timeout_s + 1
            conn.executemany("UPDATE deliveries SET lease_until = ? WHERE id = ?", [(lease, r["id"]) for r in rows])
        return [Claimed(r["id"], r["event_id"], r["webhook_id"],
                        (r["error_callback_uri"] if r["event_type"] == "VEHICLE_ERROR" and r["error_callback_uri"]
                         else r["callback_uri"]), r["amt"], json.loads(r["payload"]), r["attempts"] + 1)
                for r in rows]

    def attempted(self, claimed: Claimed, body: bytes, status_code: int | None, error: str | None,
                  duration_ms: float) -> str:
        """Record one attempt; returns the delivery's status (delivered, pending again, or failed)."""
        ok = error is None and status_code is not None and 200 <= status_code < 300
        now = self.clock.timestamp()
        attempts = claimed.attempt
        status = "delivered" if ok else ("failed" if attempts > self.policy.retries else "pending")
        due = now + self.policy.delay(attempts) if status == "pending" else now
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO delivery_attempts (delivery_id, attempt, at, status_code, error,"
                         " duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                         (claimed.id, attempts, now, status_code, error, round(duration_ms, 1)))
            conn.execute("UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,"
                         " body = ?, updated_at = ? WHERE id = ?",
                         (status, attempts, due, body.decode("utf-8"), now, claimed.id))
        return status

    def next_due(self) -> float | None:
        """The platform time of the next pending delivery, if any."""
        row = self.db.one("SELECT min(next_attempt_at) AS due FROM deliveries WHERE status = 'pending'")
        return float(row["due"]) if row and row["due"] is not None else None

    # The log ---------------------------------------------------------------------------------------
    def log(self, webhook_id: str | None = None, vehicle_id: str | None = None, status: str | None = None,
            limit: int = 100) -> list[dict[str, Any]]:
        """Deliveries, newest first, each with its attempts."""
        sql, params = "SELECT * FROM deliveries WHERE 1 = 1", []
        for column, value in (("webhook_id", webhook_id), ("vehicle_id", vehicle_id), ("status", status)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = self.db.all(sql + " ORDER BY created_at DESC, rowid DESC LIMIT ?", (*params, max(1, min(limit, 1000))))
        return [self._entry(row) for row in rows]

    def entry(self, delivery_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        return self._entry(row) if row else None

    def _entry(self, row: sqlite3.Row) -> dict[str, Any]:
        attempts = self.db.all("SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt", (row["id"],))
        return {"id": row["id"], "eventId": row["event_id"], "webhookId": row["webhook_id"],
                "vehicleId": row["vehicle_id"], "eventType": row["event_type"], "status": row["status"],
                "attempts": [{"attempt": a["attempt"], "at": a["at"], "statusCode": a["status_code"],
                              "error": a["error"], "durationMs": a["duration_ms"]} for a in attempts],
                "nextAttemptAt": row["next_attempt_at"] if row["status"] == "pending" else None,
                "payload": json.loads(row["payload"]), "body": row["body"], "createdAt": row["created_at"]}

    def resend(self, delivery_id: str) -> str:
        """Queue the delivery again, now, with the same event id (receivers de-duplicate it)."""
        row = self.db.one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        if row is None or row["event_type"] == "VERIFY":
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "deliveryId", "message": "No such delivery."}])
        webhook = self.webhooks.get(None, row["webhook_id"])
        if webhook is None:
            raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "webhookId", "message": "No such webhook."}])
        new = self._insert(webhook, row["vehicle_id"], row["event_id"], row["event_type"], json.loads(row["payload"]))
        self._ring()
        return new

    def idle(self) -> bool:
        """No webhook is registered: nothing can be due, so the worker need not poll (a new one rings)."""
        return self.db.one("SELECT 1 FROM webhooks LIMIT 1") is None

    def _ring(self) -> None:
        for wake in self.wake:
            wake()
