"""Management API v3 resources of ``smartcar.Client`` and ``AsyncClient``: ``client.webhooks`` and
``client.subscriptions`` (list with filters and paging, get, create, update, delete)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Protocol, TypeVar

from .. import _args
from . import _operations as ops
from .models import Page, every_item, every_item_async
from .resources import Subscription, Webhook

T = TypeVar("T")


class _Runner(Protocol):
    def run(self, operation: ops.Operation[T]) -> T: ...


class _AsyncRunner(Protocol):
    def run(self, operation: ops.Operation[T]) -> Awaitable[T]: ...


def _codes(values: Any, name: str) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{name} must be a list of signal codes")
    return [str(v) for v in values]


def webhook_attributes(name: str | None = None, callback_uri: str | None = None, *, triggers: Any = None,
                       data: Any = None, is_enabled: bool | None = None, auto_subscribe: bool | None = None,
                       error_callback_uri: str | None = None) -> dict[str, Any]:
    """The attributes of a webhook create or update; ``None`` leaves an attribute out."""
    _args.optional_text(name, "name")
    _args.optional_text(callback_uri, "callback_uri")
    _args.optional_text(error_callback_uri, "error_callback_uri")
    for flag, label in ((is_enabled, "is_enabled"), (auto_subscribe, "auto_subscribe")):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{label} must be a bool")
    values = {"name": name, "callbackUri": callback_uri, "triggers": _codes(triggers, "triggers"),
              "data": _codes(data, "data"), "isEnabled": is_enabled, "autoSubscribe": auto_subscribe,
              "errorCallbackUri": error_callback_uri}
    return {k: v for k, v in values.items() if v is not None}


def _webhook_filters(name: str | None, callback_uri: str | None, is_enabled: bool | None,
                     auto_subscribe: bool | None) -> dict[str, Any]:
    return {"name": name, "callbackUri": callback_uri, "isEnabled": is_enabled, "autoSubscribe": auto_subscribe}


def _subscription_filters(user_id: str | None, webhook_id: str | None, vehicle_id: str | None,
                          mode: str | None) -> dict[str, Any]:
    for value, label in ((user_id, "user_id"), (webhook_id, "webhook_id"), (vehicle_id, "vehicle_id"),
                         (mode, "mode")):
        _args.optional_text(value, label)
    return {"userId": user_id, "webhookId": webhook_id, "vehicleId": vehicle_id, "vehicle.mode": mode}


def _subscription_attributes(webhook_id: str, vehicle_id: str, user_id: str | None) -> dict[str, Any]:
    attributes = {"webhookId": _args.text(webhook_id, "webhook_id"), "vehicleId": _args.text(vehicle_id, "vehicle_id")}
    if user_id is not None:
        attributes["userId"] = _args.text(user_id, "user_id")
    return attributes


class Webhooks:
    """``/v3/webhooks`` of the Management API."""

    def __init__(self, client: _Runner) -> None:
        self._client = client

    def page(self, page: int = 1, page_size: int | None = None, *, name: str | None = None,
             callback_uri: str | None = None, is_enabled: bool | None = None,
             auto_subscribe: bool | None = None) -> Page[Webhook]:
        """One page; ``name`` and ``callback_uri`` match partially, in any case."""
        filters = _webhook_filters(name, callback_uri, is_enabled, auto_subscribe)
        return self._client.run(ops.list_webhooks(_args.integer(page, "page", 1) or 1,
                                                  _args.integer(page_size, "page_size", 1, optional=True), filters))

    def list(self, **filters: Any) -> Iterator[Webhook]:
        """Every matching webhook, fetching pages as the iteration goes."""
        return every_item(lambda number: self.page(number, **filters))

    def get(self, webhook_id: str) -> Webhook:
        return self._client.run(ops.get_webhook(_args.text(webhook_id, "webhook_id")))

    def create(self, name: str, callback_uri: str, **attributes: Any) -> Webhook:
        """Create a webhook: ``triggers`` and ``data`` (signal codes), ``is_enabled``, ``auto_subscribe``,
        ``error_callback_uri``."""
        return self._client.run(ops.create_webhook(webhook_attributes(
            _args.text(name, "name"), _args.text(callback_uri, "callback_uri"), **attributes)))

    def update(self, webhook_id: str, **attributes: Any) -> Webhook:
        """Change the attributes given (same names as :meth:`create`, ``name`` and ``callback_uri`` included)."""
        return self._client.run(ops.update_webhook(_args.text(webhook_id, "webhook_id"),
                                                   webhook_attributes(**attributes)))

    def delete(self, webhook_id: str) -> None:
        self._client.run(ops.delete_webhook(_args.text(webhook_id, "webhook_id")))


class Subscriptions:
    """``/v3/subscriptions`` of the Management API."""

    def __init__(self, client: _Runner) -> None:
        self._client = client

    def page(self, page: int = 1, page_size: int | None = None, *, user_id: str | None = None,
             webhook_id: str | None = None, vehicle_id: str | None = None,
             mode: str | None = None) -> Page[Subscription]:
        filters = _subscription_filters(user_id, webhook_id, vehicle_id, mode)
        return self._client.run(ops.list_subscriptions(_args.integer(page, "page", 1) or 1,
                                                       _args.integer(page_size, "page_size", 1, optional=True),
                                                       filters))

    def list(self, **filters: Any) -> Iterator[Subscription]:
        return every_item(lambda number: self.page(number, **filters))

    def get(self, subscription_id: str) -> Subscription:
        return self._client.run(ops.get_subscription(_args.text(subscription_id, "subscription_id")))

    def create(self, webhook_id: str, vehicle_id: str, user_id: str | None = None) -> str:
        """Subscribe a vehicle (the platform answers 202: creation in progress); returns the platform's message."""
        return self._client.run(ops.create_subscription(_subscription_attributes(webhook_id, vehicle_id, user_id)))

    def delete(self, subscription_id: str) -> None:
        self._client.run(ops.delete_subscription(_args.text(subscription_id, "subscription_id")))


