"""A worker process killed (os._exit) after the token endpoint rotated the pair and before its commit, while it
holds the store's lock: the lock is released by the OS (SQLite) or the server (PostgreSQL), the old pair is still
stored, and whether the user survives depends on the platform's grace window, exactly as docs/tokens.md says."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

import smartcar
from smartcar.tokens import ReconnectRequired, TokenManager, TokenStore

from .conftest import PG_DSN
from .test_manager import expire

CHILD = textwrap.dedent("""
    import os, sys
    import smartcar
    from smartcar.tokens import TokenManager, open_store

    store = open_store(sys.argv[1], **({"schema": sys.argv[3]} if sys.argv[3] else {}))
    auth = smartcar.AuthClient(mode="test")

    def refresh_then_die(token):
        auth.exchange_refresh_token(token)   # the platform rotated the pair...
        os._exit(17)                         # ...and the process dies holding the lock, before the commit

    TokenManager(store, refresh=refresh_then_die).access_token(sys.argv[2])
""")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> tuple[str, str]:
    if request.param == "sqlite":
        return str(tmp_path / "tokens.db"), ""
    return PG_DSN, request.getfixturevalue("pg_schema")


def open_it(url: str, schema: str) -> TokenStore:
    from smartcar.tokens import open_store
    return open_store(url, lock_timeout=5, **({"schema": schema} if schema else {}))


def kill_mid_refresh(store: TokenStore, url: str, schema: str, user: dict[str, Any],
                     auth: smartcar.AuthClient) -> None:
    TokenManager(store, auth).save(user["user_id"], user["grant"])
    expire(store, user["user_id"])
    child = subprocess.run([sys.executable, "-c", CHILD, url, user["user_id"], schema], capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == 17, child.stderr
    stored = store.get(user["user_id"])
    assert stored is not None and stored.refresh_token == user["refresh_token"]  # the commit never happened
    with store.lock(user["user_id"], timeout=5) as lock:  # and the dead worker's lock is gone
        assert lock.record is not None


@pytest.mark.parametrize("grace", [0.0, 60.0])
def test_worker_killed_between_refresh_and_commit(store_url: tuple[str, str], grace: float, user: dict[str, Any],
                                                  auth: smartcar.AuthClient, emulator: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator.platform.oauth_policy, "refresh_grace", grace)
    url, schema = store_url
    store = open_it(url, schema)
    kill_mid_refresh(store, url, schema, user, auth)
    manager = TokenManager(store, auth)
    if grace:  # the cloud's 60 s window: the next worker refreshes with the stored, just-retired token
        token = manager.access_token(user["user_id"])
        assert smartcar.get_user(token).id == user["user_id"]
    else:  # strict rotation: the only copy of the new pair died with the process
        with pytest.raises(ReconnectRequired):
            manager.access_token(user["user_id"])
        assert store.get(user["user_id"]) is None
    store.close()
