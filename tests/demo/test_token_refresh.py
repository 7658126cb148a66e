"""The tutorial app keeps tokens in SQLite and refreshes an expired access token before using it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import smartcar
from smartcar_demo.store import StoredAccess, TokenStore
from smartcar_demo.webapp import create_app
from tests.conftest import REDIRECT_URI


@pytest.fixture()
def app(emulator, application, monkeypatch, tmp_path):
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", application.client_id)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", application.client_secret)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", REDIRECT_URI)
    monkeypatch.setattr(smartcar.config, "API_ORIGIN", emulator.url)
    monkeypatch.setattr(smartcar.config, "AUTH_ORIGIN", f"{emulator.url}/oauth/token")
    return create_app(tmp_path / "tokens.db")


def test_store_survives_reopening(tmp_path):
    path = tmp_path / "tokens.db"
    expiration = datetime(2030, 1, 1, 12, 0)
    TokenStore(path).put_access_into_database("u1", StoredAccess("a", "r", expiration, expiration))
    loaded = TokenStore(path).load_access_from_database("u1")
    assert loaded == StoredAccess("a", "r", expiration, expiration)
    assert TokenStore(path).load_access_from_database("nobody") is None


def test_expired_access_token_is_refreshed_and_rotation_saved(app, connect_vehicle):
    session = connect_vehicle(scopes=["read_vehicle_info", "read_odometer"], email="demo-refresh@example.com")
    store: TokenStore = app.extensions["smartcar_tokens"]
    long_ago = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=3)
    store.put_access_into_database(session["user_id"], StoredAccess(
        session["access_token"], session["refresh_token"], long_ago, long_ago + timedelta(days=60)))
    with app.test_client() as browser:
        with browser.session_transaction() as cookie:
            cookie["user_id"], cookie["flow"] = session["user_id"], "code"
        response = browser.get("/vehicle?format=json")
    assert response.status_code == 200 and response.get_json()["make"] == "TESLA"
    saved = store.load_access_from_database(session["user_id"])
    assert saved is not None
    assert saved.refresh_token != session["refresh_token"]  # the rotated refresh token was saved
    assert saved.access_token != session["access_token"] and not saved.expired()
