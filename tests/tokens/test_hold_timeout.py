"""PostgreSQL: a worker that stalls while it holds a user's row lock (a stopped process, a hung host) does not block
the others forever. The store's sessions set ``idle_in_transaction_session_timeout`` (``hold_timeout``): the server
ends the stalled transaction, the next worker gets the lock, and the stalled one fails cleanly when it resumes
(``LockLost``), without presenting a refresh token another worker may have used, and without losing or silently
dropping a pair it already received. Real PostgreSQL server, real emulator, real processes."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest

import smartcar
from smartcar.tokens import AsyncTokenManager, LockLost, LockTimeout, TokenLock, TokenManager, TokenRecord

from .conftest import PG_DSN, lock_holders, refreshes_at_emulator, wait_until_unlocked
from .test_manager import expire


def record(refresh: str = "refresh-1", version: int = 0) -> TokenRecord:
    return TokenRecord("u1", "access-1", refresh, 2e9, 3e9, version)


def store(schema: str, **options: Any) -> Any:
    from smartcar.tokens import PostgresTokenStore
    return PostgresTokenStore(PG_DSN, schema=schema, **options)


# -- The store ----------------------------------------------------------------------------------------------------
def test_a_stalled_holder_loses_the_lock_to_the_next_worker(pg_schema: str) -> None:
    holder, other = store(pg_schema, hold_timeout=1), store(pg_schema, lock_timeout=10)
    stalled: TokenLock | None = None
    try:
        holder.put(record())
        stalled = holder.lock("u1")
        stalled.save(record(refresh="never-committed", version=1))  # written under the lock, then nothing
        started = time.monotonic()
        with other.lock("u1") as lock:  # waits until the server ends the stalled transaction
            waited = time.monotonic() - started
            assert lock.record is not None and lock.record.refresh_token == "refresh-1"  # the stalled write is gone
            lock.save(record(refresh="refresh-2", version=1))
        assert 0.7 < waited < 6, waited
        with pytest.raises(LockLost, match=r"^user u1: the row lock was lost: PostgreSQL ended the locking "
                                           r"transaction after it sat idle for more than hold_timeout=1 s"):
            stalled.commit()
        with pytest.raises(LockLost):  # never a silent no-op afterwards
            stalled.commit()
        with pytest.raises(LockLost):
            stalled.save(record(refresh="late", version=1))
        stalled.rollback()  # never raises
        got = holder.get("u1")  # the holder's store goes on with a fresh connection
        assert got is not None and (got.refresh_token, got.version) == ("refresh-2", 1)
        with holder.lock("u1", timeout=2) as again:
            assert again.record is not None
    finally:
        if stalled is not None:
            stalled.rollback()  # a no-op once lost; releases the row if the test failed first (schema drop)
        holder.close()
        other.close()


def test_verify_and_delete_report_the_lost_lock(pg_schema: str) -> None:
    holder = store(pg_schema, hold_timeout=0.3)
    lock: TokenLock | None = None
    try:
        holder.put(record())
        lock = holder.lock("u1")
        lock.verify()  # held: a round trip, nothing else
        wait_until_unlocked(pg_schema)  # the server ends the holder's session once it sat idle 0.3 s
        with pytest.raises(LockLost, match="hold_timeout=0.3 s"):
            lock.verify()
        with pytest.raises(LockLost):
            lock.delete()
        got = holder.get("u1")
        assert got is not None and got.refresh_token == "refresh-1"  # the lost delete deleted nothing
    finally:
        if lock is not None:
            lock.rollback()
        holder.close()


def test_without_a_hold_timeout_a_stalled_holder_keeps_the_lock(pg_schema: str) -> None:
    """The control: ``hold_timeout=None`` is PostgreSQL's default (no bound): waiters time out, the holder
    commits whenever it resumes."""
    holder, other = store(pg_schema, hold_timeout=None), store(pg_schema, lock_timeout=0.5)
    lock: TokenLock | None = None
    try:
        holder.put(record())
        lock = holder.lock("u1")
        lock.save(record(refresh="refresh-2", version=1))
        with pytest.raises(LockTimeout):
            other.lock("u1").rollback()
        assert lock_holders(pg_schema)  # idle in the transaction past the waiter's 0.5 s, and nothing ended it
        lock.commit()
        got = other.get("u1")
        assert got is not None and got.refresh_token == "refresh-2"
    finally:
        if lock is not None:
            lock.rollback()  # a no-op once committed
        holder.close()
        other.close()


def test_hold_timeout_must_be_positive_or_none(pg_schema: str) -> None:
    for bad in (0, -1, "30", True):
        with pytest.raises(ValueError, match="hold_timeout must be a positive number of seconds or None"):
            store(pg_schema, hold_timeout=bad)


STOPPED_HOLDER = textwrap.dedent("""
    import os, signal, sys
    from smartcar.tokens import PostgresTokenStore

    store = PostgresTokenStore(sys.argv[1], schema=sys.argv[2], hold_timeout=1)
    lock = store.lock("u1")
    print("locked", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)   # stopped while holding the row lock
    lock.commit()
