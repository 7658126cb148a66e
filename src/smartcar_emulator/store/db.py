"""The SQLite database: connection, schema and migrations.

One connection is shared by the server's threads behind a lock; WAL mode lets other processes (the CLI)
read while the server writes. Every write happens in a transaction that is committed before the HTTP
response is sent, so what a client was told survives a crash.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA: list[str] = [
    # version 1
    """
    CREATE TABLE apps (
        client_id TEXT PRIMARY KEY,
        client_secret TEXT NOT NULL,
        name TEXT NOT NULL,
        redirect_uris TEXT NOT NULL,          -- JSON list
        amt TEXT NOT NULL,                    -- application management token
        connect_flow TEXT NOT NULL DEFAULT 'both',
        created_at REAL NOT NULL
    );
    CREATE TABLE accounts (                   -- OEM logins of live mode (`users add`)
        email TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE vehicles (
        id TEXT PRIMARY KEY,
        vin TEXT NOT NULL,
        make TEXT NOT NULL,
        model TEXT NOT NULL,
        year INTEGER NOT NULL,
        powertrain TEXT NOT NULL,
        mode TEXT NOT NULL,                   -- test, simulated, live
        owner TEXT NOT NULL,                  -- account key: mode + email
        level TEXT,                           -- test-mode compatibility level
        test_error TEXT,                      -- "TYPE.CODE" or v1 "error:code" forced on data endpoints
        state TEXT NOT NULL,                  -- JSON VehicleState
        created_at REAL NOT NULL,
        UNIQUE (vin, mode)
    );
    CREATE INDEX vehicles_owner ON vehicles (owner);
    CREATE TABLE users (                      -- Smartcar users: one per application and OEM account
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (client_id, owner)
    );
    CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        vehicle_id TEXT NOT NULL,
        scopes TEXT NOT NULL,                 -- JSON list, no required: prefix
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        UNIQUE (client_id, user_id, vehicle_id)
    );
    CREATE INDEX connections_user ON connections (client_id, user_id);
    CREATE TABLE connect_sessions (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        params TEXT NOT NULL,                 -- JSON: the validated authorize parameters
        step TEXT NOT NULL,                   -- preamble, brand, login, grant, done
        make TEXT,
        owner TEXT,
        vehicle_ids TEXT,                     -- JSON list offered on the grant page
        created_at REAL NOT NULL
    );
    CREATE TABLE codes (
        code_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        user_id TEXT NOT NULL,
        expires_at REAL NOT NULL,
        used_at REAL
    );
    CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,                   -- access, refresh, application
        client_id TEXT NOT NULL,
        user_id TEXT,
        expires_at REAL NOT NULL,
        revoked_at REAL,
        created_at REAL NOT NULL
    );
    CREATE INDEX tokens_user ON tokens (client_id, user_id);
    CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        callback_uri TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE subscriptions (
        webhook_id TEXT NOT NULL,
        vehicle_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (webhook_id, vehicle_id)
    );
    """,
    # version 2: strict OAuth (RFC 6749 / 6819 / 7636): token chains for replay and reuse detection, whether
    # redirect_uri was sent to authorize, PKCE challenges, and when a refresh token was rotated.
    """
    ALTER TABLE codes ADD COLUMN redirect_uri_sent INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE codes ADD COLUMN code_challenge TEXT;
    ALTER TABLE codes ADD COLUMN code_challenge_method TEXT;
    ALTER TABLE codes ADD COLUMN chain TEXT;
    ALTER TABLE tokens ADD COLUMN chain TEXT;   -- every token descended from one authorization code
    ALTER TABLE tokens ADD COLUMN used_at REAL; -- a refresh token: when it was rotated
    CREATE INDEX tokens_chain ON tokens (chain);
    """,
    # version 3: Dashboard-like application settings (allowed permissions and makes, default scope) as JSON.
    """
    ALTER TABLE apps ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
    """,
    # version 4 (issue 20): Management API v3 webhooks (enabled, auto-subscribe, trigger and data signal codes,
    # error callback) and subscriptions (id, user); command and charge-schedule executions (readable by id,
    # pending ones complete on the platform clock).
    """
    ALTER TABLE webhooks ADD COLUMN is_enabled INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE webhooks ADD COLUMN auto_subscribe INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE webhooks ADD COLUMN triggers TEXT NOT NULL DEFAULT '[]';   -- JSON list of v3 signal codes
    ALTER TABLE webhooks ADD COLUMN data TEXT NOT NULL DEFAULT '[]';       -- JSON list of v3 signal codes
    ALTER TABLE webhooks ADD COLUMN error_callback_uri TEXT;
    ALTER TABLE webhooks ADD COLUMN updated_at REAL;
    ALTER TABLE subscriptions ADD COLUMN id TEXT;
    ALTER TABLE subscriptions ADD COLUMN user_id TEXT;
    ALTER TABLE subscriptions ADD COLUMN updated_at REAL;
    CREATE UNIQUE INDEX subscriptions_id ON subscriptions (id);
    CREATE INDEX subscriptions_vehicle ON subscriptions (vehicle_id);
    CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,                   -- command, schedule
        client_id TEXT NOT NULL,
        user_id TEXT,
        vehicle_id TEXT NOT NULL,
        name TEXT NOT NULL,                   -- commandType, or the schedule action and type
        parameters TEXT NOT NULL,             -- JSON
        status TEXT NOT NULL,                 -- PENDING, SUCCESS, FAILED
        error TEXT,                           -- JSON {type, code} of a failed execution
        result TEXT,                          -- JSON: what the execution produced (e.g. scheduleId)
        executed_at REAL NOT NULL,
        complete_at REAL NOT NULL,            -- when a pending execution completes (platform clock)
        completed_at REAL
    );
    CREATE INDEX executions_pending ON executions (vehicle_id, status);
    """,
    # version 5 (issue 15): webhook delivery. Per webhook: payload format, schedule and VERIFY state; the
    # delivery queue (an outbox written in the transaction of the change that caused it) and its attempts.
    """
    CREATE TABLE webhook_delivery (
        webhook_id TEXT PRIMARY KEY,
        version TEXT NOT NULL DEFAULT 'v3',   -- payload format: v2 or v3
        interval_s REAL,                      -- scheduled deliveries every N seconds (platform clock)
        next_scheduled_at REAL,
        verify_uri TEXT,                      -- the callback URI last challenged
        verify_status TEXT,                   -- pending, verified, failed
        verify_detail TEXT,
        verified_at REAL
    );
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,               -- idempotency key: the same on every attempt and resend
        webhook_id TEXT NOT NULL,
        vehicle_id TEXT,
        event_type TEXT NOT NULL,
        payload TEXT NOT NULL,                -- JSON, per-attempt fields (deliveryId, deliveredAt) added when sent
        body TEXT,                            -- the exact bytes last sent
        status TEXT NOT NULL,                 -- pending, delivered, failed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,        -- platform clock
        lease_until REAL,                     -- real time: a worker is sending it
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
    CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
    CREATE TABLE delivery_attempts (
        delivery_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at REAL NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms REAL,
        PRIMARY KEY (delivery_id, attempt)
    );
    """,
]


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/smartcar-emulator/emulator.db`` (``~/.local/share/...`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "smartcar-emulator" / "emulator.db"


class StoreError(Exception):
    """The database cannot be used: unreadable or unwritable, not a database, or of a newer schema."""


def _explain(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, OSError):
        return f"{error.strerror or text} ({error.filename or 'its folder'})"
    if "unable to open" in text or "readonly" in text:
        return f"{text} (does the folder exist, and can you write to it and the file?)"
    if "not a database" in text or "malformed" in text:
        return f"{text} (a corrupt file, or not an emulator database)"
    return text


class Database:
    """A thread-safe SQLite connection with explicit transactions."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        """Open (creating it and its folder if needed) and migrate; :class:`StoreError` when it cannot be used."""
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._conn.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot use the database {self.path}: {_explain(error)}") from error

    def _migrate(self) -> None:
        with self.transaction():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(SCHEMA):
                raise StoreError(f"the database {self.path} has schema version {version}, newer than this "
                                 f"emulator's {len(SCHEMA)}: upgrade smartcar-toolkit, or use another database")
            for index, script in enumerate(SCHEMA[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {index}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically; nested blocks join the outer transaction."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one write in its own transaction; returns the number of rows changed."""
        with self.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def clear(self, keep: tuple[str, ...] = ()) -> int:
        """Delete every row of every table except those named in ``keep``, in one transaction (the schema and
        its version stay). Returns the number of rows deleted."""
        with self.transaction() as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return sum(conn.execute(f'DELETE FROM "{name}"').rowcount for name in tables if name not in keep)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
