"""The tutorial app: ``/login`` → Smartcar Connect → ``/exchange`` → ``/vehicle``.

Kept small on purpose: it is documentation. It handles both backend tutorials: the classic flow (Connect
returns a ``code``; exchange it for the user's tokens) and the API v3 flow (Connect returns a ``user_id``;
the app uses its own application token and scopes calls to that user).
"""

from __future__ import annotations

import os
import secrets
from hmac import compare_digest
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request, session
from werkzeug.wrappers import Response

import smartcar
from smartcar.tokens import LockTimeout, ReconnectRequired, TokenManager, open_store
from smartcar.webhooks.flask import register

from .events import EventFeed

SCOPE = ["read_vehicle_info", "read_odometer", "read_location", "read_battery", "read_fuel",
         "read_charge", "read_security"]  # the last two: what charging and lock webhook events carry

# v2 path (classic flow) and v3 signal code (v3 flow) for each column, by the permission they need.
READINGS = [("read_odometer", "/odometer"), ("read_location", "/location"), ("read_battery", "/battery"),
            ("read_fuel", "/fuel")]

CONNECT_ERRORS = {
    "access_denied": "You chose not to share your vehicle with this app. No data was shared.",
    "vehicle_incompatible": "Your vehicle is not compatible with this app yet.",
    "invalid_subscription": "Your vehicle's connected-services subscription is not active.",
    "no_vehicles": "There are no vehicles in that account.",
}


def create_app(token_db: str | Path = ":memory:", mode: str = "test", amt: str | None = None,
               webhook_id: str | None = None) -> Flask:
    """The Flask app; credentials and origins come from the ``SMARTCAR_*`` environment variables.
    ``token_db``: where users' tokens live (``smartcar.tokens.open_store``: a SQLite file, ``postgresql://…``,
    or ``:memory:``); every worker process of the app may share it. ``amt`` and ``webhook_id`` (default
    ``SMARTCAR_AMT``, ``SMARTCAR_WEBHOOK_ID``): receive webhooks on ``POST /webhooks`` and subscribe vehicles."""
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    auth = smartcar.AuthClient(mode=mode)
    client = smartcar.Client()  # API v3 (user_id flow): one application token and connection pool per app
    # Tokens: refreshed once per expiry across threads, processes and hosts (docs/tokens.md).
    tokens = TokenManager(open_store(token_db), auth)
    app.extensions["smartcar_tokens"] = tokens
    # Webhooks (docs/webhooks.md): verified, de-duplicated events, shown live on the vehicle page.
    amt = amt or os.environ.get("SMARTCAR_AMT")
    webhook_id = webhook_id or os.environ.get("SMARTCAR_WEBHOOK_ID")
    feed = EventFeed()
    app.extensions["smartcar_events"] = feed
    if amt:
        register(app, "/webhooks", amt, feed)

    @app.get("/")
    def index() -> Response:
        return redirect("/login")

    # The login cookie belongs to one host name: Connect returns to the redirect URI's host, so a login
    # started on another name for the same server (127.0.0.1 for localhost) moves there first.
    registered = urlsplit(auth.redirect_uri or "")

    @app.get("/login")
    def login() -> Response:
        if registered.hostname and request.host.split(":")[0] != registered.hostname:
            return redirect(f"{registered.scheme}://{registered.netloc}/login")
        state = secrets.token_urlsafe(16)
        session["state"] = state
        return redirect(auth.get_auth_url(SCOPE, {"state": state}))

    @app.get("/exchange")
    def exchange() -> Any:
        expected = session.pop("state", None)
        if not expected or not compare_digest(request.args.get("state", ""), expected):
            where = f"{registered.scheme}://{registered.netloc}" if registered.netloc else "the registered address"
            return render_template("error.html", title="Login expired",
                                   message="This login link is stale or was not started here. Please try again. "
                                           f"Open the app at {where}: the login cookie is kept per host name, so a "
                                           "login started on another name (127.0.0.1 for localhost) does not "
                                           "follow Connect back."), 400
        error = request.args.get("error")
        if error:
            message = CONNECT_ERRORS.get(error, request.args.get("error_description") or "Connect failed.")
            return render_template("error.html", title="Vehicle not connected", message=message, error=error), 400
        code, user_id = request.args.get("code"), request.args.get("user_id")
        if code:  # classic flow: the user's own tokens
            access = auth.exchange_code(code)
            user_id = smartcar.get_user(access.access_token).id
            tokens.save(user_id, access)
            session["flow"] = "code"
            if webhook_id:  # subscribe the newly connected vehicles to the app's webhook
                for vehicle_id in smartcar.get_vehicles(access.access_token).vehicles:
                    smartcar.Vehicle(vehicle_id, access.access_token).subscribe(webhook_id)
        elif user_id:  # API v3 flow: the application's token, scoped to this user
            session["flow"] = "user"
        else:
            return render_template("error.html", title="Connect failed",
                                   message="Connect returned neither a code nor a user id."), 400
        session["user_id"] = user_id
        return redirect("/vehicle")

    def vehicles_by_code_flow(user_id: str) -> list[dict[str, Any]]:
        # A valid access token (refreshed first when about to expire); a 401 renews it and reads again.
        return tokens.call(user_id, vehicles_with_token)

    def vehicles_with_token(token: str) -> list[dict[str, Any]]:
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
        except ReconnectRequired:  # no tokens, or the refresh token is dead: Connect again
            return redirect("/login")
        except LockTimeout:
            return render_template("error.html", title="Busy",
                                   message="Your tokens are being renewed. Please try again in a moment."), 503
        session["vehicle_ids"] = [row["id"] for row in rows]  # whose webhook events /events shows
        if request.args.get("format") == "json":
            first = rows[0] if rows else {}
            return jsonify({"make": first.get("make"), "model": first.get("model"), "year": first.get("year"),
                            "vehicles": rows})
        csrf = session.setdefault("csrf", secrets.token_urlsafe(16))
        return render_template("vehicle.html", vehicles=rows, flow=session.get("flow"), csrf=csrf,
                               webhooks=bool(amt))

    @app.get("/events")
    def events() -> Response:
        """Webhook events of the signed-in user's vehicles that arrived after event number ``after``."""
        after = request.args.get("after", "0")
        return jsonify({"events": feed.since(int(after) if after.isdigit() else 0,
                                             set(session.get("vehicle_ids", [])))})

    @app.post("/disconnect")
    def disconnect() -> Response:
        """Revoke the app's access to the user's vehicles and forget their tokens."""
        if not compare_digest(request.form.get("csrf", ""), session.get("csrf", "")) or "csrf" not in session:
            return redirect("/vehicle")
        user_id = session.pop("user_id", None)
        if user_id and session.pop("flow", None) == "code":
            tokens.disconnect(user_id)
        return redirect("/login")

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

