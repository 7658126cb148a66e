"""``Vehicle``: every v1/v2 vehicle endpoint, batch, raw requests, and the v3 signals (official surface)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn, Optional, TypeVar, cast

from . import _args, _core, config
from . import v2_response as types
from . import smartcar as _module
from .exception import SmartcarException, exception_factory, response_error, sdk_error
from .helpers import format_flag_query, format_path_and_attribute_for_batch
from .v2_response import build_meta, generate_named_tuple, select_named_tuple
from .v3_response import AttrDict, make_response

_UNIT_SYSTEMS = ("metric", "imperial")
_UNIT_ERROR = "'unit_system' must be either 'metric' or 'imperial' (case insensitive)"
T = TypeVar("T")
_NO_BODY: Any = object()  # sentinel: ``request()`` without ``body`` sends ``{}`` (fresh each call)


class _VehicleCalls:
    """State and pure request builders shared by ``Vehicle`` and ``AsyncVehicle``: every ``*_call`` method
    returns a ``Call`` (request spec + parser) and sends nothing."""

    def __init__(self, vehicle_id: str, access_token: str, options: Optional[dict[str, Any]] = None) -> None:
        _args.segment(vehicle_id, "vehicle_id")
        _args.header_text(access_token, "access_token")
        _args.mapping(options, "options")
        self.vehicle_id = vehicle_id
        self.access_token = access_token
        self._api_version: str = _module.API_VERSION
        self._unit_system: str = "metric"
        self._flags: dict[str, Any] = {}
        if options:
            if options.get("unit_system"):
                self._unit_system = _args.header_text(options["unit_system"], "options['unit_system']")
            if options.get("version"):
                self._api_version = _args.segment(options["version"], "options['version']")
            if options.get("flags"):
                self._flags = dict(_args.mapping(options["flags"], "options['flags']") or {})

    # -- Request building ----------------------------------------------------------------------------------
    def _format_url(self, path: str, **kwargs: Any) -> str:
        """``<origin>/v<version>/vehicles/<id>/<path>`` plus the unencoded ``?flags=`` query."""
        origin = kwargs.get("origin") or config.API_ORIGIN
        version = kwargs.get("api_version") or self._api_version
        url = f"{origin}/v{version}/vehicles/{self.vehicle_id}/{path}"
        if self._flags:
            url += "?flags=" + format_flag_query(self._flags)
        return url

    def _get_headers(self, need_unit_system: bool = True) -> dict[str, str]:
        """A new dict with the Bearer token and, by default, the ``sc-unit-system`` header."""
        headers = {"Authorization": f"Bearer {self.access_token}"}
        if need_unit_system:
            headers["sc-unit-system"] = self._unit_system.lower()
        return headers

    def _call(self, method: str, path: str, result: str, *, unit: bool = True, params: Any = None,
              body: Any = None) -> _core.Call[Any]:
        spec = _core.RequestSpec(method, self._format_url(path), self._get_headers(unit), params=params, json=body)
        return _core.Call(spec, lambda response: select_named_tuple(result, response))

    def read_call(self, path: str, params: Any = None) -> _core.Call[Any]:
        """``GET <path>`` parsed into the path's NamedTuple (``"odometer"`` → ``Odometer``)."""
        return self._call("GET", path, path, params=params)

    def action_call(self, path: str, result: str, body: Any) -> _core.Call[Any]:
        """A command: ``POST <path>`` with a JSON body, parsed as ``result`` (``Action``)."""
        return self._call("POST", path, result, unit=False, body=body)

    def service_history_call(self, start_date: Optional[str] = None,
                             end_date: Optional[str] = None) -> _core.Call[Any]:
        params: dict[str, str] = {}
        if start_date:
            params["startDate"] = _args.text(start_date, "start_date")
        if end_date:
            params["endDate"] = _args.text(end_date, "end_date")
        return self.read_call("service/history", params)

    def permissions_call(self, paging: Optional[dict[str, Any]] = None) -> _core.Call[Any]:
        params = None
        paging = _args.mapping(paging, "paging")
        if paging is not None:
            params = {"limit": paging.get("limit", 25), "offset": paging.get("offset", 0)}
        return self.read_call("permissions", params)

    def subscribe_call(self, webhook_id: str) -> _core.Call[Any]:
        _args.segment(webhook_id, "webhook_id")
        return self._call("POST", f"webhooks/{webhook_id}", "subscribe", unit=False)

    def unsubscribe_call(self, amt: str, webhook_id: str) -> _core.Call[Any]:
        _args.header_text(amt, "amt")
        _args.segment(webhook_id, "webhook_id")
        spec = _core.RequestSpec("DELETE", self._format_url(f"webhooks/{webhook_id}"), _core.bearer(amt))
        return _core.Call(spec, lambda r: select_named_tuple("unsubscribe", r))

    def disconnect_call(self) -> _core.Call[Any]:
        return self._call("DELETE", "application", "disconnect", unit=False)

    def batch_call(self, paths: list[str]) -> _core.Call[Any]:
        """One POST reading several paths: a read, so it may be retried like a GET."""
        _args.str_list(paths, "paths")
        spec = _core.RequestSpec("POST", self._format_url("batch"), self._get_headers(),
                                 json={"requests": [{"path": path} for path in paths]}, repeatable=True)
        return _core.Call(spec, _parse_batch)

    def request_call(self, method: str, path: str, body: Any = _NO_BODY,
                     headers: Optional[dict[str, str]] = None) -> _core.Call[Any]:
        _args.segment(method, "method")
        _args.url_text(path, "path")
        headers = _args.headers(headers, "headers") or {}
        if "Authorization" not in headers:
            headers.update(self._get_headers(need_unit_system="sc-unit-system" not in headers))
        spec = _core.RequestSpec(method, self._format_url(path), headers,
                                 json={} if body is _NO_BODY else _args.json_body(body, "body"))
        return _core.Call(spec, lambda r: select_named_tuple("request", r))

    def v3_call(self, path: str) -> _core.Call[AttrDict]:
        url = self._format_url(path, origin=config.VEHICLE_API_ORIGIN, api_version="3")
        spec = _core.RequestSpec("GET", url, self._get_headers())
        return _core.Call(spec, lambda r: make_response(r.json(), r.headers))

    @staticmethod
    def _batch_path_response(path: str, path_response: dict[str, Any], top_response: Any) -> Callable[[], Any]:
        """The callable for one batch item: success (code 200 exactly) parses on every call; any other code
        raises the same, eagerly built exception."""
        if path_response.get("code") == 200:
            headers = path_response.get("headers")
            if not isinstance(headers, dict):
                headers = path_response["headers"] = {}
            top_headers = top_response.get("headers") or {} if isinstance(top_response, dict) else top_response.headers
            headers["sc-request-id"] = top_headers.get("sc-request-id")
            status = top_response.status_code if hasattr(top_response, "status_code") else None
            return lambda: _parse_batch_item(path, path_response, status, top_headers)
        exc: Optional[SmartcarException]
        try:
            exc = exception_factory(path_response.get("code"),  # type: ignore[arg-type]
                                    path_response.get("headers") or {}, json.dumps(path_response.get("body")),
                                    False)
        except Exception as cause:  # official defect #15 fixed: batch() itself never crashes here
            exc = sdk_error()
            exc.__cause__ = cause
        error = exc if exc is not None else sdk_error()

        def raise_error() -> NoReturn:
            raise error

        return raise_error

    def set_unit_system(self, unit_system: str) -> None:
        """Use ``metric`` or ``imperial`` (case-insensitive) for later reads."""
        if not isinstance(unit_system, str) or unit_system.lower() not in _UNIT_SYSTEMS:
            raise ValueError(_UNIT_ERROR)
        self._unit_system = unit_system.lower()


