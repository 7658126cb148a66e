"""API v3 operations as data: method, path, query, body and the parser of the response.

Pure: nothing here sends anything. ``Client`` and ``AsyncClient`` add the application token and send
through the shared core, so request building and parsing exist once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from .. import _core, config
from .models import CommandExecution, Connection, Page, Signal, VehicleAttributes
from .resources import ChargeSchedule, ChargeScheduleExecution, CompatibleVehicle, Subscription, Webhook

T = TypeVar("T")


@dataclass(frozen=True)
class Operation(Generic[T]):
    method: str
    path: str
    parse: Callable[[Any], T]
    user_id: str | None = None
    params: dict[str, Any] | None = None
    json: Any = None
    api: str = "vehicle"  # vehicle, management or compatibility: which host's /v3

    def spec(self, token: str) -> _core.RequestSpec:
        headers = _core.bearer(token)
        if self.user_id is not None:
            headers["sc-user-id"] = self.user_id
        origin = {"vehicle": config.VEHICLE_API_ORIGIN, "management": config.MANAGEMENT_API_V3_ORIGIN,
                  "compatibility": config.COMPATIBILITY_API_ORIGIN}[self.api]
        return _core.RequestSpec(self.method, f"{origin}/v3{self.path}", headers, params=self.params,
                                 json=self.json)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def token_request(client_id: str, client_secret: str) -> _core.RequestSpec:
    """``POST {IAM}/oauth2/token`` with the client-credentials grant (credentials as form fields)."""
    return _core.RequestSpec("POST", f"{config.IAM_ORIGIN}/oauth2/token",
                             data={"grant_type": "client_credentials", "client_id": client_id,
                                   "client_secret": client_secret}, repeatable=True)


def parse_token(response: Any) -> tuple[str, float]:
    body = response.json()
    token, expires_in = body["access_token"], body.get("expires_in", 3600)
    if not isinstance(token, str) or not token:
        raise TypeError("access_token is not a non-empty string")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or not 0 < expires_in < 1e9:
        raise TypeError("expires_in is not a positive number of seconds")
    return token, float(expires_in)


def list_connections(user_id: str | None = None, vehicle_id: str | None = None, mode: str | None = None,
                     page: int = 1, page_size: int | None = None) -> Operation[Page[Connection]]:
    params: dict[str, Any] = {"filter[userId]": user_id, "filter[vehicleId]": vehicle_id, "filter[mode]": mode,
                              "page[number]": page, "page[size]": page_size}
    return Operation("GET", "/connections", lambda r: Page.from_body(r.json(), Connection.from_resource),
                     params={k: v for k, v in params.items() if v is not None})


def get_connection(connection_id: str) -> Operation[Connection]:
    return Operation("GET", f"/connections/{_segment(connection_id)}",
                     lambda r: Connection.from_resource(r.json()["data"]))


def delete_connection(connection_id: str) -> Operation[None]:
    return Operation("DELETE", f"/connections/{_segment(connection_id)}", lambda r: None)


def delete_user(user_id: str) -> Operation[None]:
    return Operation("DELETE", f"/users/{_segment(user_id)}", lambda r: None)


def get_vehicle(vehicle_id: str, user_id: str | None) -> Operation[VehicleAttributes]:
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}",
                     lambda r: VehicleAttributes.from_body(r.json(), r.headers), user_id=user_id)


def list_signals(vehicle_id: str, user_id: str | None, page: int = 1,
                 page_size: int | None = None) -> Operation[Page[Signal]]:
    params = {"page": page, **({"pageSize": page_size} if page_size else {})}
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}/signals",
                     lambda r: Page.from_body(r.json(), Signal.from_resource), user_id=user_id, params=params)


def get_signal(vehicle_id: str, user_id: str | None, code: str) -> Operation[Signal]:
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}/signals/{_segment(str(code))}",
                     lambda r: Signal.from_resource(r.json()), user_id=user_id)


def command(vehicle_id: str, user_id: str | None, name: str,
            attributes: dict[str, Any] | None = None) -> Operation[CommandExecution]:
    body = {"data": {"attributes": attributes}} if attributes is not None else None
    return Operation("POST", f"/vehicles/{_segment(vehicle_id)}/commands/{name}",
                     lambda r: CommandExecution.from_body(r.json(), r.status_code), user_id=user_id, json=body)


def command_execution(vehicle_id: str, user_id: str | None, execution_id: str) -> Operation[CommandExecution]:
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}/command-executions/{_segment(execution_id)}",
                     lambda r: CommandExecution.from_body(r.json(), r.status_code), user_id=user_id)


# Charge schedules ----------------------------------------------------------------------------------------
def create_charge_schedule(vehicle_id: str, user_id: str | None, schedule_type: str,
                           attributes: dict[str, Any]) -> Operation[ChargeScheduleExecution]:
    return Operation("POST", f"/vehicles/{_segment(vehicle_id)}/charge-schedules/{_segment(schedule_type)}",
                     lambda r: ChargeScheduleExecution.from_body(r.json(), r.status_code), user_id=user_id,
                     json={"data": {"attributes": attributes}})


def get_charge_schedule(vehicle_id: str, user_id: str | None, schedule_id: str) -> Operation[ChargeSchedule]:
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}/charge-schedules/{_segment(schedule_id)}",
                     lambda r: ChargeSchedule.from_body(r.json()), user_id=user_id)


def delete_charge_schedule(vehicle_id: str, user_id: str | None,
                           schedule_id: str) -> Operation[ChargeScheduleExecution]:
    return Operation("DELETE", f"/vehicles/{_segment(vehicle_id)}/charge-schedules/{_segment(schedule_id)}",
                     lambda r: ChargeScheduleExecution.from_body(r.json(), r.status_code), user_id=user_id)


def charge_schedule_execution(vehicle_id: str, user_id: str | None,
                              execution_id: str) -> Operation[ChargeScheduleExecution]:
    return Operation("GET", f"/vehicles/{_segment(vehicle_id)}/charge-schedule-executions/{_segment(execution_id)}",
                     lambda r: ChargeScheduleExecution.from_body(r.json(), r.status_code), user_id=user_id)


# Management API v3 ---------------------------------------------------------------------------------------
def _paging(page: int, page_size: int | None, filters: dict[str, Any]) -> dict[str, Any]:
    params = {**{f"filter[{k}]": v for k, v in filters.items()}, "page[number]": page, "page[size]": page_size}
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in params.items() if v is not None}


def list_webhooks(page: int, page_size: int | None, filters: dict[str, Any]) -> Operation[Page[Webhook]]:
    return Operation("GET", "/webhooks", lambda r: Page.from_body(r.json(), Webhook.from_resource),
                     params=_paging(page, page_size, filters), api="management")


def get_webhook(webhook_id: str) -> Operation[Webhook]:
    return Operation("GET", f"/webhooks/{_segment(webhook_id)}", lambda r: Webhook.from_resource(r.json()["data"]),
                     api="management")


def create_webhook(attributes: dict[str, Any]) -> Operation[Webhook]:
    return Operation("POST", "/webhooks", lambda r: Webhook.from_resource(r.json()["data"]),
                     json={"data": {"attributes": attributes}}, api="management")


def update_webhook(webhook_id: str, attributes: dict[str, Any]) -> Operation[Webhook]:
    return Operation("PATCH", f"/webhooks/{_segment(webhook_id)}", lambda r: Webhook.from_resource(r.json()["data"]),
                     json={"data": {"attributes": attributes}}, api="management")


def delete_webhook(webhook_id: str) -> Operation[None]:
    return Operation("DELETE", f"/webhooks/{_segment(webhook_id)}", lambda r: None, api="management")


def list_subscriptions(page: int, page_size: int | None,
                       filters: dict[str, Any]) -> Operation[Page[Subscription]]:
    return Operation("GET", "/subscriptions", lambda r: Page.from_body(r.json(), Subscription.from_resource),
                     params=_paging(page, page_size, filters), api="management")


def get_subscription(subscription_id: str) -> Operation[Subscription]:
    return Operation("GET", f"/subscriptions/{_segment(subscription_id)}",
                     lambda r: Subscription.from_resource(r.json()["data"]), api="management")


def create_subscription(attributes: dict[str, Any]) -> Operation[str]:
    return Operation("POST", "/subscriptions", lambda r: str(r.json().get("meta", {}).get("message", "")),
                     json={"data": {"attributes": attributes}}, api="management")


def delete_subscription(subscription_id: str) -> Operation[None]:
    return Operation("DELETE", f"/subscriptions/{_segment(subscription_id)}", lambda r: None, api="management")


# Compatible vehicles -------------------------------------------------------------------------------------
def compatible_vehicles(region: str | None, make: str | None) -> Operation[list[CompatibleVehicle]]:
    params = {k: v for k, v in (("filter[region]", region), ("filter[make]", make)) if v}
    return Operation("GET", "/compatible-vehicles",
                     lambda r: [CompatibleVehicle.from_resource(v) for v in r.json().get("data", [])],
                     params=params or None, api="compatibility")
