"""``PostgresTokenStore``: tokens in PostgreSQL (psycopg 3, the ``postgres`` extra), shared by every process on
every host.

The lock is the user's row, taken with ``SELECT … FOR UPDATE`` under ``lock_timeout``: refreshes of different
users run in parallel, two workers never refresh the same user at once. It is released by the commit that
stores the refreshed pair, or by the server when the holder's connection dies.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ._base import (DEFAULT_LOCK_TIMEOUT, Cipher, LockTimeout, Pool, TokenLock, TokenRecord, TokenStore,
                    check_identifier, missing_extra)

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

    def save(self, record: TokenRecord) -> None:
        self._store._upsert(self._conn, record)

    def delete(self) -> None:
        self._conn.execute(self._store._sql("DELETE FROM {t} WHERE user_id = %s"), (self._user_id,))

    def commit(self) -> None:
        if not self._open:
            return
        try:
            status = self._conn.execute("COMMIT").statusmessage
            if status != "COMMIT":  # an aborted transaction "commits" as a ROLLBACK
                raise self._store._pg.OperationalError(f"COMMIT answered {status}")
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
    newest first) to encrypt tokens at rest. At most ``max_connections`` connections per process."""

    def __init__(self, dsn: str, *, table: str = "smartcar_tokens", schema: str | None = None,
                 encryption_key: str | bytes | Sequence[str | bytes] | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, max_connections: int = 10) -> None:
        self._pg = _psycopg()
        self.dsn = dsn
        self.table = check_identifier(table)
        self.schema = check_identifier(schema, "schema") if schema else None
        self.lock_timeout = lock_timeout
        self._cipher = Cipher(encryption_key)
        self._pool: Pool[Any] = Pool(self._connect, lambda c: c.close(), max_connections)
        self._create_schema()

    def _connect(self) -> Any:
        # Autocommit: a plain read is one round trip; writes and locks open their transaction explicitly.
        return self._pg.connect(self.dsn, autocommit=True, application_name="smartcar.tokens")

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
        ms = f"{max(1, int(seconds * 1000))}ms"
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
            ms = f"{max(1, int(wait * 1000))}ms"
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