class Vehicle(_VehicleCalls):
    """One connected vehicle, used with its access token.

    Options: ``unit_system`` (``metric``/``imperial``), ``version`` (API version, default: the global one)
    and ``flags`` (dict, sent as the ``flags`` query on every call).
    """

    def _get(self, path: str, params: Any = None) -> Any:
        return _core.execute(self.read_call(path, params))

    def _action(self, path: str, result: str, body: Any) -> Any:
        return _core.execute(self.action_call(path, result, body))

    def _run(self, call: _core.Call[T]) -> T:
        return _core.execute(call)

    # -- Reads ---------------------------------------------------------------------------------------------
    def vin(self) -> types.Vin:
        """``Vin(vin, meta)``."""
        return cast("types.Vin", self._get("vin"))

    def charge(self) -> types.Charge:
        """``Charge(is_plugged_in, state, meta)``."""
        return cast("types.Charge", self._get("charge"))

    def battery(self) -> types.Battery:
        """``Battery(percent_remaining, range, meta)``."""
        return cast("types.Battery", self._get("battery"))

    def battery_capacity(self) -> types.BatteryCapacity:
        """``BatteryCapacity(capacity, meta)``."""
        return cast("types.BatteryCapacity", self._get("battery/capacity"))

    def nominal_capacity(self) -> types.NominalCapcity:
        """``NominalCapcity(availableCapacities, capacity, url, meta)`` (official spelling)."""
        return cast("types.NominalCapcity", self._get("battery/nominal_capacity"))

    def fuel(self) -> types.Fuel:
        """``Fuel(range, percent_remaining, amount_remaining, meta)``."""
        return cast("types.Fuel", self._get("fuel"))

    def tire_pressure(self) -> types.TirePressure:
        """``TirePressure(front_left, front_right, back_left, back_right, meta)``."""
        return cast("types.TirePressure", self._get("tires/pressure"))

    def engine_oil(self) -> types.EngineOil:
        """``EngineOil(life_remaining, meta)``."""
        return cast("types.EngineOil", self._get("engine/oil"))

    def odometer(self) -> types.Odometer:
        """``Odometer(distance, meta)``."""
        return cast("types.Odometer", self._get("odometer"))

    def location(self) -> types.Location:
        """``Location(latitude, longitude, meta)``."""
        return cast("types.Location", self._get("location"))

    def attributes(self) -> types.Attributes:
        """``Attributes(id, make, model, year, meta)``."""
        return cast("types.Attributes", self._get(""))

    def info(self) -> types.Attributes:
        """Alias of ``attributes()`` (make, model, year)."""
        return self.attributes()

    def get_charge_limit(self) -> types.ChargeLimit:
        """``ChargeLimit(limit, meta)``."""
        return cast("types.ChargeLimit", self._get("charge/limit"))

    def lock_status(self) -> types.LockStatus:
        """``LockStatus(is_locked, doors, windows, sunroof, storage, charging_port, meta)``; lists are raw."""
        return cast("types.LockStatus", self._get("security"))

    def service_history(self, start_date: Optional[str] = None, end_date: Optional[str] = None) -> types.ServiceHistory:
        """``ServiceHistory(items, meta)``; items are the raw records. Dates are ``YYYY-MM-DD`` strings."""
        return cast("types.ServiceHistory", self._run(self.service_history_call(start_date, end_date)))

    def diagnostic_system_status(self) -> types.DiagnosticSystemStatus:
        """``DiagnosticSystemStatus(systems, meta)``."""
        return cast("types.DiagnosticSystemStatus", self._get("diagnostics/system_status"))

    def diagnostic_trouble_codes(self) -> types.DiagnosticTroubleCodes:
        """``DiagnosticTroubleCodes(active_codes, meta)``."""
        return cast("types.DiagnosticTroubleCodes", self._get("diagnostics/dtcs"))

    def permissions(self, paging: Optional[dict[str, Any]] = None) -> types.Permissions:
        """``Permissions(permissions, Paging(count, offset), meta)``; paging keys ``limit``/``offset``."""
        return cast("types.Permissions", self._run(self.permissions_call(paging)))

    # -- Actions -------------------------------------------------------------------------------------------
    def lock(self) -> types.Action:
        """Lock the vehicle: ``Action(status, message, meta)``."""
        return cast("types.Action", self._action("security", "lock", {"action": "LOCK"}))

    def unlock(self) -> types.Action:
        """Unlock the vehicle: ``Action``."""
        return cast("types.Action", self._action("security", "unlock", {"action": "UNLOCK"}))

    def start_charge(self) -> types.Action:
        """Start charging: ``Action``."""
        return cast("types.Action", self._action("charge", "start_charge", {"action": "START"}))

    def stop_charge(self) -> types.Action:
        """Stop charging: ``Action``."""
        return cast("types.Action", self._action("charge", "stop_charge", {"action": "STOP"}))

    def set_charge_limit(self, limit: float) -> types.Action:
        """Set the charge limit (a fraction, e.g. 0.8): ``Action``."""
        body = {"limit": _args.number(limit, "limit")}
        return cast("types.Action", self._action("charge/limit", "set_charge_limit", body))

    def send_destination(self, latitude: float, longitude: float) -> types.Action:
        """Send a navigation destination: ``Action``."""
        body = {"latitude": _args.number(latitude, "latitude"), "longitude": _args.number(longitude, "longitude")}
        return cast("types.Action", self._action("navigation/destination", "send_destination", body))

    # -- Webhooks and connection -----------------------------------------------------------------------------
    def subscribe(self, webhook_id: str) -> types.Subscribe:
        """Subscribe the vehicle to a webhook: ``Subscribe(webhook_id, vehicle_id, meta)``."""
        return cast("types.Subscribe", self._run(self.subscribe_call(webhook_id)))

    def unsubscribe(self, amt: str, webhook_id: str) -> types.Status:
        """Unsubscribe (authenticated with the application management token): ``Status(status, meta)``."""
        return cast("types.Status", self._run(self.unsubscribe_call(amt, webhook_id)))

    def disconnect(self) -> types.Status:
        """Revoke this application's access to the vehicle: ``Status(status, meta)``."""
        return cast("types.Status", self._run(self.disconnect_call()))

    # -- Batch and raw requests ------------------------------------------------------------------------------
    def batch(self, paths: list[str]) -> Any:
        """Several GET paths in one request. Returns a namedtuple ``batch`` with one zero-argument callable per
        path (``b.odometer()`` returns the tuple or raises that path's ``SmartcarException``) and ``meta``."""
        return self._run(self.batch_call(paths))

    def request(self, method: str, path: str, body: Any = _NO_BODY,
                headers: Optional[dict[str, str]] = None) -> types.Response:
        """Any request under this vehicle's URL: ``Response(body, meta)``. Adds the Bearer token (and the unit
        header) unless ``headers`` has ``Authorization``. Your ``headers`` dict is not modified."""
        return cast("types.Response", self._run(self.request_call(method, path, body, headers)))

    # -- API v3 ----------------------------------------------------------------------------------------------
    def get_signals(self) -> AttrDict:
        """API v3: every signal of the vehicle, ``{"body": ..., "headers": ...}`` (also ``.body``)."""
        return self._run(self.v3_call("signals"))

    def get_signal(self, signal_code: str) -> AttrDict:
        """API v3: one signal by code (e.g. ``odometer-traveleddistance``)."""
        return self._run(self.v3_call(f"signals/{_args.segment(signal_code, 'signal_code')}"))