""")


def test_a_sigstopped_holder_process_is_bounded(pg_schema: str) -> None:
    other = store(pg_schema, lock_timeout=15)
    other.put(record())
    child = subprocess.Popen([sys.executable, "-c", STOPPED_HOLDER, PG_DSN, pg_schema], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        started = time.monotonic()
        with other.lock("u1") as lock:  # the stopped process still has its socket open: the server ends it
            assert lock.record is not None
            lock.save(record(refresh="refresh-2", version=1))
        assert time.monotonic() - started < 10
        assert child.poll() is None  # still stopped: it was the server, not the process exiting, that freed it
        os.kill(child.pid, signal.SIGCONT)
        _, stderr = child.communicate(timeout=30)
        assert child.returncode != 0 and "LockLost: user u1: the row lock was lost" in stderr
        got = other.get("u1")
        assert got is not None and got.refresh_token == "refresh-2"
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
        other.close()


# -- The managers ---------------------------------------------------------------------------------------------------
class StallAfterLocking:
    """A store whose ``lock`` stalls (until ``resume``) once it holds the row lock: the stop that the server's
    hold timeout bounds, at the worst moment, just before the refresh would be sent."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lock_timeout = inner.lock_timeout
        self.locked, self.resume = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        held = self.inner.lock(user_id, timeout)
        self.locked.set()
        assert self.resume.wait(30)
        return held  # type: ignore[no-any-return]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_holder_resuming_after_losing_the_lock_never_presents_the_refresh_token(
        pg_schema: str, auth: smartcar.AuthClient, user: dict[str, Any], emulator_tokens: Any,
        asynchronous: bool) -> None:
    """It stalled before sending; meanwhile another worker refreshed (so the stored refresh token it read is
    retired). Sending it now would be a reuse, which the strict emulator punishes by revoking the user's chain:
    the manager checks the lock first, and returns the other worker's token instead."""
    stalled = StallAfterLocking(store(pg_schema, hold_timeout=0.5))
    other = store(pg_schema, lock_timeout=10)
    try:
        TokenManager(other, auth).save(user["user_id"], user["grant"])
        expire(other, user["user_id"])
        results: list[Any] = []

        def holder() -> None:
            try:
                if asynchronous:
                    manager = AsyncTokenManager(stalled, smartcar.AsyncAuthClient(mode="test"))  # type: ignore[arg-type]
                    results.append(asyncio.run(manager.access_token(user["user_id"])))
                else:
                    results.append(TokenManager(stalled, auth).access_token(user["user_id"]))  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - asserted below
                results.append(error)
        thread = threading.Thread(target=holder)
        thread.start()
        assert stalled.locked.wait(30)
        token = TokenManager(other, auth).access_token(user["user_id"])  # gets the lock once the server ends it
        stalled.resume.set()
        thread.join(30)
        assert results == [token]  # the other worker's refresh, reused
        assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 1
        assert smartcar.get_user(token).id == user["user_id"]  # the chain is intact
    finally:
        stalled.resume.set()
        stalled.inner.close()
        other.close()


@pytest.mark.parametrize("meanwhile", ["nothing", "user deleted"])
def test_a_pair_received_before_the_lock_was_lost_is_stored_or_dropped_loudly(
        pg_schema: str, auth: smartcar.AuthClient, user: dict[str, Any], meanwhile: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """It stalled after the token endpoint answered. Its commit fails (``LockLost``); the manager stores the pair
    outside the lock if the row is unchanged, and otherwise leaves the newer row alone and says so."""
    holder_store, other = store(pg_schema, hold_timeout=0.5), store(pg_schema, lock_timeout=10)
    answered, resume = threading.Event(), threading.Event()
    received: list[Any] = []

    def refresh_then_stall(refresh_token: str) -> Any:
        received.append(auth.exchange_refresh_token(refresh_token))  # the platform rotated the pair...
        answered.set()
        assert resume.wait(30)  # ...and the worker stalls before storing it
        return received[0]
    try:
        TokenManager(other, auth).save(user["user_id"], user["grant"])
        expire(other, user["user_id"])
        results: list[Any] = []
        thread = threading.Thread(target=lambda: results.append(
            TokenManager(holder_store, refresh=refresh_then_stall).access_token(user["user_id"])))
        with caplog.at_level(logging.WARNING, logger="smartcar.tokens.manager"):
            thread.start()
            assert answered.wait(30)
            with other.lock(user["user_id"]) as lock:  # acquired only once the server ended the holder's transaction
                if meanwhile == "user deleted":
                    lock.delete()
            resume.set()
            thread.join(30)
        (grant,) = received
        assert results == [grant.access_token]  # the caller gets its (valid) access token either way
        stored = other.get(user["user_id"])
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        if meanwhile == "nothing":
            assert stored is not None and stored.refresh_token == grant.refresh_token  # rescued, not lost
            assert warnings == []
            expire(other, user["user_id"])  # and the rescued refresh token works
            assert smartcar.get_user(TokenManager(other, auth).access_token(user["user_id"])).id == user["user_id"]
        else:
            assert stored is None  # a deletion is not undone...
            assert warnings == [f"smartcar.tokens: user {user['user_id']}: refreshed tokens discarded: the row "
                                "changed before they could be stored (the user was deleted)"]  # ...nor silent
            assert grant.refresh_token not in " ".join(warnings)
    finally:
        resume.set()
        holder_store.close()
        other.close()
