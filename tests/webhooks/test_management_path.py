"""The production path: a webhook created with the Management API v3 (application token) is challenged, a vehicle
connected through Connect is subscribed with POST /v3/subscriptions, and only its trigger signal's changes are
delivered, with the Connect user and the grant's signals."""

from __future__ import annotations

import httpx2

from smartcar import webhooks
from smartcar_emulator.scripted import connect

from .conftest import Setup
from .receiver import wait_for


def test_management_api_webhook_with_triggers(setup: Setup) -> None:
    url = setup.emulator.url
    token = httpx2.post(f"{url}/oauth2/token", data={"grant_type": "client_credentials", "client_id": "hook-app",
                                                     "client_secret": "secret"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx2.post(f"{url}/v3/webhooks", headers=headers, json={"data": {"attributes": {
        "name": "Charging", "callbackUri": setup.receiver.url, "triggers": ["charge-ischarging"],
        "data": ["tractionbattery-stateofcharge"]}}})
    assert created.status_code == 201, created.text
    webhook_id = created.json()["data"]["id"]
    wait_for(lambda: setup.verification(webhook_id) == "verified", what="VERIFY of a Management API webhook")

    grant = connect(url, "hook-app", "secret", "http://localhost:8000/exchange",
                    ["read_vehicle_info", "read_charge", "control_charge", "read_security", "control_security"],
                    make="TESLA", email="owner@example.com")
    vehicle_id = grant["vehicle_ids"][0]
    subscribed = httpx2.post(f"{url}/v3/subscriptions", headers=headers, json={"data": {"attributes": {
        "webhookId": webhook_id, "vehicleId": vehicle_id}}})
    assert subscribed.status_code == 202, subscribed.text

    setup.control("PATCH", f"/vehicles/{vehicle_id}/state", {"battery_soc": 0.5, "charging": False})
    setup.control("POST", f"/vehicles/{vehicle_id}/security", {"action": "UNLOCK"})  # not a trigger: not sent
    setup.control("POST", f"/vehicles/{vehicle_id}/plug")
    setup.control("POST", f"/vehicles/{vehicle_id}/charge", {"action": "START"})
    wait_for(lambda: setup.receiver.handled, what="the charging event")
    event = setup.receiver.handled[0]
    assert isinstance(event, webhooks.VehicleStateEvent)
    assert event.user_id == grant["user_id"] and event.vehicle_id == vehicle_id
    assert [s.code for s in event.signals] == ["charge-ischarging", "tractionbattery-stateofcharge"]
    soc = event.signal("tractionbattery-stateofcharge")
    assert soc is not None and soc.status == "ERROR" and soc.error == {"type": "PERMISSION", "code": "UNKNOWN"}
    events = [d["eventType"] for d in setup.log(webhook_id=webhook_id)]
    assert events == ["VEHICLE_STATE", "VERIFY"]  # the unlock was filtered out by the triggers
