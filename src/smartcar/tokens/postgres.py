"""``PostgresTokenStore``: tokens in PostgreSQL (psycopg 3, the ``postgres`` extra), shared by every process on
every host.

The lock is the user's row, taken with ``SELECT … FOR UPDATE`` under ``lock_timeout``: refreshes of different
users run in parallel, two workers never refresh the same user at once. It is released by the commit that
stores the refreshed pair, or by the server when the holder's connection dies.

Waiters are bounded by ``lock_timeout`` (they raise ``LockTimeout`` and retry); the holder by ``hold_timeout``
(default 30 s): the store's sessions set ``idle_in_transaction_session_timeout``, so a holder that stalls in its
locking transaction (a process stopped, a hung host, a debugger) has that transaction ended by PostgreSQL, which
releases the lock. Waiting for the token endpoint counts as idle, so ``hold_timeout`` must stay well above what a
token request takes. The stalled holder finds out at its next statement: ``save``, ``delete``, ``commit`` and
``verify`` raise ``LockLost`` (nothing it wrote was committed), and the managers then store a pair already
received only if the row is unchanged (see ``_Core.rescue``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ._base import (DEFAULT_LOCK_TIMEOUT, Cipher, LockLost, LockTimeout, Pool, TokenLock, TokenRecord,
                    TokenStore, check_identifier, missing_extra)

DEFAULT_HOLD_TIMEOUT = 30.0  # seconds a holder may sit in its locking transaction between two statements


def _milliseconds(seconds: float) -> str:
    return f"{max(1, int(seconds * 1000))}ms"


_COLUMNS = ("user_id", "access_token", "refresh_token", "expires_at", "refresh_expires_at", "version",
            "updated_at")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise missing_extra("psycopg", "postgres", "PostgresTokenStore") from None
    return psycopg


class _PostgresLock(TokenLock):
    def __init__(self, store: PostgresTokenStore, conn: Any, user_id: str, record: TokenRecord | None) -> None:
        self._store, self._conn, self._user_id = store, conn, user_id
        self.record = record
        self._open = True
        self._lost: str | None = None  # why the transaction ended under us, once it has

    def _in_transaction(self, statement: Callable[[], Any]) -> Any:
        """Run a statement of the locking transaction; ``LockLost`` if the server has ended that transaction."""
        if self._lost is not None:
            raise LockLost(self._lost)
        try:
            return statement()
        except self._store._pg.Error as error:
            if not self._store._session_ended(self._conn, error):
                raise
            raise self._lose(error) from None

    def _lose(self, error: BaseException) -> LockLost:
        """The transaction is gone (so is the lock): drop the connection and say why, naming the user only."""
        self._lost = self._store._lost_message(self._user_id, error)
        self._open = False
        self._store._release(self._conn, rollback=True)  # a closed connection is discarded, not pooled
        return LockLost(self._lost)

    def save(self, record: TokenRecord) -> None:
        self._in_transaction(lambda: self._store._upsert(self._conn, record))

    def delete(self) -> None:
        self._in_transaction(lambda: self._conn.execute(self._store._sql("DELETE FROM {t} WHERE user_id = %s"),
                                                        (self._user_id,)))

    def verify(self) -> None:
        self._in_transaction(lambda: self._conn.execute("SELECT 1"))

    def commit(self) -> None:
        if self._lost is not None:
            raise LockLost(self._lost)
        if not self._open:
            return
        try:
            status = self._conn.execute("COMMIT").statusmessage
            if status != "COMMIT":  # an aborted transaction "commits" as a ROLLBACK
                raise self._store._pg.OperationalError(f"COMMIT answered {status}")
        except self._store._pg.Error as error:
            if self._store._session_ended(self._conn, error):
                raise self._lose(error) from None
            self.rollback()
            raise
        except BaseException:
            self.rollback()
            raise
        self._open = False
        self._store._pool.give(self._conn)

    def rollback(self) -> None:
        if not self._open:
            return
        self._open = False
        self._store._release(self._conn, rollback=True)


class PostgresTokenStore(TokenStore):
    """Tokens in the table ``table`` (in ``schema`` when given), created when missing. ``dsn``: a libpq
    connection string or URL (``postgresql://user@host/db``). ``encryption_key``: a Fernet key (or a list,
    newest first) to encrypt tokens at rest. At most ``max_connections`` connections per process.
    ``lock_timeout``: how long a worker waits for a user's lock. ``hold_timeout``: how long a holder may sit in
    its locking transaction without a statement (waiting for the token endpoint, or stalled) before PostgreSQL
    ends it and releases the lock (``idle_in_transaction_session_timeout``; None: never)."""

    def __init__(self, dsn: str, *, table: str = "smartcar_tokens", schema: str | None = None,
                 encryption_key: str | bytes | Sequence[str | bytes] | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, max_connections: int = 10,
                 hold_timeout: float | None = DEFAULT_HOLD_TIMEOUT) -> None:
        if hold_timeout is not None and (isinstance(hold_timeout, bool) or not isinstance(hold_timeout, (int, float))
                                         or not hold_timeout > 0):
            raise ValueError(f"hold_timeout must be a positive number of seconds or None, not {hold_timeout!r}")
        self._pg = _psycopg()
        self.dsn = dsn
        self.table = check_identifier(table)
        self.schema = check_identifier(schema, "schema") if schema else None
        self.lock_timeout = lock_timeout
        self.hold_timeout = hold_timeout
        self._cipher = Cipher(encryption_key)
        self._pool: Pool[Any] = Pool(self._connect, lambda c: c.close(), max_connections)
        self._create_schema()

    def _connect(self) -> Any:
        # Autocommit: a plain read is one round trip; writes and locks open their transaction explicitly.
        conn = self._pg.connect(self.dsn, autocommit=True, application_name="smartcar.tokens")
        if self.hold_timeout is not None:
            # For the whole session, so every transaction of this store is bounded, the locking one above all: a
            # holder that stalls past it has its transaction (and row lock) ended by the server. Set here rather
            # than in the DSN's options, which the caller may use for search_path etc.
            try:
                conn.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, false)",
                             (_milliseconds(self.hold_timeout),))
            except BaseException:
                conn.close()
                raise
        return conn

    def _session_ended(self, conn: Any, error: BaseException) -> bool:
        """Whether ``error`` means the server ended the session (and with it any transaction and lock)."""
        return (isinstance(error, self._pg.errors.IdleInTransactionSessionTimeout) or bool(conn.closed)
                or bool(getattr(conn, "broken", False)))

    def _lost_message(self, user_id: str, error: BaseException) -> str:
        if isinstance(error, self._pg.errors.IdleInTransactionSessionTimeout):
            why = (f"PostgreSQL ended the locking transaction after it sat idle for more than hold_timeout="
                   f"{self.hold_timeout} s")
        else:
            why = f"the connection holding it dropped ({type(error).__name__})"
        return (f"user {user_id}: the row lock was lost: {why}; nothing written under it was committed, and "
                "another worker may have taken the lock since (retry)")

    def _sql(self, text: str) -> Any:
        name = (self._pg.sql.Identifier(self.schema, self.table) if self.schema
                else self._pg.sql.Identifier(self.table))
        return self._pg.sql.SQL(text).format(t=name)

    def _create_schema(self) -> None:
        def create(conn: Any) -> None:
            # Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogue: serialise them.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('smartcar.tokens schema'))")
            if self.schema:
                conn.execute(self._pg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    self._pg.sql.Identifier(self.schema)))
            conn.execute(self._sql(
                "CREATE TABLE IF NOT EXISTS {t} (user_id text PRIMARY KEY, access_token text NOT NULL,"
                " refresh_token text NOT NULL, expires_at double precision NOT NULL,"
                " refresh_expires_at double precision NOT NULL, version bigint NOT NULL DEFAULT 0,"
                " updated_at double precision NOT NULL)"))
        self._run(create)

    # Plumbing ---------------------------------------------------------------------------------------
    def _release(self, conn: Any, rollback: bool = False) -> None:
        broken = bool(conn.closed)
        if rollback and not broken and conn.info.transaction_status != self._pg.pq.TransactionStatus.IDLE:
            try:
                conn.execute("ROLLBACK")
            except self._pg.Error:
                broken = True
        self._pool.give(conn, broken=broken)

    def _run(self, fn: Any, lock_timeout: float | None = None, transaction: bool = True) -> Any:
        """``fn(conn)``, in one committed transaction unless ``transaction=False`` (a single read); rolled back
        (and the connection checked) on error."""
        conn = self._pool.take(self.lock_timeout)
        try:
            if not transaction:
                result = fn(conn)
            else:
                with conn.transaction():
                    if lock_timeout is not None:
                        self._set_lock_timeout(conn, lock_timeout)
                    result = fn(conn)
        except (self._pg.errors.LockNotAvailable, self._pg.errors.QueryCanceled):
            self._release(conn, rollback=True)
            raise LockTimeout(f"PostgreSQL row lock not acquired within {lock_timeout} s") from None
        except BaseException:
            self._release(conn, rollback=True)
            raise
        self._pool.give(conn)
        return result

    def _set_lock_timeout(self, conn: Any, seconds: float) -> None:
        """Bound lock waits in this (short) transaction: each statement, not only each lock (see ``lock``)."""
        ms = _milliseconds(seconds)
        conn.execute("SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
                     (ms, ms))

    def _decode(self, row: Any) -> TokenRecord:
        return TokenRecord(row[0], self._cipher.decrypt(row[1]), self._cipher.decrypt(row[2]), float(row[3]),
                           float(row[4]), int(row[5]), float(row[6]))

    def _row(self, conn: Any, user_id: str, for_update: bool = False) -> TokenRecord | None:
        text = "SELECT " + ", ".join(_COLUMNS) + " FROM {t} WHERE user_id = %s" + (" FOR UPDATE" if for_update
                                                                                    else "")
        row = conn.execute(self._sql(text), (user_id,)).fetchone()
        return None if row is None else self._decode(row)

    def _upsert(self, conn: Any, record: TokenRecord) -> None:
        conn.execute(self._sql(
            "INSERT INTO {t} (" + ", ".join(_COLUMNS) + ") VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (user_id) DO UPDATE SET access_token = excluded.access_token,"
            " refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,"
            " refresh_expires_at = excluded.refresh_expires_at, version = excluded.version,"
            " updated_at = excluded.updated_at"),
            (record.user_id, self._cipher.encrypt(record.access_token), self._cipher.encrypt(record.refresh_token),
             record.expires_at, record.refresh_expires_at, record.version, time.time()))

    # TokenStore -------------------------------------------------------------------------------------
    def get(self, user_id: str) -> TokenRecord | None:
        result: TokenRecord | None = self._run(lambda conn: self._row(conn, user_id), transaction=False)
        return result

    def put(self, record: TokenRecord) -> TokenRecord:
        def write(conn: Any) -> TokenRecord:
            old = self._row(conn, record.user_id, for_update=True)
            stored = TokenRecord(record.user_id, record.access_token, record.refresh_token, record.expires_at,
                                 record.refresh_expires_at, old.version + 1 if old else record.version,
                                 time.time())
            self._upsert(conn, stored)
            return stored
        result: TokenRecord = self._run(write, self.lock_timeout)
        return result

    def compare_and_put(self, record: TokenRecord, expected_version: int) -> bool:
        def write(conn: Any) -> bool:
            old = self._row(conn, record.user_id, for_update=True)
            if old is None or old.version != expected_version:
                return False
            self._upsert(conn, record)
            return True
        return bool(self._run(write, self.lock_timeout))

    def delete(self, user_id: str) -> bool:
        return bool(self._run(lambda conn: conn.execute(self._sql("DELETE FROM {t} WHERE user_id = %s"),
                                                        (user_id,)).rowcount, self.lock_timeout))

    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        wait = self.lock_timeout if timeout is None else timeout
        conn = self._pool.take(wait)
        try:
            conn.execute("BEGIN")
            # lock_timeout bounds each lock wait, and a row lock can be two (the tuple, then the holder's
            # transaction): statement_timeout bounds the whole SELECT … FOR UPDATE, then is restored.
            ms = _milliseconds(wait)
            previous = conn.execute("SELECT current_setting('statement_timeout'), set_config('lock_timeout', %s, true),"
                                    " set_config('statement_timeout', %s, true)", (ms, ms)).fetchone()[0]
            record = self._row(conn, user_id, for_update=True)
            conn.execute("SELECT set_config('statement_timeout', %s, true)", (previous,))
        except (self._pg.errors.LockNotAvailable, self._pg.errors.QueryCanceled):
            self._release(conn, rollback=True)
            raise LockTimeout(f"user {user_id}: row lock not acquired within {wait} s") from None
        except BaseException:
            self._release(conn, rollback=True)
            raise
        return _PostgresLock(self, conn, user_id, record)

    def purge(self, refresh_expired_before: float) -> list[str]:
        result: list[str] = self._run(lambda conn: [row[0] for row in conn.execute(
            self._sql("DELETE FROM {t} WHERE refresh_expires_at <= %s RETURNING user_id"),
            (refresh_expired_before,))], self.lock_timeout)
        return result

    def user_ids(self) -> list[str]:
        result: list[str] = self._run(lambda conn: [row[0] for row in conn.execute(
            self._sql("SELECT user_id FROM {t} ORDER BY user_id"))], transaction=False)
        return result

    def drop(self) -> None:
        """Drop the table (and the schema, when one was given and is empty): for tests."""
        def drop(conn: Any) -> None:
            conn.execute(self._sql("DROP TABLE IF EXISTS {t}"))
            if self.schema:
                conn.execute(self._pg.sql.SQL("DROP SCHEMA IF EXISTS {}").format(
                    self._pg.sql.Identifier(self.schema)))
        self._run(drop)

    def close(self) -> None:
        self._pool.close()
