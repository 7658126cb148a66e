"""Smartcar users (one per application and OEM account) and their connections to vehicles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ..clock import Clock
from ..store import Database
from .ids import new_id


@dataclass(frozen=True)
class Connection:
    id: str
    client_id: str
    user_id: str
    vehicle_id: str
    scopes: tuple[str, ...]
    created_at: float
    updated_at: float


class ConnectionRepository:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        # Called with each connection granted (e.g. auto-subscribing webhooks); set at assembly.
        self.on_grant: list[Callable[[Connection], object]] = []  # called after each grant; results unused

    def user_for(self, client_id: str, owner: str) -> str:
        """The user id of an OEM account for this application, created on first use."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT id FROM users WHERE client_id = ? AND owner = ?",
                               (client_id, owner)).fetchone()
            if row:
                return str(row["id"])
            user_id = new_id()
            conn.execute("INSERT INTO users (id, client_id, owner, created_at) VALUES (?, ?, ?, ?)",
                         (user_id, client_id, owner, self.clock.timestamp()))
            return user_id

    def user_exists(self, user_id: str) -> bool:
        return self.db.one("SELECT 1 FROM users WHERE id = ?", (user_id,)) is not None

    def grant(self, client_id: str, user_id: str, vehicle_id: str, scopes: list[str]) -> Connection:
        """Connect a vehicle with these scopes (replacing the scopes of an existing connection)."""
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO connections (id, client_id, user_id, vehicle_id, scopes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, user_id, vehicle_id)"
                " DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at",
                (new_id(), client_id, user_id, vehicle_id, json.dumps(scopes), now, now),
            )
        found = self.find(client_id, user_id, vehicle_id)
        assert found is not None
        for hook in self.on_grant:
            hook(found)
        return found

    @staticmethod
    def _from_row(r: sqlite3.Row) -> Connection:
        return Connection(r["id"], r["client_id"], r["user_id"], r["vehicle_id"],
                          tuple(json.loads(r["scopes"])), r["created_at"], r["updated_at"])

    def find(self, client_id: str, user_id: str, vehicle_id: str) -> Connection | None:
        row = self.db.one("SELECT * FROM connections WHERE client_id = ? AND user_id = ? AND vehicle_id = ?",
                          (client_id, user_id, vehicle_id))
        return self._from_row(row) if row else None

    def get(self, connection_id: str) -> Connection | None:
        row = self.db.one("SELECT * FROM connections WHERE id = ?", (connection_id,))
        return self._from_row(row) if row else None

    def of_user(self, client_id: str, user_id: str) -> list[Connection]:
        rows = self.db.all("SELECT * FROM connections WHERE client_id = ? AND user_id = ?"
                           " ORDER BY created_at, rowid", (client_id, user_id))
        return [self._from_row(row) for row in rows]

    def search(self, client_id: str, user_id: str | None = None, vehicle_id: str | None = None,
               modes: tuple[str, ...] | None = None) -> list[Connection]:
        """Connections of an application, newest first, optionally filtered."""
        sql = "SELECT c.* FROM connections c JOIN vehicles v ON v.id = c.vehicle_id WHERE c.client_id = ?"
        params: list[object] = [client_id]
        if user_id:
            sql += " AND c.user_id = ?"
            params.append(user_id)
        if vehicle_id:
            sql += " AND c.vehicle_id = ?"
            params.append(vehicle_id)
        if modes:
            sql += f" AND v.mode IN ({', '.join('?' for _ in modes)})"
            params.extend(modes)
        sql += " ORDER BY c.created_at DESC, c.rowid DESC"
        return [self._from_row(row) for row in self.db.all(sql, tuple(params))]

    def delete(self, connection_ids: list[str]) -> None:
        with self.db.transaction() as conn:
            for connection_id in connection_ids:
                conn.execute("DELETE FROM connections WHERE id = ?", (connection_id,))
