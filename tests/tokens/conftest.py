"""Token-store fixtures: the SDK pointed at the session emulator, a connected user per test, and stores of
every kind (PostgreSQL on the machine's server, a unique schema per test, dropped after)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest

import smartcar
from smartcar import config
from smartcar.tokens import MemoryTokenStore, SQLiteTokenStore, TokenStore
from smartcar_emulator.server import EmulatorServer

PG_DSN = os.environ.get("SMARTCAR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SCOPES = ["read_vehicle_info", "read_odometer"]


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used here, or None."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'smartcar-toolkit[postgres]')"
    try:
        psycopg.connect(PG_DSN, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL unreachable at {PG_DSN} ({type(error).__name__}); .ci/run starts it"
    return None


@pytest.fixture(autouse=True)
def tokens_env(emulator: EmulatorServer, application: Any, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The SDK (origins and credentials) pointed at the session emulator."""
    env = emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(config, "API_ORIGIN", env["SMARTCAR_API_ORIGIN"])
    monkeypatch.setattr(config, "AUTH_ORIGIN", env["SMARTCAR_AUTH_ORIGIN"])
    monkeypatch.setattr(config, "CONNECT_ORIGIN", env["SMARTCAR_CONNECT_ORIGIN"])
    monkeypatch.setattr(config, "MANAGEMENT_API_ORIGIN", env["SMARTCAR_MANAGEMENT_API_ORIGIN"])
    monkeypatch.setattr(config, "VEHICLE_API_ORIGIN", env["SMARTCAR_VEHICLE_API_V3_ORIGIN"])
    monkeypatch.setattr(config, "IAM_ORIGIN", env["SMARTCAR_IAM_ORIGIN"])
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", application.client_id)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", application.client_secret)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", "http://localhost:8000/exchange")
    monkeypatch.setattr(smartcar.smartcar, "API_VERSION", "2.0")
    return emulator


@pytest.fixture
def auth() -> smartcar.AuthClient:
    return smartcar.AuthClient(mode="test")


@pytest.fixture
def user(connect_vehicle: Any) -> dict[str, Any]:
    """A freshly connected test-mode user (their own chain of tokens): tokens, user id, vehicle ids."""
    session = connect_vehicle(scopes=SCOPES, email=f"tokens-{uuid.uuid4().hex[:10]}@example.com")
    session["grant"] = SimpleNamespace(access_token=session["access_token"], refresh_token=session["refresh_token"],
                                       expires_in=session["expires_in"])
    return session


@pytest.fixture
def emulator_tokens(emulator: EmulatorServer, application: Any) -> Callable[[str], list[dict[str, Any]]]:
    """``emulator_tokens(user_id)``: the tokens the emulator issued to that user (kind, revoked_at...)."""
    def issued(user_id: str) -> list[dict[str, Any]]:
        rows = httpx2.get(f"{emulator.url}/_emulator/tokens", params={"client_id": application.client_id}).json()
        return [row for row in rows["tokens"] if row["user_id"] == user_id]
    return issued


def refreshes_at_emulator(rows: list[dict[str, Any]]) -> int:
    """Refreshes that reached the token endpoint: refresh tokens issued beyond the code exchange's."""
    return sum(row["kind"] == "refresh" for row in rows) - 1


@pytest.fixture
def pg_schema() -> Iterator[str]:
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"sc_tokens_test_{uuid.uuid4().hex[:12]}"
    yield schema
    _drop_schema(schema)


_LOCK_HOLDERS = ("SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                 "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND l.pid <> pg_backend_pid()")


def lock_holders(schema: str) -> set[int]:
    """The server processes (sessions) holding a lock on a table of ``schema`` now."""
    import psycopg
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        return {row[0] for row in conn.execute(_LOCK_HOLDERS, (schema,))}


def wait_until_unlocked(schema: str, timeout: float = 10.0) -> None:
    """Wait until no session holds a lock in ``schema`` (e.g. the server ended a stalled holder's session)."""
    deadline = time.monotonic() + timeout
    while holders := lock_holders(schema):
        if time.monotonic() > deadline:
            raise AssertionError(f"sessions {sorted(holders)} still hold locks in {schema} after {timeout} s")
        time.sleep(0.02)


def _drop_schema(schema: str) -> None:
    """Drop a test's schema; a session still holding a lock in it (a test that failed mid-way with a stalled
    holder) is ended after 20 s rather than left to hang the run."""
    import psycopg
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '20s'")
        try:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except psycopg.errors.LockNotAvailable:
            pass
        for (pid,) in conn.execute(_LOCK_HOLDERS, (schema,)).fetchall():
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Callable[..., TokenStore]]:
    """``make_store(**options)``: a store of the parametrised kind; every call opens the same database."""
    stores: list[TokenStore] = []
    memory: list[MemoryTokenStore] = []
    schema = request.getfixturevalue("pg_schema") if request.param == "postgres" else None

    def make(**options: Any) -> TokenStore:
        store: TokenStore
        if request.param == "memory":
            options.pop("encryption_key", None)
            if not memory:
                memory.append(MemoryTokenStore(**options))
            return memory[0]
        if request.param == "sqlite":
            store = SQLiteTokenStore(tmp_path / "tokens.db", **options)
        else:
            from smartcar.tokens import PostgresTokenStore
            store = PostgresTokenStore(PG_DSN, schema=schema, **options)
        stores.append(store)
        return store

    make.kind = request.param  # type: ignore[attr-defined]
    yield make
    for store in stores:
        store.close()
