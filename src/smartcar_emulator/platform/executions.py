"""Command and charge-schedule executions: stored so they can be read by id, pending ones completed on the clock.

An execution is ``SUCCESS`` at once when it ran synchronously, or ``PENDING`` until ``complete_at`` (platform
clock); the owner (:class:`~.commands.CommandService`) applies a pending one's effect when it comes due and marks
it ``SUCCESS`` or ``FAILED`` with the error the vehicle answered.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..store import Database
from .ids import new_id

PENDING, SUCCESS, FAILED = "PENDING", "SUCCESS", "FAILED"


@dataclass(frozen=True)
class Execution:
    id: str
    kind: str  # "command" or "schedule"
    client_id: str
    user_id: str | None
    vehicle_id: str
    name: str  # commandType ("charge-start"), or "<action>:<scheduleType>" for schedules
    parameters: dict[str, Any]
    status: str
    error: dict[str, Any] | None
    result: dict[str, Any]
    executed_at: float
    complete_at: float
    completed_at: float | None

    @property
    def asynchronous(self) -> bool:
        return self.complete_at > self.executed_at


def _execution(row: sqlite3.Row) -> Execution:
    return Execution(row["id"], row["kind"], row["client_id"], row["user_id"], row["vehicle_id"], row["name"],
                     json.loads(row["parameters"]), row["status"], json.loads(row["error"]) if row["error"] else None,
                     json.loads(row["result"] or "{}"), row["executed_at"], row["complete_at"], row["completed_at"])


class ExecutionStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(self, kind: str, client_id: str, user_id: str | None, vehicle_id: str, name: str,
            parameters: dict[str, Any], delay: float, result: dict[str, Any] | None = None,
            prefix: str = "exec_") -> Execution:
        """Record an execution: completed now (``delay`` 0) or pending for ``delay`` seconds."""
        now = self.clock.timestamp()
        execution_id = prefix + new_id().replace("-", "")[:20]
        status = SUCCESS if delay <= 0 else PENDING
        self.db.execute(
            "INSERT INTO executions (id, kind, client_id, user_id, vehicle_id, name, parameters, status, result,"
            " executed_at, complete_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (execution_id, kind, client_id, user_id, vehicle_id, name, json.dumps(parameters), status,
             json.dumps(result or {}), now, now + max(0.0, delay), now if delay <= 0 else None))
        found = self.get(execution_id)
        assert found is not None
        return found

    def get(self, execution_id: str) -> Execution | None:
        row = self.db.one("SELECT * FROM executions WHERE id = ?", (execution_id,))
        return _execution(row) if row else None

    def due(self, vehicle_id: str) -> list[Execution]:
        """Pending executions of a vehicle whose time has come, oldest first."""
        rows = self.db.all("SELECT * FROM executions WHERE vehicle_id = ? AND status = ? AND complete_at <= ?"
                           " ORDER BY complete_at, executed_at", (vehicle_id, PENDING, self.clock.timestamp()))
        return [_execution(row) for row in rows]

    def finish(self, execution: Execution, error: dict[str, Any] | None, result: dict[str, Any] | None = None) -> None:
        self.db.execute("UPDATE executions SET status = ?, error = ?, result = ?, completed_at = ?"
                        " WHERE id = ? AND status = ?",
                        (FAILED if error else SUCCESS, json.dumps(error) if error else None,
                         json.dumps({**execution.result, **(result or {})}), execution.complete_at, execution.id,
                         PENDING))
