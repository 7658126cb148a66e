"""A user's app: connect a car with Smartcar Connect, keep its tokens, show its odometer.

Credentials and API origins come from the environment (SMARTCAR_CLIENT_ID, SMARTCAR_CLIENT_SECRET,
SMARTCAR_REDIRECT_URI, and SMARTCAR_*_ORIGIN when not talking to Smartcar's cloud).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from hmac import compare_digest
from typing import Any

import smartcar
from flask import Flask, jsonify, redirect, request, session

SCOPES = ["read_vehicle_info", "read_odometer"]


class TokenStore:
    """One row per Smartcar user: their tokens and the vehicle the app shows."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS tokens (user_id TEXT PRIMARY KEY, access_token TEXT,"
                         " refresh_token TEXT, vehicle_id TEXT)")

    def save(self, user_id: str, access: Any, vehicle_id: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?)",
                             (user_id, access.access_token, access.refresh_token, vehicle_id))

    def get(self, user_id: str) -> tuple[str, str, str] | None:
        with self._lock:
            row = self._db.execute("SELECT access_token, refresh_token, vehicle_id FROM tokens WHERE user_id = ?",
                                   (user_id,)).fetchone()
        return row


def create_app(db_path: str = ":memory:", mode: str = "live") -> Flask:
    """``mode``: ``live`` (real accounts), ``test`` (Smartcar's test vehicles) or ``simulated``."""
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    auth = smartcar.AuthClient(mode=mode)
    tokens = TokenStore(db_path)
    app.extensions["tokens"] = tokens

    @app.get("/login")
    def login() -> Any:
        session["state"] = state = secrets.token_urlsafe(16)
        return redirect(auth.get_auth_url(SCOPES, {"state": state}))

    @app.get("/callback")
    def callback() -> Any:
        if not compare_digest(request.args.get("state", ""), session.pop("state", "") or "-"):
            return jsonify(error="stale_login", message="Please start again at /login."), 400
        if "error" in request.args:
            return jsonify(error=request.args["error"], message="No car was connected."), 400
        access = auth.exchange_code(request.args["code"])
        user_id = smartcar.get_user(access.access_token).id
        vehicle_id = smartcar.get_vehicles(access.access_token).vehicles[0]
        tokens.save(user_id, access, vehicle_id)
        session["user_id"] = user_id
        return redirect("/odometer")

    @app.get("/odometer")
    def odometer() -> Any:
        row = tokens.get(session.get("user_id", ""))
        if row is None:
            return redirect("/login")
        access_token, refresh_token, vehicle_id = row
        try:
            try:
                reading = smartcar.Vehicle(vehicle_id, access_token).odometer()
            except smartcar.SmartcarException as error:
                if error.status_code != 401:
                    raise
                # The access token expired: refresh (the refresh token rotates: save the new pair first).
                access = auth.exchange_refresh_token(refresh_token)
                tokens.save(session["user_id"], access, vehicle_id)
                reading = smartcar.Vehicle(vehicle_id, access.access_token).odometer()
        except smartcar.SmartcarException as error:
            if error.type == "RATE_LIMIT":
                response = jsonify(error="busy", message="Too many requests for this car; try again soon.")
                response.headers["Retry-After"] = str(error.retry_after or 60)
                return response, 429
            if (error.type, error.code) == ("VEHICLE_STATE", "ASLEEP"):
                return jsonify(error="asleep", message="Your car is asleep. Open its app to wake it up."), 409
            return jsonify(error="unavailable", message="Smartcar could not read your car right now."), 502
        return jsonify(distance=reading.distance, unit="km")

    return app
