"""Control API for webhook delivery: ``/_emulator/webhooks`` and ``/_emulator/deliveries`` (issue 15).

Register a webhook for an application and subscribe vehicles without the Management API's tokens; set a
webhook's payload format (``v2``/``v3``) and schedule; challenge it again; send a test event; read the delivery
log (attempts, status codes, payloads) and send a delivery again; read or change the retry policy.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..platform.errors import ApiError, validation
from ..platform.webhook_outbox import VERSIONS, DeliveryPolicy
from ..platform.webhook_registry import Webhook, check_codes, check_uri
from .common import int_param, json_object, platform_of
from .control import loopback_only
from .errors import json_response

router = APIRouter(prefix="/_emulator", tags=["emulator control"], dependencies=[Depends(loopback_only)])


def webhook_json(request: Request, webhook: Webhook) -> dict[str, Any]:
    outbox = platform_of(request).outbox
    return {"id": webhook.id, "clientId": webhook.client_id, "name": webhook.name, "callbackUri": webhook.callback_uri,
            "errorCallbackUri": webhook.error_callback_uri, "isEnabled": webhook.is_enabled,
            "autoSubscribe": webhook.auto_subscribe, "triggers": list(webhook.triggers), "data": list(webhook.data),
            "subscriptions": [s.vehicle_id for s in platform_of(request).webhooks.subscriptions(
                webhook.client_id, webhook_id=webhook.id)],
            **outbox.settings(webhook.id)}


def _webhook(request: Request, webhook_id: str) -> Webhook:
    webhook = platform_of(request).webhooks.get(None, webhook_id)
    if webhook is None:
        raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "webhookId", "message": "No such webhook."}])
    return webhook


def _delivery_options(body: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "version" in body:
        if body["version"] not in VERSIONS:
            raise validation("version must be v2 or v3.", "version")
        options["version"] = body["version"]
    if "intervalSeconds" in body:
        interval = body["intervalSeconds"]
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))
                                     or not 1 <= interval <= 366 * 86400):
            raise validation("intervalSeconds must be between 1 second and one year, or null.", "intervalSeconds")
        options["interval_s"] = interval
    return options


@router.get("/webhooks", summary="Every application's webhooks with delivery settings and verification")
async def list_webhooks(request: Request) -> Response:
    platform = platform_of(request)
    found = [w for app in platform.apps.list() for w in platform.webhooks.list(app.client_id)]
    return json_response({"webhooks": [webhook_json(request, w) for w in found]})


@router.post("/webhooks", summary="Register a webhook {clientId, callbackUri, name?, version?, intervalSeconds?, "
                                  "triggers?, data?, errorCallbackUri?}; it is challenged (VERIFY) at once")
async def create_webhook(request: Request) -> Response:
    platform = platform_of(request)
    body = await json_object(request)
    client_id = body.get("clientId")
    if not isinstance(client_id, str) or platform.apps.get(client_id) is None:
        raise validation("clientId must name a registered application.", "clientId")
    uri = check_uri(body.get("callbackUri"), "callbackUri")
    assert uri is not None
    name = body.get("name", "Webhook")
    if not isinstance(name, str) or not 1 <= len(name) <= 200:
        raise validation("name must be a string of 1 to 200 characters.", "name")
    options = _delivery_options(body)
    webhook = platform.webhooks.create(
        client_id, name, uri, triggers=check_codes(body.get("triggers", []), "triggers"),
        data=check_codes(body.get("data", []), "data"),
        error_callback_uri=check_uri(body.get("errorCallbackUri"), "errorCallbackUri", optional=True))
    platform.outbox.configure(webhook.id, **options)
    return json_response(webhook_json(request, webhook), status=201)


@router.get("/webhooks/{webhook_id}", summary="A webhook with its delivery settings and verification")
async def get_webhook(request: Request, webhook_id: str) -> Response:
    return json_response(webhook_json(request, _webhook(request, webhook_id)))


_SETTABLE = ("name", "callbackUri", "errorCallbackUri", "isEnabled", "version", "intervalSeconds")


@router.patch("/webhooks/{webhook_id}", summary="Change {name, callbackUri (challenged again), errorCallbackUri, "
                                                "isEnabled, version: v2|v3, intervalSeconds: N|null}")
async def patch_webhook(request: Request, webhook_id: str) -> Response:
    platform = platform_of(request)
    webhook = _webhook(request, webhook_id)
    body = await json_object(request)
    unknown = sorted(set(body) - set(_SETTABLE))
    if unknown:
        raise validation(f"Unknown settings: {', '.join(unknown)}; settable: {', '.join(_SETTABLE)}.", unknown[0])
    options = _delivery_options(body)
    changes: dict[str, Any] = {}
    if "name" in body:
        if not isinstance(body["name"], str) or not 1 <= len(body["name"]) <= 200:
            raise validation("name must be a string of 1 to 200 characters.", "name")
        changes["name"] = body["name"]
    if "callbackUri" in body:
        changes["callback_uri"] = check_uri(body["callbackUri"], "callbackUri")
    if "errorCallbackUri" in body:
        changes["error_callback_uri"] = check_uri(body["errorCallbackUri"], "errorCallbackUri", optional=True)
    if "isEnabled" in body:
        if not isinstance(body["isEnabled"], bool):
            raise validation("isEnabled must be true or false.", "isEnabled")
        changes["is_enabled"] = body["isEnabled"]
    if changes:
        webhook = platform.webhooks.update(webhook.client_id, webhook.id, **changes)
    platform.outbox.configure(webhook.id, **options)
    return json_response(webhook_json(request, webhook))


@router.delete("/webhooks/{webhook_id}", summary="Delete a webhook and its subscriptions (its log stays)")
async def delete_webhook(request: Request, webhook_id: str) -> Response:
    webhook = _webhook(request, webhook_id)
    platform_of(request).webhooks.delete(webhook.client_id, webhook.id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/subscriptions", summary="Subscribe a vehicle {vehicleId}")
async def subscribe(request: Request, webhook_id: str) -> Response:
    platform = platform_of(request)
    webhook = _webhook(request, webhook_id)
    body = await json_object(request)
    vehicle_ids = body.get("vehicleIds", [body.get("vehicleId")])
    if not isinstance(vehicle_ids, list) or not vehicle_ids or len(vehicle_ids) > 10_000:
        raise validation("vehicleId (or vehicleIds, up to 10,000) is required.", "vehicleId")
    for vehicle_id in vehicle_ids:
        if not isinstance(vehicle_id, str) or platform.vehicles.get(vehicle_id) is None:
            raise validation(f"No such vehicle: {vehicle_id!r}.", "vehicleId")
    with platform.db.transaction():
        for vehicle_id in vehicle_ids:
            connection = next(iter(platform.connections.search(webhook.client_id, vehicle_id=vehicle_id)), None)
            platform.webhooks.subscribe(webhook.id, vehicle_id, connection.user_id if connection else None)
    return json_response(webhook_json(request, webhook), status=201)


@router.post("/webhooks/{webhook_id}/verify", summary="Challenge the webhook again (VERIFY)")
async def verify(request: Request, webhook_id: str) -> Response:
    webhook = _webhook(request, webhook_id)
    platform_of(request).outbox.request_verification(webhook.id)
    return json_response(webhook_json(request, webhook), status=202)


@router.post("/webhooks/{webhook_id}/test", summary="Send a test event now {vehicleId?}")
async def test_event(request: Request, webhook_id: str) -> Response:
    webhook = _webhook(request, webhook_id)
    body = await json_object(request) if await request.body() else {}
    vehicle_id = body.get("vehicleId")
    if vehicle_id is not None and not isinstance(vehicle_id, str):
        raise validation("vehicleId must be a string.", "vehicleId")
    event_id = platform_of(request).outbox.test_event(None, webhook.id, vehicle_id)
    return json_response({"eventId": event_id}, status=202)


@router.get("/deliveries", summary="The delivery log, newest first (?webhook_id=&vehicle_id=&status=&limit=)")
async def deliveries(request: Request, webhook_id: str | None = None, vehicle_id: str | None = None,
                     status: str | None = None) -> Response:
    if status is not None and status not in ("pending", "delivered", "failed"):
        raise validation("status must be pending, delivered or failed.", "status")
    limit = int_param(request, "limit", 100, 1, 1000)
    log = platform_of(request).outbox.log(webhook_id, vehicle_id, status, limit)
    return json_response({"deliveries": log})


@router.get("/deliveries/{delivery_id}", summary="One delivery with its attempts")
async def delivery(request: Request, delivery_id: str) -> Response:
    entry = platform_of(request).outbox.entry(delivery_id)
    if entry is None:
        raise ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": "deliveryId", "message": "No such delivery."}])
    return json_response(entry)


@router.post("/deliveries/{delivery_id}/resend", summary="Send a delivery again (same event id)")
async def resend(request: Request, delivery_id: str) -> Response:
    new = platform_of(request).outbox.resend(delivery_id)
    return json_response({"id": new}, status=202)


_POLICY = {"retries": ("retries", 0, 20), "backoffSeconds": ("backoff_s", 0, 86400),
           "timeoutSeconds": ("timeout_s", 0.1, 120), "lowBattery": ("low_battery", 0, 1)}


def _policy_json(policy: DeliveryPolicy) -> dict[str, Any]:
    return {key: getattr(policy, name) for key, (name, _, _) in _POLICY.items()}


@router.get("/delivery-policy", summary="Retries, backoff, attempt timeout, low-battery threshold")
async def get_policy(request: Request) -> Response:
    return json_response(_policy_json(platform_of(request).outbox.policy))


@router.put("/delivery-policy", summary="Change {retries, backoffSeconds, timeoutSeconds, lowBattery}")
async def put_policy(request: Request) -> Response:
    platform_of(request).check_per_process_change("The delivery policy")
    outbox = platform_of(request).outbox
    body = await json_object(request)
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key not in _POLICY:
            raise validation(f"Unknown policy key {key}; one of {', '.join(_POLICY)}.", key)
        name, low, high = _POLICY[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise validation(f"{key} must be a number between {low:g} and {high:g}.", key)
        changes[name] = int(value) if name == "retries" else float(value)
    outbox.policy = dataclasses.replace(outbox.policy, **changes)
    return json_response(_policy_json(outbox.policy))
