"""Management API v3 (``management.api.smartcar.com/v3``): webhooks and subscriptions, application token.

``GET``/``POST /v3/webhooks``, ``GET``/``PATCH``/``DELETE /v3/webhooks/{id}``; ``GET``/``POST /v3/subscriptions``,
``GET``/``DELETE /v3/subscriptions/{id}``. JSON:API resources, ``page[number]``/``page[size]`` (default 50, max
100), errors in the v3 format. The documented list filters are honoured; create, update and delete of webhooks and
the subscription delete are not documented, so their shapes are ours (docs/emulator.md, Fidelity).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..platform.errors import ApiError
from ..platform.signals import BY_CODE
from ..platform.vehicles import MODES
from ..platform.webhook_registry import Subscription, Webhook, check_codes, check_uri
from .api_v3 import _iso, _query, _vehicle_summary
from .api_v3 import _paged as paged
from .auth import bearer_token
from .common import json_object, platform_of
from .errors import json_response

router = APIRouter(prefix="/v3", tags=["management API v3"])

PAGE_SIZE = 50  # documented default for the management lists


def _client(request: Request) -> str:
    return platform_of(request).v3.application(bearer_token(request))


def _paged(request: Request, items: list[Any], path: str) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    return paged(request, items, path, PAGE_SIZE, ("page[number]", "page[size]"))


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": name, "message": "Must be true or false."}])
    return raw.lower() == "true"


def _signals(codes: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"group": BY_CODE[c].group, "name": BY_CODE[c].name, "code": c} for c in codes if c in BY_CODE]


def webhook_resource(webhook: Webhook) -> dict[str, Any]:
    return {"id": webhook.id, "type": "webhook",
            "attributes": {"name": webhook.name, "callbackUri": webhook.callback_uri, "isEnabled": webhook.is_enabled,
                           "triggers": _signals(webhook.triggers), "data": _signals(webhook.data),
                           "errorCallbackUri": webhook.error_callback_uri, "autoSubscribe": webhook.auto_subscribe},
            "links": {"self": f"/webhooks/{webhook.id}"},
            "meta": {"createdAt": _iso(webhook.created_at), "updatedAt": _iso(webhook.updated_at)}}


def _attributes(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise ApiError("VALIDATION", detail=[{"field": "data.attributes",
                                              "message": "\"data.attributes\" is required"}])
    return attributes


def _webhook_changes(attributes: dict[str, Any], creating: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in attributes or creating:
        name = attributes.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise ApiError("VALIDATION", detail=[{"field": "name", "message": "A name of 1 to 200 characters."}])
        changes["name"] = name.strip()
    if "callbackUri" in attributes or creating:
        changes["callback_uri"] = check_uri(attributes.get("callbackUri"), "callbackUri")
    if "errorCallbackUri" in attributes:
        changes["error_callback_uri"] = check_uri(attributes.get("errorCallbackUri"), "errorCallbackUri", True)
    for key, name in (("isEnabled", "is_enabled"), ("autoSubscribe", "auto_subscribe")):
        if key in attributes:
            if not isinstance(attributes[key], bool):
                raise ApiError("VALIDATION", detail=[{"field": key, "message": "Must be true or false."}])
            changes[name] = attributes[key]
    for key in ("triggers", "data"):
        if key in attributes:
            changes[key] = check_codes(attributes[key], key)
    return changes


# Webhooks ---------------------------------------------------------------------------------------------
@router.get("/webhooks", summary="The application's webhooks (filters: name, callbackUri, isEnabled, autoSubscribe)")
async def list_webhooks(request: Request) -> Response:
    platform = platform_of(request)
    found = platform.webhooks.list(_client(request), request.query_params.get("filter[name]") or None,
                                   request.query_params.get("filter[callbackUri]") or None,
                                   _flag(request, "filter[isEnabled]"), _flag(request, "filter[autoSubscribe]"))
    page, meta, links = _paged(request, found, "/webhooks")
    return json_response({"data": [webhook_resource(w) for w in page], "meta": meta, "links": links})


@router.post("/webhooks", status_code=201, summary="Create a webhook {data: {attributes: {name, callbackUri, ...}}}")
async def create_webhook(request: Request) -> Response:
    platform = platform_of(request)
    client_id = _client(request)
    changes = _webhook_changes(_attributes(await json_object(request)), creating=True)
    name, uri = changes.pop("name"), changes.pop("callback_uri")
    webhook = platform.webhooks.create(client_id, name, uri, **changes)
    return json_response({"data": webhook_resource(webhook)}, status=201)


@router.get("/webhooks/{webhook_id}", summary="One webhook")
async def get_webhook(request: Request, webhook_id: str) -> Response:
    webhook = platform_of(request).webhooks.require(_client(request), webhook_id)
    return json_response({"data": webhook_resource(webhook)})


@router.patch("/webhooks/{webhook_id}", summary="Change a webhook's attributes")
async def update_webhook(request: Request, webhook_id: str) -> Response:
    platform = platform_of(request)
    client_id = _client(request)
    platform.webhooks.require(client_id, webhook_id)
    changes = _webhook_changes(_attributes(await json_object(request)), creating=False)
    return json_response({"data": webhook_resource(platform.webhooks.update(client_id, webhook_id, **changes))})


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Delete a webhook and its subscriptions")
async def delete_webhook(request: Request, webhook_id: str) -> Response:
    platform_of(request).webhooks.delete(_client(request), webhook_id)
    return Response(status_code=204)


# Subscriptions ----------------------------------------------------------------------------------------
def subscription_resource(request: Request, subscription: Subscription) -> dict[str, Any]:
    vehicle = platform_of(request).vehicles.get(subscription.vehicle_id)
    relationships: dict[str, Any] = {
        "webhook": {"data": {"type": "webhook", "id": subscription.webhook_id},
                    "links": {"related": f"/webhooks/{subscription.webhook_id}"}},
        "vehicle": {"data": {"type": "vehicle", "id": subscription.vehicle_id},
                    "links": {"related": f"/vehicles/{subscription.vehicle_id}"}},
    }
    if subscription.user_id:
        relationships["user"] = {"data": {"type": "user", "id": subscription.user_id},
                                 "links": {"related": f"/users/{subscription.user_id}"}}
    return {"type": "subscription", "id": subscription.id,
            "attributes": {"vehicle": _vehicle_summary(vehicle) if vehicle else None},
            "meta": {"createdAt": _iso(subscription.created_at), "updatedAt": _iso(subscription.updated_at)},
            "relationships": relationships, "links": {"self": f"/subscriptions/{subscription.id}"}}


def _not_found(field: str, message: str) -> ApiError:
    return ApiError("RESOURCE_NOT_FOUND", None, detail=[{"field": field, "message": message}])


@router.get("/subscriptions", summary="Subscriptions (filters: userId, webhookId, vehicleId, vehicle.mode)")
async def list_subscriptions(request: Request) -> Response:
    platform = platform_of(request)
    mode = request.query_params.get("filter[vehicle.mode]") or None
    if mode is not None and mode not in MODES:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "filter[vehicle.mode]",
                                                           "message": "Must be one of: live, simulated, test."}])
    found = platform.webhooks.subscriptions(_client(request), _query(request, "filter[webhookId]"),
                                            _query(request, "filter[vehicleId]"), _query(request, "filter[userId]"))
    if mode is not None:
        modes = {s.vehicle_id: getattr(platform.vehicles.get(s.vehicle_id), "mode", None) for s in found}
        found = [s for s in found if modes[s.vehicle_id] == mode]
    page, meta, links = _paged(request, found, "/subscriptions")
    return json_response({"data": [subscription_resource(request, s) for s in page], "meta": meta, "links": links})


@router.post("/subscriptions", status_code=202,
             summary="Subscribe a vehicle {data: {attributes: {webhookId, vehicleId, userId?}}}")
async def create_subscription(request: Request) -> Response:
    platform = platform_of(request)
    client_id = _client(request)
    attributes = _attributes(await json_object(request))
    webhook_id, vehicle_id, user_id = (attributes.get(k) for k in ("webhookId", "vehicleId", "userId"))
    for name, value in (("webhookId", webhook_id), ("vehicleId", vehicle_id)):
        if not isinstance(value, str) or not value:
            raise ApiError("VALIDATION", detail=[{"field": name, "message": f"\"{name}\" is required"}])
    if user_id is not None and not isinstance(user_id, str):
        raise ApiError("VALIDATION", detail=[{"field": "userId", "message": "\"userId\" must be a string"}])
    assert isinstance(webhook_id, str) and isinstance(vehicle_id, str)
    if platform.webhooks.get(client_id, webhook_id) is None:
        raise _not_found("webhookId", "No such webhook.")
    connections = platform.connections.search(client_id, user_id, vehicle_id)
    if not connections:
        raise _not_found("vehicleId", "No connected vehicle with this id.")
    if platform.webhooks.subscriptions(client_id, webhook_id, vehicle_id):
        raise ApiError("CONFLICT", None, status=409, description="The vehicle is already subscribed to this webhook.")
    platform.webhooks.subscribe(webhook_id, vehicle_id, connections[0].user_id)
    return json_response({"meta": {"message": "subscription creation in progress"}}, status=202)


@router.get("/subscriptions/{subscription_id}", summary="One subscription")
async def get_subscription(request: Request, subscription_id: str) -> Response:
    found = platform_of(request).webhooks.subscription(_client(request), subscription_id)
    if found is None:
        raise _not_found("subscriptionId", "No such subscription.")
    return json_response({"data": subscription_resource(request, found)})


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Unsubscribe")
async def delete_subscription(request: Request, subscription_id: str) -> Response:
    platform = platform_of(request)
    found = platform.webhooks.subscription(_client(request), subscription_id)
    if found is None:
        raise _not_found("subscriptionId", "No such subscription.")
    platform.webhooks.unsubscribe(found.webhook_id, found.vehicle_id)
    return Response(status_code=204)
