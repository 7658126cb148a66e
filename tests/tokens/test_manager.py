"""TokenManager and AsyncTokenManager against the emulator over loopback HTTP (strict refresh rotation:
a rotated refresh token presented again is refused and revokes the user's whole chain)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import replace
from typing import Any

import pytest

import smartcar
from smartcar.tokens import (AsyncTokenManager, CountingMetrics, LockTimeout, MemoryTokenStore, ReconnectRequired,
                             SQLiteTokenStore, TokenError, TokenLock, TokenManager, TokenRecord, TokenStore,
                             UnknownUser)

from .conftest import refreshes_at_emulator


def expire(store: TokenStore, user_id: str, access_token: str | None = None) -> None:
    """Make the stored access token look expired (or replace it) without touching the refresh token."""
    current = store.get(user_id)
    assert current is not None
    store.put(replace(current, expires_at=time.time() - 1, access_token=access_token or current.access_token))


def hammer(n: int, fn: Any) -> list[Any]:
    """Run ``fn()`` on ``n`` threads released at the same moment; their results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            results[i] = error
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_sixteen_threads_one_refresh(make_store: Any, auth: smartcar.AuthClient, user: dict[str, Any],
                                     emulator_tokens: Any) -> None:
    metrics = CountingMetrics()
    managers = [TokenManager(make_store(), auth, metrics=metrics) for _ in range(2)]  # two "processes"
    managers[0].save(user["user_id"], user["grant"])
    expire(managers[0].store, user["user_id"])
    results = hammer(16, lambda: managers[threading.get_ident() % 2].access_token(user["user_id"]))
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 1 and results[0] != user["access_token"]
    assert metrics.summary()["refreshes"] == 1
    assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 1
    assert not any(row["revoked_at"] for row in emulator_tokens(user["user_id"]))  # nobody logged out
    assert smartcar.get_user(results[0]).id == user["user_id"]  # the new token works


def test_a_401_renews_once_for_everyone(auth: smartcar.AuthClient, user: dict[str, Any], tmp_path: Any,
                                        emulator_tokens: Any) -> None:
    manager = TokenManager(SQLiteTokenStore(tmp_path / "t.db"), auth)
    manager.save(user["user_id"], user["grant"])
    stored = manager.store.get(user["user_id"])
    assert stored is not None  # the platform stops accepting a token the store still thinks valid:
    manager.store.put(replace(stored, access_token="revoked-elsewhere"))
    results = hammer(8, lambda: manager.call(user["user_id"], lambda token: smartcar.get_user(token).id))
    assert results == [user["user_id"]] * 8
    assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 1


def test_the_emulator_punishes_a_naive_double_refresh(auth: smartcar.AuthClient, user: dict[str, Any],
                                                      emulator_tokens: Any) -> None:
    """What the manager prevents: two workers refreshing with the same token log the user out."""
    auth.exchange_refresh_token(user["refresh_token"])
    with pytest.raises(smartcar.SmartcarException):
        auth.exchange_refresh_token(user["refresh_token"])
    assert all(row["revoked_at"] for row in emulator_tokens(user["user_id"]))


