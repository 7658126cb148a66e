"""Persistence: a server restarted on the same SQLite file keeps apps, connections and tokens."""

from __future__ import annotations

import sqlite3

import httpx2

from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer
from tests.conftest import REDIRECT_URI

from .conftest import auth_url, bearer


def test_restart_on_the_same_file_keeps_everything(tmp_path):
    db = str(tmp_path / "e.db")
    with EmulatorServer(db=db) as first:
        app = first.register_app(redirect_uris=[REDIRECT_URI], client_id="persist", client_secret="persist-secret",
                                 amt="persist-amt")
        session = connect(first.url, app.client_id, app.client_secret, REDIRECT_URI,
                          ["read_odometer", "control_security", "read_security"], make="TESLA",
                          mode="simulated", email="persist@example.com")
        vehicle = session["vehicle_ids"][0]
        with httpx2.Client(base_url=first.url) as http:
            odometer = http.get(f"/v2.0/vehicles/{vehicle}/odometer", headers=bearer(session["access_token"])).json()
            assert http.post(f"/v2.0/vehicles/{vehicle}/security", json={"action": "UNLOCK"},
                             headers=bearer(session["access_token"])).status_code == 200

    with EmulatorServer(db=db) as second, httpx2.Client(base_url=second.url) as http:
        assert second.platform.apps.get("persist") is not None
        headers = bearer(session["access_token"])
        assert http.get("/v2.0/vehicles", headers=headers).json()["vehicles"] == [vehicle]
        assert http.get(f"/v2.0/vehicles/{vehicle}/odometer", headers=headers).json() == odometer
        assert http.get(f"/v2.0/vehicles/{vehicle}/security", headers=headers).json()["isLocked"] is False

        refreshed = http.post("/oauth/token", auth=("persist", "persist-secret"),
                              data={"grant_type": "refresh_token", "refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200
        assert http.get("/v2.0/user", headers=bearer(refreshed.json()["access_token"])).json()["id"] == \
            session["user_id"]

        connections = http.get("/v2.0/management/connections", auth=("default", "persist-amt")).json()
        assert [(c["vehicleId"], c["userId"]) for c in connections["connections"]] == [(vehicle, session["user_id"])]


def test_database_is_in_wal_mode(tmp_path):
    db = tmp_path / "wal.db"
    with EmulatorServer(db=str(db)) as server:
        server.register_app(client_id="wal")
        with sqlite3.connect(db) as reader:  # another process (the CLI) can read while the server runs
            assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert reader.execute("SELECT client_id FROM apps").fetchall() == [("wal",)]


def test_a_half_finished_connect_session_survives_a_restart(tmp_path):
    db = str(tmp_path / "connect.db")
    with EmulatorServer(db=db) as first:
        app = first.register_app(redirect_uris=[REDIRECT_URI], client_id="half")
        url = auth_url(first, app, make="TESLA")
        start = httpx2.get(url)
        assert start.status_code == 200
        session_path = start.text.split('action="', 1)[1].split('"', 1)[0]  # /connect/<id>/continue
    with EmulatorServer(db=db) as second:
        response = httpx2.post(second.url + session_path)
        assert response.status_code == 303 and response.headers["location"].endswith("/login")
        login = httpx2.get(second.url + response.headers["location"])
        assert login.status_code == 200 and 'id="sign-in-button"' in login.text
