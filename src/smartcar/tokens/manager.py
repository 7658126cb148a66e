"""``TokenManager`` / ``AsyncTokenManager``: a valid access token per user, refreshed once per expiry however
many threads, processes and hosts ask at the same moment.

The refresh protocol (the same in both managers):

1. Fast path: read the row without a lock; a token valid for more than ``margin`` seconds is returned.
2. Otherwise take the in-process lock of the user (threads or tasks), then the store's lock (other processes
   and hosts), and re-read the row under it. If another worker already refreshed (the token is fresh again,
   or differs from the one the API rejected), that token is returned: its refresh is reused, not repeated.
3. Else check the lock is still held (a store may lose it: PostgreSQL ends the transaction of a holder that
   stalled past ``hold_timeout``), call the token endpoint with the stored refresh token and store the rotated
   pair in the transaction that holds the lock; committing releases the lock. If the lock was lost meanwhile,
   the pair is stored outside it only if the row is unchanged (``_Core.rescue``).

A worker that cannot get the lock within the lock timeout never refreshes on its own (that would present a
rotated refresh token twice): it returns the stored token when it is still valid, else raises ``LockTimeout``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, Protocol, TypeVar

from ..exception import SmartcarException
from ._base import (LockLost, LockTimeout, ReconnectRequired, TokenError, TokenLock, TokenRecord, TokenStore,
                    UnknownUser)

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_MARGIN = 120.0  # refresh when the access token has less than this many seconds left
REFRESH_TOKEN_TTL = 60 * 24 * 3600.0  # Smartcar refresh tokens live 60 days


class Grant(Protocol):
    """What a refresh returns: the SDK's ``Access`` fits."""

    @property
    def access_token(self) -> str: ...

    @property
    def refresh_token(self) -> str: ...

    @property
    def expires_in(self) -> int: ...


class TokenMetrics:
    """Hooks called by the managers; subclass and override what you export (all default to no-ops).
    Called on the worker's thread (or event loop): keep them quick and never raising."""

    def refreshed(self, user_id: str, seconds: float) -> None:
        """A refresh reached the token endpoint and was stored; ``seconds`` spent at the endpoint."""

    def refresh_failed(self, user_id: str, error: BaseException) -> None:
        """A refresh failed (``ReconnectRequired``: the user is logged out)."""

    def lock_waited(self, user_id: str, seconds: float, acquired: bool) -> None:
        """Time spent waiting for the user's lock (in-process and store), and whether it was obtained."""

    def reused(self, user_id: str) -> None:
        """Under the lock, another worker's refresh was found and reused."""