def test_crash_between_refresh_and_commit(auth: smartcar.AuthClient, user: dict[str, Any], tmp_path: Any,
                                          emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refreshed pair is lost with the process: strict rotation loses the user, the platform's
    60 s grace window lets the next worker refresh again with the stored (old) refresh token."""
    class Crash(BaseException):
        pass

    def crashing_refresh(token: str) -> Any:
        auth.exchange_refresh_token(token)  # the endpoint rotated the pair...
        raise Crash  # ...and the process died before the commit

    def crash_then_recover(path: Any) -> str:
        store = SQLiteTokenStore(path)
        TokenManager(store, auth).save(user["user_id"], user["grant"])
        expire(store, user["user_id"])
        with pytest.raises(Crash):
            TokenManager(store, refresh=crashing_refresh).access_token(user["user_id"])
        stored = store.get(user["user_id"])
        assert stored is not None and stored.refresh_token == user["refresh_token"]  # rolled back
        return TokenManager(store, auth).access_token(user["user_id"])

    monkeypatch.setattr(emulator.platform.oauth_policy, "refresh_grace", 60.0)
    assert smartcar.get_user(crash_then_recover(tmp_path / "grace.db")).id == user["user_id"]


def test_crash_with_strict_rotation_logs_the_user_out(auth: smartcar.AuthClient, user: dict[str, Any],
                                                      tmp_path: Any) -> None:
    store = SQLiteTokenStore(tmp_path / "t.db")
    TokenManager(store, auth).save(user["user_id"], user["grant"])
    auth.exchange_refresh_token(user["refresh_token"])  # a refresh whose result never reached the store
    expire(store, user["user_id"])
    metrics = CountingMetrics()
    with pytest.raises(ReconnectRequired, match="invalid_grant"):
        TokenManager(store, auth, metrics=metrics).access_token(user["user_id"])
    assert store.get(user["user_id"]) is None and metrics.failures == 1
    with pytest.raises(UnknownUser):
        TokenManager(store, auth).access_token(user["user_id"])


class FlakyStore(SQLiteTokenStore):
    """Its locked commits fail ``fail`` times (a lost database connection), or its saves stall."""

    fail = 0
    stall = 0.0

    def lock(self, user_id: str, timeout: float | None = None) -> TokenLock:
        inner = super().lock(user_id, timeout)
        store = self

        class Wrapped(TokenLock):
            record = inner.record

            def save(self, record: TokenRecord) -> None:
                if store.stall:
                    stall, store.stall = store.stall, 0.0
                    time.sleep(stall)
                inner.save(record)

            def delete(self) -> None:
                inner.delete()

            def commit(self) -> None:
                if store.fail:
                    store.fail -= 1
                    inner.rollback()
                    raise OSError("connection lost at commit")
                inner.commit()

            def rollback(self) -> None:
                inner.rollback()
        return Wrapped()


def test_failed_commit_is_rescued(auth: smartcar.AuthClient, user: dict[str, Any], tmp_path: Any,
                                  emulator_tokens: Any) -> None:
    store = FlakyStore(tmp_path / "t.db")
    manager = TokenManager(store, auth)
    manager.save(user["user_id"], user["grant"])
    expire(store, user["user_id"])
    store.fail = 1
    token = manager.access_token(user["user_id"])
    stored = store.get(user["user_id"])
    assert stored is not None and stored.access_token == token and stored.refresh_token != user["refresh_token"]
    expire(store, user["user_id"])  # the rescued refresh token works: a second refresh succeeds
    assert smartcar.get_user(manager.access_token(user["user_id"])).id == user["user_id"]
    assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 2


def test_write_stalled_past_the_lock_timeout_loses_nobody(auth: smartcar.AuthClient, user: dict[str, Any],
                                                          tmp_path: Any, emulator_tokens: Any) -> None:
    store = FlakyStore(tmp_path / "t.db", lock_timeout=0.3)
    metrics = CountingMetrics()
    manager = TokenManager(store, auth, metrics=metrics)
    manager.save(user["user_id"], user["grant"])
    expire(store, user["user_id"])
    store.stall = 1.0  # the first refresher's write takes over three lock timeouts
    results = hammer(6, lambda: manager.access_token(user["user_id"]))
    assert any(isinstance(r, LockTimeout) for r in results)  # waiters gave up without refreshing
    assert not any(isinstance(r, ReconnectRequired) for r in results)
    assert smartcar.get_user(manager.access_token(user["user_id"])).id == user["user_id"]
    assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 1
    assert metrics.summary()["lock_timeouts"] >= 1


def test_async_manager_single_flight(make_store: Any, user: dict[str, Any], emulator_tokens: Any) -> None:
    async def main() -> list[str]:
        metrics = CountingMetrics()
        manager = AsyncTokenManager(make_store(), smartcar.AsyncAuthClient(mode="test"), metrics=metrics)
        await manager.save(user["user_id"], user["grant"])
        expire(manager.store, user["user_id"])
        tokens = await asyncio.gather(*(manager.access_token(user["user_id"]) for _ in range(12)))
        assert metrics.summary()["refreshes"] == 1
        user_id = await manager.call(user["user_id"], lambda t: smartcar.aio.get_user(t))
        assert user_id.id == user["user_id"]
        return tokens
    import smartcar.aio

    tokens = asyncio.run(main())
    assert len(set(tokens)) == 1 and tokens[0] != user["access_token"]
    assert refreshes_at_emulator(emulator_tokens(user["user_id"])) == 1


def test_tokens_are_never_logged(auth: smartcar.AuthClient, user: dict[str, Any], tmp_path: Any,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SQLiteTokenStore(tmp_path / "t.db")
    manager = TokenManager(store, auth)
    manager.save(user["user_id"], user["grant"])
    expire(store, user["user_id"])
    new = manager.access_token(user["user_id"])
    current = store.get(user["user_id"])
    assert current is not None
    auth.exchange_refresh_token(current.refresh_token)  # rotate behind the manager's back: next refresh fails
    expire(store, user["user_id"])
    with pytest.raises(ReconnectRequired) as caught:
        manager.access_token(user["user_id"])
    assert "smartcar.tokens" in caplog.text and "refreshed" in caplog.text  # something was logged...
    for secret in (user["access_token"], user["refresh_token"], new, current.refresh_token):
        assert secret not in caplog.text  # ...but no token
        assert secret not in str(caught.value) and secret not in repr(current)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_disconnect_and_purge(auth: smartcar.AuthClient, user: dict[str, Any], tmp_path: Any) -> None:
    store = SQLiteTokenStore(tmp_path / "t.db")
    manager = TokenManager(store, auth)
    manager.save(user["user_id"], user["grant"])
    manager.disconnect(user["user_id"])
    assert store.get(user["user_id"]) is None
    with pytest.raises(smartcar.SmartcarException):  # the app's access to the vehicle is gone
        smartcar.Vehicle(user["vehicle_ids"][0], user["access_token"]).odometer()
    store.put(TokenRecord("gone", "a", "r", 0.0, time.time() - 1))
    store.put(TokenRecord("alive", "a", "r", 0.0, time.time() + 3600))
    assert manager.purge_expired() == ["gone"] and store.user_ids() == ["alive"]
    with pytest.raises(ReconnectRequired, match="invalid_grant"):
        manager.access_token("alive")  # its access token expired and its refresh token is bogus: refused
    assert store.user_ids() == []


def test_expired_refresh_token_is_not_sent(tmp_path: Any) -> None:
    sent: list[str] = []
    store = SQLiteTokenStore(tmp_path / "t.db")
    store.put(TokenRecord("u", "a", "r", 0.0, time.time() - 1))
    with pytest.raises(ReconnectRequired, match="refresh token expired"):
        TokenManager(store, refresh=lambda t: sent.append(t)).access_token("u")  # type: ignore[func-returns-value]
    assert sent == []


def test_manager_needs_a_way_to_refresh(tmp_path: Any) -> None:
    with pytest.raises(TypeError, match="auth_client"):
        TokenManager(MemoryTokenStore())
    assert issubclass(LockTimeout, TokenError) and issubclass(UnknownUser, ReconnectRequired)


def test_async_disconnect_and_purge(user: dict[str, Any]) -> None:
    async def main() -> None:
        manager = AsyncTokenManager(MemoryTokenStore(), smartcar.AsyncAuthClient(mode="test"))
        await manager.save(user["user_id"], user["grant"])
        await manager.disconnect(user["user_id"])
        assert manager.store.get(user["user_id"]) is None
        manager.store.put(TokenRecord("gone", "a", "r", 0.0, time.time() - 1))
        assert await manager.purge_expired() == ["gone"]
    asyncio.run(main())
    with pytest.raises(smartcar.SmartcarException):  # the app's access to the vehicle is gone
        smartcar.Vehicle(user["vehicle_ids"][0], user["access_token"]).odometer()
