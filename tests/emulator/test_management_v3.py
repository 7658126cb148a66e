"""Management API v3 (webhooks, subscriptions) and v3 compatible-vehicles over loopback HTTP."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.emulator.conftest import unique_email


@pytest.fixture(scope="module")
def mgmt(emulator, application):
    token = httpx2.post(f"{emulator.url}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": application.client_id,
        "client_secret": application.client_secret}).json()["access_token"]

    def call(method: str, path: str, body: Any = None, **params: Any) -> httpx2.Response:
        return httpx2.request(method, f"{emulator.url}/v3{path}", json=body, params=params or None,
                              headers={"Authorization": f"Bearer {token}"})
    return call


def new_webhook(mgmt, **attributes: Any) -> dict[str, Any]:
    body = {"data": {"attributes": {"name": "Charging Webhook", "callbackUri": "http://127.0.0.1:9/hook",
                                    **attributes}}}
    response = mgmt("POST", "/webhooks", body)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def test_webhook_lifecycle(mgmt, emulator):
    created = new_webhook(mgmt, triggers=["tractionbattery-stateofcharge"],
                          data=[{"code": "charge-ischarging"}], errorCallbackUri="http://127.0.0.1:9/errors")
    assert created["type"] == "webhook" and set(created) == {"id", "type", "attributes", "links", "meta"}
    attributes = created["attributes"]
    assert attributes["triggers"] == [{"group": "TractionBattery", "name": "StateOfCharge",
                                       "code": "tractionbattery-stateofcharge"}]
    assert attributes["data"][0]["code"] == "charge-ischarging"
    assert (attributes["isEnabled"], attributes["autoSubscribe"]) == (True, False)
    assert attributes["errorCallbackUri"] == "http://127.0.0.1:9/errors"
    webhook_id = created["id"]
    assert mgmt("GET", f"/webhooks/{webhook_id}").json()["data"] == created
    patched = mgmt("PATCH", f"/webhooks/{webhook_id}", {"data": {"attributes": {"isEnabled": False, "name": "Off"}}})
    assert patched.status_code == 200
    assert (patched.json()["data"]["attributes"]["isEnabled"], patched.json()["data"]["attributes"]["name"]) == (
        False, "Off")
    # The platform-level view the delivery worker uses agrees.
    assert emulator.platform.webhooks.get(None, webhook_id).is_enabled is False
    assert mgmt("DELETE", f"/webhooks/{webhook_id}").status_code == 204
    gone = mgmt("GET", f"/webhooks/{webhook_id}")
    assert gone.status_code == 404 and gone.json()["errors"][0]["type"] == "RESOURCE_NOT_FOUND"


def test_webhook_list_filters_and_paging(mgmt):
    tag = unique_email("hook").split("@")[0]
    new_webhook(mgmt, name=f"{tag} Alpha", callbackUri=f"http://127.0.0.1:9/alpha/{tag}")
    new_webhook(mgmt, name=f"{tag} Beta", callbackUri=f"http://127.0.0.1:9/beta/{tag}", isEnabled=False,
                autoSubscribe=True)
    by_name = mgmt("GET", "/webhooks", **{"filter[name]": f"{tag.upper()} al"}).json()
    assert [w["attributes"]["name"] for w in by_name["data"]] == [f"{tag} Alpha"]
    assert [w["attributes"]["name"] for w in mgmt("GET", "/webhooks", **{"filter[callbackUri]": f"9/BETA/{tag}"})
            .json()["data"]] == [f"{tag} Beta"]
    disabled = mgmt("GET", "/webhooks", **{"filter[isEnabled]": "false", "filter[name]": tag}).json()["data"]
    assert [w["attributes"]["name"] for w in disabled] == [f"{tag} Beta"]
    auto = mgmt("GET", "/webhooks", **{"filter[autoSubscribe]": "true", "filter[name]": tag}).json()["data"]
    assert [w["attributes"]["name"] for w in auto] == [f"{tag} Beta"]
    paged = mgmt("GET", "/webhooks", **{"filter[name]": tag, "page[size]": "1", "page[number]": "2"}).json()
    assert len(paged["data"]) == 1 and paged["meta"] == {"page": 2, "pageSize": 1, "totalCount": 2}
    assert mgmt("GET", "/webhooks").json()["meta"]["pageSize"] == 50


@pytest.mark.parametrize("attributes", [{"callbackUri": "ftp://x"}, {"name": ""}, {"triggers": ["no-such-signal"]},
                                        {"isEnabled": "yes"}])
def test_webhook_validation(mgmt, attributes):
    body = {"data": {"attributes": {"name": "x", "callbackUri": "http://127.0.0.1:9/x", **attributes}}}
    response = mgmt("POST", "/webhooks", body)
    assert response.status_code == 400 and response.json()["errors"][0]["type"] == "VALIDATION"


def test_management_needs_an_application_token(emulator):
    response = httpx2.get(f"{emulator.url}/v3/webhooks", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["errors"][0]["type"] == "AUTHENTICATION"


def test_subscription_lifecycle(mgmt, emulator, connect_vehicle):
    session = connect_vehicle(make="TESLA", email=unique_email("sub"))
    vehicle_id, user_id = session["vehicle_ids"][0], session["user_id"]
    webhook_id = new_webhook(mgmt)["id"]
    body = {"data": {"attributes": {"webhookId": webhook_id, "vehicleId": vehicle_id}}}
    created = mgmt("POST", "/subscriptions", body)
    assert created.status_code == 202 and created.json() == {"meta": {"message": "subscription creation in progress"}}
    assert mgmt("POST", "/subscriptions", body).status_code == 409
    listed = mgmt("GET", "/subscriptions", **{"filter[webhookId]": webhook_id}).json()
    assert listed["meta"]["totalCount"] == 1
    subscription = listed["data"][0]
    assert subscription["type"] == "subscription"
    assert subscription["relationships"]["vehicle"]["data"] == {"type": "vehicle", "id": vehicle_id}
    assert subscription["relationships"]["user"]["data"] == {"type": "user", "id": user_id}
    assert subscription["attributes"]["vehicle"]["make"] == "TESLA"
    for filters in ({"filter[vehicleId]": vehicle_id}, {"filter[userId]": user_id},
                    {"filter[vehicle.mode]": "test", "filter[webhookId]": webhook_id}):
        assert [s["id"] for s in mgmt("GET", "/subscriptions", **filters).json()["data"]] == [subscription["id"]]
    assert mgmt("GET", "/subscriptions", **{"filter[vehicle.mode]": "live",
                                            "filter[webhookId]": webhook_id}).json()["data"] == []
    assert mgmt("GET", f"/subscriptions/{subscription['id']}").json()["data"] == subscription
    subscribers = emulator.platform.webhooks.subscribers(vehicle_id)
    assert [w.id for w, _ in subscribers] == [webhook_id]
    assert mgmt("DELETE", f"/subscriptions/{subscription['id']}").status_code == 204
    assert mgmt("GET", f"/subscriptions/{subscription['id']}").status_code == 404
    assert emulator.platform.webhooks.subscribers(vehicle_id) == []


def test_subscription_needs_known_webhook_and_connected_vehicle(mgmt, connect_vehicle):
    session = connect_vehicle(make="TESLA", email=unique_email("sub"))
    webhook_id = new_webhook(mgmt)["id"]
    unknown_hook = mgmt("POST", "/subscriptions", {"data": {"attributes": {
        "webhookId": "nope", "vehicleId": session["vehicle_ids"][0]}}})
    assert unknown_hook.status_code == 404
    unknown_car = mgmt("POST", "/subscriptions", {"data": {"attributes": {"webhookId": webhook_id,
                                                                         "vehicleId": "not-a-vehicle"}}})
    assert unknown_car.status_code == 404
    assert mgmt("POST", "/subscriptions", {"data": {"attributes": {}}}).status_code == 400


def test_auto_subscribe_on_connect(mgmt, connect_vehicle):
    webhook_id = new_webhook(mgmt, autoSubscribe=True)["id"]
    try:
        session = connect_vehicle(make="TESLA", email=unique_email("auto"))
        found = mgmt("GET", "/subscriptions", **{"filter[webhookId]": webhook_id}).json()["data"]
        assert [s["relationships"]["vehicle"]["data"]["id"] for s in found] == session["vehicle_ids"]
    finally:
        mgmt("DELETE", f"/webhooks/{webhook_id}")


# Compatible vehicles ------------------------------------------------------------------------------------
def test_compatible_vehicles_all_and_filtered(emulator):
    everything = httpx2.get(f"{emulator.url}/v3/compatible-vehicles").json()
    assert everything["meta"]["totalCount"] == len(everything["data"]) == everything["meta"]["pageSize"]
    first = everything["data"][0]
    assert first["type"] == "vehicle-model-capability"
    assert set(first["attributes"]) == {"make", "model", "region", "powertrainType", "years", "capabilities"}
    tesla_eu = httpx2.get(f"{emulator.url}/v3/compatible-vehicles",
                          params={"filter[region]": "EUROPE", "filter[make]": "tesla"}).json()["data"]
    assert tesla_eu and all(v["attributes"]["make"] == "Tesla" and v["attributes"]["region"] == "EUROPE"
                            for v in tesla_eu)
    assert tesla_eu[0]["id"] == "TESLA-Model 3-2018-2025-BEV-EUROPE"
    capabilities = {c["capability"]: c for c in tesla_eu[0]["attributes"]["capabilities"]}
    assert capabilities["tractionbattery-stateofcharge"] == {
        "type": "signal", "name": "State Of Charge", "group": "TractionBattery", "code": "StateOfCharge",
        "capability": "tractionbattery-stateofcharge", "permission": "read_battery"}
    assert capabilities["closure-lock"]["type"] == "command" and "chargeschedule-weekly" in capabilities
    rivian_eu = httpx2.get(f"{emulator.url}/v3/compatible-vehicles",
                           params={"filter[region]": "EUROPE", "filter[make]": "RIVIAN"}).json()
    assert rivian_eu["data"] == [] and rivian_eu["meta"]["totalCount"] == 0


def test_compatible_vehicles_unknown_region(emulator):
    response = httpx2.get(f"{emulator.url}/v3/compatible-vehicles", params={"filter[region]": "MARS"})
    assert response.status_code == 400 and response.json()["errors"][0]["type"] == "VALIDATION"
