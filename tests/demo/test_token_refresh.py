"""The tutorial app keeps tokens in the library's store (smartcar.tokens): refreshed once per expiry however
many requests arrive at once, on SQLite by default or PostgreSQL with --token-db."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from types import SimpleNamespace

import httpx2
import pytest

import smartcar
from smartcar.tokens import TokenManager
from smartcar_demo.webapp import create_app
from tests.conftest import REDIRECT_URI
from tests.demo.test_demo_flows import login_and_connect
from tests.tokens.conftest import PG_DSN, postgres_unreachable


@pytest.fixture()
def app(emulator, application, monkeypatch, tmp_path):
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", application.client_id)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", application.client_secret)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", REDIRECT_URI)
    monkeypatch.setattr(smartcar.config, "API_ORIGIN", emulator.url)
    monkeypatch.setattr(smartcar.config, "AUTH_ORIGIN", f"{emulator.url}/oauth/token")
    monkeypatch.setattr(smartcar.smartcar, "API_VERSION", "2.0")
    return create_app(tmp_path / "tokens.db")


def connected_with_expired_token(app, connect_vehicle):
    session = connect_vehicle(scopes=["read_vehicle_info", "read_odometer"],
                              email=f"demo-refresh-{uuid.uuid4().hex[:8]}@example.com")
    tokens: TokenManager = app.extensions["smartcar_tokens"]
    tokens.save(session["user_id"], SimpleNamespace(access_token=session["access_token"],
                                                    refresh_token=session["refresh_token"], expires_in=7200))
    stored = tokens.store.get(session["user_id"])
    tokens.store.put(replace(stored, expires_at=time.time() - 10))
    return session, tokens


def get_vehicle(app, user_id):
    with app.test_client() as browser:
        with browser.session_transaction() as cookie:
            cookie["user_id"], cookie["flow"] = user_id, "code"
        return browser.get("/vehicle?format=json")


def test_expired_access_token_is_refreshed_and_rotation_saved(app, connect_vehicle):
    session, tokens = connected_with_expired_token(app, connect_vehicle)
    response = get_vehicle(app, session["user_id"])
    assert response.status_code == 200 and response.get_json()["make"] == "TESLA"
    saved = tokens.store.get(session["user_id"])
    assert saved is not None and saved.refresh_token != session["refresh_token"]  # the rotation was saved
    assert saved.access_token != session["access_token"] and saved.fresh(time.time(), 60)


def test_sixteen_concurrent_requests_make_one_refresh(app, connect_vehicle, emulator, application):
    """The issue's probe: an expired token and 16 requests at once (the old store made 16 refreshes)."""
    session, tokens = connected_with_expired_token(app, connect_vehicle)
    barrier = threading.Barrier(16)
    statuses = []

    def one():
        barrier.wait()
        statuses.append(get_vehicle(app, session["user_id"]).status_code)
    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 16
    issued = httpx2.get(f"{emulator.url}/_emulator/tokens", params={"client_id": application.client_id}).json()
    mine = [row for row in issued["tokens"] if row["user_id"] == session["user_id"]]
    assert sum(row["kind"] == "refresh" for row in mine) == 2  # the code exchange's and one refresh
    assert not any(row["revoked_at"] for row in mine)


def test_unknown_user_goes_back_to_connect(app):
    response = get_vehicle(app, "nobody")
    assert response.status_code == 302 and response.headers["location"] == "/login"


def test_demo_with_postgres_token_db_and_disconnect(start_demo):
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"sc_demo_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        demo = start_demo("code", "--token-db", f"{PG_DSN}?options=-csearch_path%3D{schema}")
        with httpx2.Client(base_url=demo.url) as browser:
            response = login_and_connect(demo, email=f"pg-{uuid.uuid4().hex[:8]}@example.com", browser=browser)
            assert response.status_code == 200 and response.json()["make"] == "TESLA"
            with psycopg.connect(PG_DSN) as conn:
                assert conn.execute(f'SELECT count(*) FROM "{schema}".smartcar_tokens').fetchone()[0] == 1
            page = browser.get("/vehicle")
            csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
            assert browser.post("/disconnect", data={"csrf": csrf}).headers["location"] == "/login"
            with psycopg.connect(PG_DSN) as conn:
                assert conn.execute(f'SELECT count(*) FROM "{schema}".smartcar_tokens').fetchone()[0] == 0
        assert demo.stop() == 0
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