class AsyncVehicle(_VehicleCalls):
    """``Vehicle`` for asyncio: the same constructor, methods (awaited) and results, over ``httpx2.AsyncClient``.

    >>> vehicle = smartcar.AsyncVehicle(vehicle_id, access_token)
    >>> (await vehicle.odometer()).distance
    """

    async def _get(self, path: str, params: Any = None) -> Any:
        return await _core.aexecute(self.read_call(path, params))

    async def _action(self, path: str, result: str, body: Any) -> Any:
        return await _core.aexecute(self.action_call(path, result, body))

    async def _run(self, call: _core.Call[T]) -> T:
        return await _core.aexecute(call)

    # -- Reads ---------------------------------------------------------------------------------------------
    async def vin(self) -> types.Vin:
        """``Vin(vin, meta)``."""
        return cast("types.Vin", await self._get("vin"))

    async def charge(self) -> types.Charge:
        """``Charge(is_plugged_in, state, meta)``."""
        return cast("types.Charge", await self._get("charge"))

    async def battery(self) -> types.Battery:
        """``Battery(percent_remaining, range, meta)``."""
        return cast("types.Battery", await self._get("battery"))

    async def battery_capacity(self) -> types.BatteryCapacity:
        """``BatteryCapacity(capacity, meta)``."""
        return cast("types.BatteryCapacity", await self._get("battery/capacity"))

    async def nominal_capacity(self) -> types.NominalCapcity:
        """``NominalCapcity(availableCapacities, capacity, url, meta)`` (official spelling)."""
        return cast("types.NominalCapcity", await self._get("battery/nominal_capacity"))

    async def fuel(self) -> types.Fuel:
        """``Fuel(range, percent_remaining, amount_remaining, meta)``."""
        return cast("types.Fuel", await self._get("fuel"))

    async def tire_pressure(self) -> types.TirePressure:
        """``TirePressure(front_left, front_right, back_left, back_right, meta)``."""
        return cast("types.TirePressure", await self._get("tires/pressure"))

    async def engine_oil(self) -> types.EngineOil:
        """``EngineOil(life_remaining, meta)``."""
        return cast("types.EngineOil", await self._get("engine/oil"))

    async def odometer(self) -> types.Odometer:
        """``Odometer(distance, meta)``."""
        return cast("types.Odometer", await self._get("odometer"))

    async def location(self) -> types.Location:
        """``Location(latitude, longitude, meta)``."""
        return cast("types.Location", await self._get("location"))

    async def attributes(self) -> types.Attributes:
        """``Attributes(id, make, model, year, meta)``."""
        return cast("types.Attributes", await self._get(""))

    async def info(self) -> types.Attributes:
        """Alias of ``attributes()`` (make, model, year)."""
        return await self.attributes()

    async def get_charge_limit(self) -> types.ChargeLimit:
        """``ChargeLimit(limit, meta)``."""
        return cast("types.ChargeLimit", await self._get("charge/limit"))

    async def lock_status(self) -> types.LockStatus:
        """``LockStatus(is_locked, doors, windows, sunroof, storage, charging_port, meta)``; lists are raw."""
        return cast("types.LockStatus", await self._get("security"))

    async def service_history(self, start_date: Optional[str] = None,
                              end_date: Optional[str] = None) -> types.ServiceHistory:
        """``ServiceHistory(items, meta)``; items are the raw records. Dates are ``YYYY-MM-DD`` strings."""
        return cast("types.ServiceHistory", await self._run(self.service_history_call(start_date, end_date)))

    async def diagnostic_system_status(self) -> types.DiagnosticSystemStatus:
        """``DiagnosticSystemStatus(systems, meta)``."""
        return cast("types.DiagnosticSystemStatus", await self._get("diagnostics/system_status"))

    async def diagnostic_trouble_codes(self) -> types.DiagnosticTroubleCodes:
        """``DiagnosticTroubleCodes(active_codes, meta)``."""
        return cast("types.DiagnosticTroubleCodes", await self._get("diagnostics/dtcs"))

    async def permissions(self, paging: Optional[dict[str, Any]] = None) -> types.Permissions:
        """``Permissions(permissions, Paging(count, offset), meta)``; paging keys ``limit``/``offset``."""
        return cast("types.Permissions", await self._run(self.permissions_call(paging)))

    # -- Actions -------------------------------------------------------------------------------------------
    async def lock(self) -> types.Action:
        """Lock the vehicle: ``Action(status, message, meta)``."""
        return cast("types.Action", await self._action("security", "lock", {"action": "LOCK"}))

    async def unlock(self) -> types.Action:
        """Unlock the vehicle: ``Action``."""
        return cast("types.Action", await self._action("security", "unlock", {"action": "UNLOCK"}))

    async def start_charge(self) -> types.Action:
        """Start charging: ``Action``."""
        return cast("types.Action", await self._action("charge", "start_charge", {"action": "START"}))

    async def stop_charge(self) -> types.Action:
        """Stop charging: ``Action``."""
        return cast("types.Action", await self._action("charge", "stop_charge", {"action": "STOP"}))

    async def set_charge_limit(self, limit: float) -> types.Action:
        """Set the charge limit (a fraction, e.g. 0.8): ``Action``."""
        body = {"limit": _args.number(limit, "limit")}
        return cast("types.Action", await self._action("charge/limit", "set_charge_limit", body))

    async def send_destination(self, latitude: float, longitude: float) -> types.Action:
        """Send a navigation destination: ``Action``."""
        body = {"latitude": _args.number(latitude, "latitude"), "longitude": _args.number(longitude, "longitude")}
        return cast("types.Action", await self._action("navigation/destination", "send_destination", body))

    # -- Webhooks and connection -----------------------------------------------------------------------------
    async def subscribe(self, webhook_id: str) -> types.Subscribe:
        """Subscribe the vehicle to a webhook: ``Subscribe(webhook_id, vehicle_id, meta)``."""
        return cast("types.Subscribe", await self._run(self.subscribe_call(webhook_id)))

    async def unsubscribe(self, amt: str, webhook_id: str) -> types.Status:
        """Unsubscribe (authenticated with the application management token): ``Status(status, meta)``."""
        return cast("types.Status", await self._run(self.unsubscribe_call(amt, webhook_id)))

    async def disconnect(self) -> types.Status:
        """Revoke this application's access to the vehicle: ``Status(status, meta)``."""
        return cast("types.Status", await self._run(self.disconnect_call()))

    # -- Batch and raw requests ------------------------------------------------------------------------------
    async def batch(self, paths: list[str]) -> Any:
        """Several GET paths in one request. Returns a namedtuple ``batch`` with one zero-argument callable per
        path (``b.odometer()`` returns the tuple or raises that path's ``SmartcarException``) and ``meta``."""
        return await self._run(self.batch_call(paths))

    async def request(self, method: str, path: str, body: Any = _NO_BODY,
                      headers: Optional[dict[str, str]] = None) -> types.Response:
        """Any request under this vehicle's URL: ``Response(body, meta)``. Adds the Bearer token (and the unit
        header) unless ``headers`` has ``Authorization``. Your ``headers`` dict is not modified."""
        return cast("types.Response", await self._run(self.request_call(method, path, body, headers)))

    # -- API v3 ----------------------------------------------------------------------------------------------
    async def get_signals(self) -> AttrDict:
        """API v3: every signal of the vehicle, ``{"body": ..., "headers": ...}`` (also ``.body``)."""
        return await self._run(self.v3_call("signals"))

    async def get_signal(self, signal_code: str) -> AttrDict:
        """API v3: one signal by code (e.g. ``odometer-traveleddistance``)."""
        return await self._run(self.v3_call(f"signals/{_args.segment(signal_code, 'signal_code')}"))


def _parse_batch_item(path: str, item: dict[str, Any], status: Any, headers: Any) -> Any:
    """One successful batch item's tuple; a body the parser cannot understand raises ``SmartcarResponseError``."""
    try:
        return select_named_tuple(path, item)
    except Exception as cause:
        raise response_error(cause, status, headers, item.get("body")) from cause


def _parse_batch(response: Any) -> Any:
    batch_dict: dict[str, Any] = {}
    for item in response.json()["responses"]:
        path, attribute = format_path_and_attribute_for_batch(item["path"])
        batch_dict[attribute] = _VehicleCalls._batch_path_response(path, item, response)
    batch_dict["meta"] = build_meta(response.headers)
    return generate_named_tuple(batch_dict, "batch")