class AsyncWebhooks:
    """``/v3/webhooks`` for ``AsyncClient`` (``list`` is an async iterator)."""

    def __init__(self, client: _AsyncRunner) -> None:
        self._client = client

    async def page(self, page: int = 1, page_size: int | None = None, *, name: str | None = None,
                   callback_uri: str | None = None, is_enabled: bool | None = None,
                   auto_subscribe: bool | None = None) -> Page[Webhook]:
        filters = _webhook_filters(name, callback_uri, is_enabled, auto_subscribe)
        return await self._client.run(ops.list_webhooks(_args.integer(page, "page", 1) or 1,
                                                        _args.integer(page_size, "page_size", 1, optional=True),
                                                        filters))

    async def list(self, **filters: Any) -> AsyncIterator[Webhook]:
        async for item in every_item_async(lambda number: self.page(number, **filters)):
            yield item

    async def get(self, webhook_id: str) -> Webhook:
        return await self._client.run(ops.get_webhook(_args.text(webhook_id, "webhook_id")))

    async def create(self, name: str, callback_uri: str, **attributes: Any) -> Webhook:
        return await self._client.run(ops.create_webhook(webhook_attributes(
            _args.text(name, "name"), _args.text(callback_uri, "callback_uri"), **attributes)))

    async def update(self, webhook_id: str, **attributes: Any) -> Webhook:
        return await self._client.run(ops.update_webhook(_args.text(webhook_id, "webhook_id"),
                                                         webhook_attributes(**attributes)))

    async def delete(self, webhook_id: str) -> None:
        await self._client.run(ops.delete_webhook(_args.text(webhook_id, "webhook_id")))


class AsyncSubscriptions:
    """``/v3/subscriptions`` for ``AsyncClient``."""

    def __init__(self, client: _AsyncRunner) -> None:
        self._client = client

    async def page(self, page: int = 1, page_size: int | None = None, *, user_id: str | None = None,
                   webhook_id: str | None = None, vehicle_id: str | None = None,
                   mode: str | None = None) -> Page[Subscription]:
        filters = _subscription_filters(user_id, webhook_id, vehicle_id, mode)
        return await self._client.run(ops.list_subscriptions(_args.integer(page, "page", 1) or 1,
                                                             _args.integer(page_size, "page_size", 1, optional=True),
                                                             filters))

    async def list(self, **filters: Any) -> AsyncIterator[Subscription]:
        async for item in every_item_async(lambda number: self.page(number, **filters)):
            yield item

    async def get(self, subscription_id: str) -> Subscription:
        return await self._client.run(ops.get_subscription(_args.text(subscription_id, "subscription_id")))

    async def create(self, webhook_id: str, vehicle_id: str, user_id: str | None = None) -> str:
        return await self._client.run(ops.create_subscription(_subscription_attributes(webhook_id, vehicle_id,
                                                                                        user_id)))

    async def delete(self, subscription_id: str) -> None:
        await self._client.run(ops.delete_subscription(_args.text(subscription_id, "subscription_id")))