class CountingMetrics(TokenMetrics):
    """Counts refreshes, failures, reuses and lock timeouts, and keeps the lock waits (for tests and benches)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self.refreshes: dict[str, int] = {}
        self.failures = 0
        self.reuses = 0
        self.lock_timeouts = 0
        self.lock_waits: list[float] = []

    def refreshed(self, user_id: str, seconds: float) -> None:
        with self._mutex:
            self.refreshes[user_id] = self.refreshes.get(user_id, 0) + 1

    def refresh_failed(self, user_id: str, error: BaseException) -> None:
        with self._mutex:
            self.failures += 1

    def lock_waited(self, user_id: str, seconds: float, acquired: bool) -> None:
        with self._mutex:
            self.lock_waits.append(seconds)
            self.lock_timeouts += not acquired

    def reused(self, user_id: str) -> None:
        with self._mutex:
            self.reuses += 1

    def summary(self) -> dict[str, Any]:
        """Totals and lock-wait percentiles (seconds)."""
        with self._mutex:
            waits = sorted(self.lock_waits)
        def pct(p: float) -> float:
            return waits[min(len(waits) - 1, int(p * len(waits)))] if waits else 0.0
        return {"refreshes": sum(self.refreshes.values()), "failures": self.failures, "reuses": self.reuses,
                "lock_timeouts": self.lock_timeouts, "lock_waits": len(waits), "lock_wait_p50": pct(0.5),
                "lock_wait_p99": pct(0.99), "lock_wait_max": waits[-1] if waits else 0.0}


def _utc_timestamp(value: Any, default: float) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    return default


def _is_dead_grant(error: BaseException) -> bool:
    """The token endpoint refused the refresh token itself (expired, revoked, already used)."""
    return isinstance(error, SmartcarException) and getattr(error, "type", None) == "invalid_grant"


def _is_unauthorized(error: BaseException) -> bool:
    return isinstance(error, SmartcarException) and getattr(error, "status_code", None) == 401


class _Core:
    """What both managers share: the freshness rule, building records, metrics and the lock-timeout rule."""

    def __init__(self, store: TokenStore, margin: float, lock_timeout: float | None,
                 metrics: TokenMetrics | None, clock: Callable[[], float]) -> None:
        self.store = store
        self.margin = margin
        self.lock_timeout = store.lock_timeout if lock_timeout is None else lock_timeout
        self.metrics = metrics or TokenMetrics()
        self.clock = clock

    def record_for(self, user_id: str, grant: Grant, started: float, version: int) -> TokenRecord:
        """The record of a token response; expiries counted from ``started`` (before the request was sent)."""
        refresh_expires = _utc_timestamp(getattr(grant, "refresh_expiration", None), started + REFRESH_TOKEN_TTL)
        return TokenRecord(user_id, grant.access_token, grant.refresh_token, started + float(grant.expires_in),
                           min(refresh_expires, started + REFRESH_TOKEN_TTL), version)

    def usable(self, record: TokenRecord | None, rejected: str | None, margin: float) -> str | None:
        """The stored access token if it can be used without refreshing, else None."""
        if record is None:
            return None
        if rejected is not None and record.access_token != rejected and record.fresh(self.clock()):
            return record.access_token  # someone refreshed after the API rejected the old one
        if rejected is None and record.fresh(self.clock(), margin):
            return record.access_token
        return None

    def under_lock(self, lock: TokenLock, user_id: str, rejected: str | None) -> tuple[TokenRecord, str | None]:
        """The row re-read under the lock, and its access token if another worker's refresh made it usable
        (then nothing is refreshed); raises when the user is unknown or the refresh token has expired."""
        record = lock.record
        if record is None:
            raise UnknownUser(user_id)
        token = self.usable(record, rejected, self.margin)
        if token is not None:
            self.metrics.reused(user_id)
            return record, token
        if record.refresh_expires_at <= self.clock():
            raise ReconnectRequired(record.user_id, "the refresh token expired")
        return record, None

    def store_refreshed(self, lock: TokenLock, new: TokenRecord, old_version: int) -> None:
        """Save the rotated pair in the locking transaction; if that commit fails, rescue it outside."""
        try:
            lock.save(new)
            lock.commit()
        except Exception:
            self.rescue(new, old_version)

    def refreshed(self, user_id: str, new: TokenRecord, sent: float) -> str:
        self.metrics.refreshed(user_id, self.clock() - sent)
        logger.debug("smartcar.tokens: user %s refreshed (version %d)", user_id, new.version)
        return new.access_token

    def after_timeout(self, user_id: str, record: TokenRecord | None, rejected: str | None) -> str:
        """No lock in time: the stored token if it is still valid at all (margin 0), else ``LockTimeout``."""
        token = self.usable(record, rejected, 0.0)
        if token is None:
            raise LockTimeout(f"user {user_id}: another worker is refreshing; lock not obtained within "
                              f"{self.lock_timeout} s (nothing was refreshed: retry)")
        return token

    def after_lost(self, user_id: str, record: TokenRecord | None, rejected: str | None, lost: LockLost) -> str:
        """The lock was lost before the refresh was sent (nothing was sent): the stored token if another worker
        refreshed meanwhile, or if it is still valid at all, else the ``LockLost`` (retry)."""
        token = self.usable(record, rejected, 0.0)
        if token is None:
            raise lost
        return token

    def refresh_error(self, lock: TokenLock, user_id: str, error: BaseException) -> BaseException:
        """Roll back after a failed refresh; a refused refresh token also deletes the row: the user is gone."""
        self.metrics.refresh_failed(user_id, error)
        if _is_dead_grant(error):
            lock.delete()
            lock.commit()
            logger.warning("smartcar.tokens: user %s: refresh token refused (invalid_grant); user logged out",
                           user_id)
            return ReconnectRequired(user_id, "the token endpoint refused the refresh token (invalid_grant)")
        lock.rollback()
        logger.warning("smartcar.tokens: user %s: refresh failed (%s)", user_id, type(error).__name__)
        return error

    def rescue(self, new: TokenRecord, expected_version: int) -> None:
        """The commit failed after the token endpoint rotated the pair (the database failed, or the lock was lost:
        ``LockLost``): store it again only if nobody stored a newer one, retrying for up to the lock timeout.

        A row that changed meanwhile wins: another worker refreshed (its pair is the one the store hands out), or
        the user was deleted (disconnected, or logged out after a refused refresh), which must not be undone. This
        worker's pair is then discarded with a warning, never silently; its access token is still returned."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                if not self.store.compare_and_put(new, expected_version):
                    current = self.store.get(new.user_id)
                    if current is None or current.refresh_token != new.refresh_token:  # not a commit that landed
                        logger.warning("smartcar.tokens: user %s: refreshed tokens discarded: the row changed "
                                       "before they could be stored (%s)", new.user_id,
                                       "the user was deleted" if current is None
                                       else f"now at version {current.version}")
                return
            except Exception as error:
                if time.monotonic() + delay > deadline:
                    logger.error("smartcar.tokens: user %s: refreshed tokens could not be stored (%s)",
                                 new.user_id, type(error).__name__)
                    raise TokenError(f"user {new.user_id}: refreshed tokens could not be stored; the user will "
                                     "have to connect again once this access token expires") from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


