"""The framework-independent receiver: answer VERIFY, verify, de-duplicate by event id, call the handler."""

from __future__ import annotations

import inspect
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

from ._payloads import Event, InvalidSignature, VerifyEvent, WebhookError

logger = logging.getLogger(__name__)

Handler = Callable[[Event], Union[None, Awaitable[None], Any]]


class EventLog(Protocol):
    """Where a receiver remembers event ids (share one across processes for at-least-once de-duplication)."""

    def claim(self, event_id: str) -> bool:
        """Reserve ``event_id``; False when it was handled or is being handled."""
        ...

    def release(self, event_id: str) -> None:
        """Forget a claim whose handling failed, so the platform's retry is handled."""
        ...


class MemoryEventLog:
    """The last ``size`` event ids in memory (thread-safe): enough for one process."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True

    def release(self, event_id: str) -> None:
        with self._lock:
            self._ids.pop(event_id, None)


class SQLiteEventLog:
    """Event ids in a SQLite file, shared by every process of one host (e.g. gunicorn workers); ``claim`` is one
    ``INSERT OR IGNORE``, so two processes receiving the same event concurrently handle it once."""

    def __init__(self, path: str, table: str = "smartcar_webhook_events") -> None:
        if not table.replace("_", "").isalnum():
            raise ValueError("table must be letters, digits and underscores")
        self._table = table
        self._local = threading.local()
        self.path = path
        with self._connection() as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (event_id TEXT PRIMARY KEY, claimed_at REAL NOT NULL)")

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def claim(self, event_id: str) -> bool:
        cursor = self._connection().execute(
            f"INSERT OR IGNORE INTO {self._table} (event_id, claimed_at) VALUES (?, ?)", (event_id, time.time()))
        return cursor.rowcount == 1

    def release(self, event_id: str) -> None:
        self._connection().execute(f"DELETE FROM {self._table} WHERE event_id = ?", (event_id,))

    def purge(self, older_than_s: float = 7 * 86400) -> int:
        """Forget ids claimed longer ago than this (the platform retries for minutes, not days)."""
        cursor = self._connection().execute(f"DELETE FROM {self._table} WHERE claimed_at < ?",
                                            (time.time() - older_than_s,))
        return cursor.rowcount


@dataclass(frozen=True)
class Reply:
    """What to answer: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class Receiver:
    """Handles one webhook request given its raw body and ``SC-Signature`` header.

    ``handler`` gets each new event once (sync or ``async def``); a handler that raises makes the answer a 500,
    so the platform retries, and the event id is released for that retry. VERIFY is answered here.
    """

    def __init__(self, amt: str, handler: Handler, *, events: EventLog | None = None,
                 max_age: float | None = None) -> None:
        if not isinstance(amt, str) or not amt:
            raise TypeError("amt must be a non-empty str (the application management token)")
        self.amt = amt
        self.handler = handler
        self.events: EventLog = events if events is not None else MemoryEventLog()
        self.max_age = max_age

    def _start(self, body: bytes, signature: str | None) -> Reply | tuple[Event, str | None]:
        from . import challenge_response, parse

        try:
            event = parse(body, signature, self.amt, max_age=self.max_age)
        except InvalidSignature as error:
            logger.warning("webhook refused: %s", error)
            return Reply(401, {"error": "invalid_signature", "message": str(error)})
        except WebhookError as error:
            logger.warning("webhook refused: %s", error)
            return Reply(400, {"error": "invalid_payload", "message": str(error)})
        if isinstance(event, VerifyEvent):
            return Reply(200, challenge_response(event, self.amt))
        event_id = event.event_id
        if event_id is not None and not self.events.claim(event_id):
            return Reply(200, {"status": "duplicate", "eventId": event_id})
        return event, event_id

    def _failed(self, event_id: str | None, error: BaseException) -> Reply:
        if event_id is not None:
            self.events.release(event_id)
        logger.error("webhook handler failed: %s", type(error).__name__)
        return Reply(500, {"error": "handler_failed"})

    def handle(self, body: bytes, signature: str | None) -> Reply:
        """Handle a request in a sync framework (an ``async def`` handler is refused: use :meth:`ahandle`)."""
        started = self._start(body, signature)
        if isinstance(started, Reply):
            return started
        event, event_id = started
        try:
            result = self.handler(event)
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()
                raise TypeError("an async handler needs Receiver.ahandle (e.g. the Starlette receiver)")
        except Exception as error:  # noqa: BLE001 - any handler failure means "retry me"
            return self._failed(event_id, error)
        return _handled(event_id)

    async def ahandle(self, body: bytes, signature: str | None) -> Reply:
        """Handle a request in an async framework; a sync handler is called directly."""
        started = self._start(body, signature)
        if isinstance(started, Reply):
            return started
        event, event_id = started
        try:
            result = self.handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception as error:  # noqa: BLE001
            return self._failed(event_id, error)
        return _handled(event_id)


def _handled(event_id: str | None) -> Reply:
    """The answer once the handler took the event (the platform then stops retrying)."""
    return Reply(200, {"status": "ok", **({"eventId": event_id} if event_id else {})})
