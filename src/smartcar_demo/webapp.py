"""The tutorial app: ``/login`` → Smartcar Connect → ``/exchange`` → ``/vehicle``.

Kept small on purpose: it is documentation. It handles both backend tutorials: the classic flow (Connect
returns a ``code``; exchange it for the user's tokens) and the API v3 flow (Connect returns a ``user_id``;
the app uses its own application token and scopes calls to that user).
"""

from __future__ import annotations

import secrets
from hmac import compare_digest
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, session
from werkzeug.wrappers import Response

import smartcar

from .store import StoredAccess, TokenStore

SCOPE = ["read_vehicle_info", "read_odometer", "read_location", "read_battery", "read_fuel"]

# v2 path (classic flow) and v3 signal code (v3 flow) for each column, by the permission they need.
READINGS = [("read_odometer", "/odometer"), ("read_location", "/location"), ("read_battery", "/battery"),
            ("read_fuel", "/fuel")]

CONNECT_ERRORS = {
    "access_denied": "You chose not to share your vehicle with this app. No data was shared.",
    "vehicle_incompatible": "Your vehicle is not compatible with this app yet.",
    "invalid_subscription": "Your vehicle's connected-services subscription is not active.",
    "no_vehicles": "There are no vehicles in that account.",
}


def create_app(token_db: str | Path = ":memory:", mode: str = "test") -> Flask:
    """The Flask app; credentials and origins come from the ``SMARTCAR_*`` environment variables."""
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    auth = smartcar.AuthClient(mode=mode)
    client = smartcar.Client()  # API v3 (user_id flow): one application token and connection pool per app
    store = TokenStore(token_db)
    app.extensions["smartcar_tokens"] = store

    @app.get("/")
    def index() -> Response:
        return redirect("/login")

    @app.get("/login")
    def login() -> Response:
        state = secrets.token_urlsafe(16)
        session["state"] = state
        return redirect(auth.get_auth_url(SCOPE, {"state": state}))

    @app.get("/exchange")
    def exchange() -> Any:
        expected = session.pop("state", None)
        if not expected or not compare_digest(request.args.get("state", ""), expected):
            return render_template("error.html", title="Login expired",
                                   message="This login link is stale or was not started here. Please try again."), 400
        error = request.args.get("error")
        if error:
            message = CONNECT_ERRORS.get(error, request.args.get("error_description") or "Connect failed.")
            return render_template("error.html", title="Vehicle not connected", message=message, error=error), 400
        code, user_id = request.args.get("code"), request.args.get("user_id")
        if code:  # classic flow: the user's own tokens
            access = auth.exchange_code(code)
            user_id = smartcar.get_user(access.access_token).id
            store.put_access_into_database(user_id, StoredAccess(access.access_token, access.refresh_token,
                                                                 access.expiration, access.refresh_expiration))
            session["flow"] = "code"
        elif user_id:  # API v3 flow: the application's token, scoped to this user
            session["flow"] = "user"
        else:
            return render_template("error.html", title="Connect failed",
                                   message="Connect returned neither a code nor a user id."), 400
        session["user_id"] = user_id
        return redirect("/vehicle")

    def fresh_access(user_id: str) -> StoredAccess:
        """The stored access token, refreshed (and the rotated refresh token saved first) when expired."""
        stored = store.load_access_from_database(user_id)
        if stored is None:
            raise LookupError("no tokens for this user")
        if stored.expired():
            new = auth.exchange_refresh_token(stored.refresh_token)
            stored = StoredAccess(new.access_token, new.refresh_token, new.expiration, new.refresh_expiration)
            store.put_access_into_database(user_id, stored)
        return stored

    def vehicles_by_code_flow(user_id: str) -> list[dict[str, Any]]:
        token = fresh_access(user_id).access_token
        rows = []
        for vehicle_id in smartcar.get_vehicles(token).vehicles:
            vehicle = smartcar.Vehicle(vehicle_id, token)
            granted = set(vehicle.permissions().permissions)
            batch = vehicle.batch(["/"] + [path for permission, path in READINGS if permission in granted])
            row: dict[str, Any] = {"id": vehicle_id}
            row.update({k: getattr(batch.attributes(), k) for k in ("make", "model", "year")})
            row.update(_readings_v2(batch))
            rows.append(row)
        return rows

    def vehicles_by_user_flow(user_id: str) -> list[dict[str, Any]]:
        rows = []
        for connection in client.connections.list(user_id=user_id):
            vehicle = client.vehicle(connection.vehicle_id, user_id=user_id)
            attributes = vehicle.attributes()
            row: dict[str, Any] = {"id": connection.vehicle_id, "make": attributes.make,
                                   "model": attributes.model, "year": attributes.year}
            row.update(_readings_v3({s.code: s.body for s in vehicle.signals() if s.ok}))
            rows.append(row)
        return rows

    @app.get("/vehicle")
    def vehicle() -> Any:
        user_id = session.get("user_id")
        if not user_id:
            return redirect("/login")
        try:
            rows = (vehicles_by_user_flow if session.get("flow") == "user" else vehicles_by_code_flow)(user_id)
        except smartcar.SmartcarException as error:
            return render_template("error.html", title="Smartcar error", message=str(error)), 502
        except LookupError:
            return redirect("/login")
        if request.args.get("format") == "json":
            first = rows[0] if rows else {}
            return jsonify({"make": first.get("make"), "model": first.get("model"), "year": first.get("year"),
                            "vehicles": rows})
        return render_template("vehicle.html", vehicles=rows, flow=session.get("flow"))

    return app


def _readings_v2(batch: Any) -> dict[str, Any]:
    """Odometer, location and battery or fuel from a batch; a reading the vehicle cannot give is left out."""
    row: dict[str, Any] = {}
    for name, read in (("odometer_km", lambda: batch.odometer().distance),
                       ("location", lambda: (batch.location().latitude, batch.location().longitude)),
                       ("battery_percent", lambda: round(batch.battery().percent_remaining * 100)),
                       ("fuel_percent", lambda: round(batch.fuel().percent_remaining * 100))):
        try:
            row[name] = read()
        except (AttributeError, smartcar.SmartcarException, TypeError):
            continue  # not granted (no such field in the batch), or not capable (an error item)
    return row


def _readings_v3(signals: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if "odometer-traveleddistance" in signals:
        row["odometer_km"] = signals["odometer-traveleddistance"]["value"]
    if "location-preciselocation" in signals:
        location = signals["location-preciselocation"]
        row["location"] = (location["latitude"], location["longitude"])
    if "tractionbattery-stateofcharge" in signals:
        row["battery_percent"] = round(signals["tractionbattery-stateofcharge"]["value"])
    if "internalcombustionengine-fuellevel" in signals:
        row["fuel_percent"] = round(signals["internalcombustionengine-fuellevel"]["value"])
    return row