class _KeyedLocks:
    """One ``threading.Lock`` per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._locks: dict[str, list[Any]] = {}

    def acquire(self, key: str, timeout: float) -> bool:
        with self._mutex:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        if entry[0].acquire(timeout=timeout):
            return True
        self._drop(key)
        return False

    def release(self, key: str) -> None:
        self._locks[key][0].release()
        self._drop(key)

    def _drop(self, key: str) -> None:
        with self._mutex:
            entry = self._locks[key]
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]


class TokenManager:
    """Hands out valid access tokens for users whose tokens live in ``store``.

    ``auth_client``: the ``smartcar.AuthClient`` whose refresh tokens these are (or pass ``refresh``, any
    callable ``refresh_token -> Access``). ``margin``: refresh when fewer seconds remain. ``lock_timeout``:
    how long a worker waits for another's refresh (default: the store's). ``metrics``: a ``TokenMetrics``.
    """

    def __init__(self, store: TokenStore, auth_client: Any = None, *,
                 refresh: Callable[[str], Grant] | None = None, margin: float = DEFAULT_MARGIN,
                 lock_timeout: float | None = None, metrics: TokenMetrics | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if refresh is None:
            if auth_client is None:
                raise TypeError("TokenManager needs auth_client= (a smartcar.AuthClient) or refresh=")
            refresh = auth_client.exchange_refresh_token
        self._refresh = refresh
        self._core = _Core(store, margin, lock_timeout, metrics, clock)
        self._locks = _KeyedLocks()
        self.store = store

    @property
    def metrics(self) -> TokenMetrics:
        return self._core.metrics

    def save(self, user_id: str, access: Grant) -> TokenRecord:
        """Store the tokens of a code exchange (``AuthClient.exchange_code``) for ``user_id``."""
        return self.store.put(self._core.record_for(user_id, access, self._core.clock(), 0))

    def access_token(self, user_id: str) -> str:
        """A valid access token for the user, refreshed first when it is about to expire.
        Raises ``ReconnectRequired`` (``UnknownUser``) or ``LockTimeout``."""
        record = self.store.get(user_id)
        if record is None:
            raise UnknownUser(user_id)
        token = self._core.usable(record, None, self._core.margin)
        return token if token is not None else self._refresh_locked(user_id, None)

    def renew(self, user_id: str, rejected_token: str) -> str:
        """After the API answered 401 to ``rejected_token``: a new token (refreshed once, whoever asks)."""
        return self._refresh_locked(user_id, rejected_token)

    def call(self, user_id: str, fn: Callable[[str], T]) -> T:
        """``fn(access_token)``; on a 401, the token is renewed and ``fn`` called once more."""
        token = self.access_token(user_id)
        try:
            return fn(token)
        except SmartcarException as error:
            if not _is_unauthorized(error):
                raise
        return fn(self.renew(user_id, token))

    def _refresh_locked(self, user_id: str, rejected: str | None) -> str:
        core = self._core
        started = time.monotonic()
        if not self._locks.acquire(user_id, core.lock_timeout):
            core.metrics.lock_waited(user_id, time.monotonic() - started, False)
            return core.after_timeout(user_id, self.store.get(user_id), rejected)
        try:
            remaining = max(0.0, core.lock_timeout - (time.monotonic() - started))
            try:
                lock = self.store.lock(user_id, remaining)
            except LockTimeout:
                core.metrics.lock_waited(user_id, time.monotonic() - started, False)
                return core.after_timeout(user_id, self.store.get(user_id), rejected)
            core.metrics.lock_waited(user_id, time.monotonic() - started, True)
            try:
                return self._refresh_in(lock, user_id, rejected)
            finally:
                lock.rollback()  # a no-op once committed
        finally:
            self._locks.release(user_id)

    def _refresh_in(self, lock: TokenLock, user_id: str, rejected: str | None) -> str:
        core = self._core
        record, token = core.under_lock(lock, user_id, rejected)
        if token is not None:
            return token
        try:
            lock.verify()  # never present the refresh token once another worker may have (lock lost)
        except LockLost as lost:
            return core.after_lost(user_id, self.store.get(user_id), rejected, lost)
        sent = core.clock()
        try:
            grant = self._refresh(record.refresh_token)
        except Exception as error:
            raise core.refresh_error(lock, user_id, error) from None
        new = core.record_for(user_id, grant, sent, record.version + 1)
        core.store_refreshed(lock, new, record.version)
        return core.refreshed(user_id, new, sent)

    def disconnect(self, user_id: str) -> None:
        """Revoke the app's access to the user's vehicles (``DELETE /vehicles/{id}/application``) and forget
        the user. A user whose tokens are already dead is just forgotten."""
        from ..smartcar import get_vehicles
        from ..vehicle import Vehicle

        def revoke(token: str) -> None:
            for vehicle_id in get_vehicles(token, {"limit": 50}).vehicles:
                Vehicle(vehicle_id, token).disconnect()
        try:
            self.call(user_id, revoke)
        except ReconnectRequired:
            pass
        self.store.delete(user_id)

    def purge_expired(self) -> list[str]:
        """Forget the users whose refresh token expired (they must connect again); their ids."""
        return self.store.purge(self._core.clock())


class AsyncTokenManager:
    """``TokenManager`` for asyncio: the same arguments (``auth_client``: a ``smartcar.AsyncAuthClient``, or
    ``refresh``: an async callable) and methods, awaited. Store calls run in worker threads; use one event
    loop per manager."""

    def __init__(self, store: TokenStore, auth_client: Any = None, *,
                 refresh: Callable[[str], Awaitable[Grant]] | None = None, margin: float = DEFAULT_MARGIN,
                 lock_timeout: float | None = None, metrics: TokenMetrics | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if refresh is None:
            if auth_client is None:
                raise TypeError("AsyncTokenManager needs auth_client= (a smartcar.AsyncAuthClient) or refresh=")
            refresh = auth_client.exchange_refresh_token
        self._refresh = refresh
        self._core = _Core(store, margin, lock_timeout, metrics, clock)
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        self.store = store

    @property
    def metrics(self) -> TokenMetrics:
        return self._core.metrics

    async def save(self, user_id: str, access: Grant) -> TokenRecord:
        """Store the tokens of a code exchange for ``user_id``."""
        return await asyncio.to_thread(self.store.put, self._core.record_for(user_id, access, self._core.clock(), 0))

    async def access_token(self, user_id: str) -> str:
        """A valid access token for the user, refreshed first when it is about to expire."""
        record = await asyncio.to_thread(self.store.get, user_id)
        if record is None:
            raise UnknownUser(user_id)
        token = self._core.usable(record, None, self._core.margin)
        return token if token is not None else await self._refresh_locked(user_id, None)

    async def renew(self, user_id: str, rejected_token: str) -> str:
        """After the API answered 401 to ``rejected_token``: a new token (refreshed once, whoever asks)."""
        return await self._refresh_locked(user_id, rejected_token)

    async def call(self, user_id: str, fn: Callable[[str], Awaitable[T]]) -> T:
        """``await fn(access_token)``; on a 401, the token is renewed and ``fn`` awaited once more."""
        token = await self.access_token(user_id)
        try:
            return await fn(token)
        except SmartcarException as error:
            if not _is_unauthorized(error):
                raise
        return await fn(await self.renew(user_id, token))

    async def _refresh_locked(self, user_id: str, rejected: str | None) -> str:
        core = self._core
        started = time.monotonic()
        lock, users = self._locks.setdefault(user_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            try:
                await asyncio.wait_for(lock.acquire(), core.lock_timeout)
            except asyncio.TimeoutError:
                core.metrics.lock_waited(user_id, time.monotonic() - started, False)
                return core.after_timeout(user_id, await asyncio.to_thread(self.store.get, user_id), rejected)
            try:
                remaining = max(0.0, core.lock_timeout - (time.monotonic() - started))
                try:
                    held = await asyncio.to_thread(self.store.lock, user_id, remaining)
                except LockTimeout:
                    core.metrics.lock_waited(user_id, time.monotonic() - started, False)
                    return core.after_timeout(user_id, await asyncio.to_thread(self.store.get, user_id), rejected)
                core.metrics.lock_waited(user_id, time.monotonic() - started, True)
                try:
                    return await self._refresh_in(held, user_id, rejected)
                finally:
                    await asyncio.to_thread(held.rollback)
            finally:
                lock.release()
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[user_id]

    async def _refresh_in(self, lock: TokenLock, user_id: str, rejected: str | None) -> str:
        core = self._core
        record, token = core.under_lock(lock, user_id, rejected)
        if token is not None:
            return token
        try:
            await asyncio.to_thread(lock.verify)  # as in TokenManager._refresh_in
        except LockLost as lost:
            return core.after_lost(user_id, await asyncio.to_thread(self.store.get, user_id), rejected, lost)
        sent = core.clock()
        try:
            grant = await self._refresh(record.refresh_token)
        except Exception as error:
            raise (await asyncio.to_thread(core.refresh_error, lock, user_id, error)) from None
        new = core.record_for(user_id, grant, sent, record.version + 1)
        await asyncio.to_thread(core.store_refreshed, lock, new, record.version)
        return core.refreshed(user_id, new, sent)

    async def disconnect(self, user_id: str) -> None:
        """Revoke the app's access to the user's vehicles and forget the user."""
        from .. import aio
        from ..vehicle import AsyncVehicle

        async def revoke(token: str) -> None:
            for vehicle_id in (await aio.get_vehicles(token, {"limit": 50})).vehicles:
                await AsyncVehicle(vehicle_id, token).disconnect()
        try:
            await self.call(user_id, revoke)
        except ReconnectRequired:
            pass
        await asyncio.to_thread(self.store.delete, user_id)

    async def purge_expired(self) -> list[str]:
        """Forget the users whose refresh token expired; their ids."""
        return await asyncio.to_thread(self.store.purge, self._core.clock())
