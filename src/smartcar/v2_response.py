"""Response types of the v1/v2 API (official ``smartcar.v2_response``; also importable as ``smartcar.types``)
and the pure functions that turn a response into them."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from collections import namedtuple
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple, Optional

import httpx2

# -- NamedTuples, functional form: ``__name__``, field names and order are part of the public surface. ------
Access = NamedTuple("Access", [("access_token", str), ("token_type", str), ("expires_in", int),
                               ("expiration", datetime), ("refresh_token", str), ("refresh_expiration", datetime)])
Paging = NamedTuple("Paging", [("count", int), ("offset", int)])
PagingCursor = NamedTuple("PagingCursor", [("cursor", Optional[str])])
User = NamedTuple("User", [("id", str), ("meta", Any)])
Vehicles = NamedTuple("Vehicles", [("vehicles", list[str]), ("paging", Paging), ("meta", Any)])
Capability = NamedTuple("Capability", [("permission", str), ("endpoint", str), ("capable", bool), ("reason", Any)])
CompatibilityV1 = NamedTuple("Compatibility", [("compatible", bool), ("meta", Any)])  # type: ignore[name-match]
CompatibilityV2 = NamedTuple("Compatibility", [("compatible", bool), ("reason", Any),  # type: ignore[name-match]
                                               ("capabilities", list), ("meta", Any)])  # type: ignore[type-arg]
Vin = NamedTuple("Vin", [("vin", str), ("meta", Any)])
Charge = NamedTuple("Charge", [("is_plugged_in", bool), ("state", str), ("meta", Any)])
ChargeLimit = NamedTuple("ChargeLimit", [("limit", float), ("meta", Any)])
DiagnosticSystem = NamedTuple("DiagnosticSystem", [("system_id", str), ("status", str), ("description", Any)])
DiagnosticSystemStatus = NamedTuple("DiagnosticSystemStatus", [("systems", list), ("meta", Any)])  # type: ignore[type-arg]
DiagnosticTroubleCode = NamedTuple("DiagnosticTroubleCode", [("code", str), ("timestamp", Any)])
DiagnosticTroubleCodes = NamedTuple("DiagnosticTroubleCodes", [("active_codes", list), ("meta", Any)])  # type: ignore[type-arg]
ServiceHistory = NamedTuple("ServiceHistory", [("items", Any), ("meta", Any)])
Battery = NamedTuple("Battery", [("percent_remaining", float), ("range", float), ("meta", Any)])
BatteryCapacity = NamedTuple("BatteryCapacity", [("capacity", float), ("meta", Any)])
AvailableCapacity = NamedTuple("AvailableCapacity", [("capacity", Any), ("description", Any)])
SelectedCapacity = NamedTuple("SelectedCapacity", [("nominal", Any), ("source", Any)])
NominalCapcity = NamedTuple("NominalCapcity", [("availableCapacities", list), ("capacity", Any),  # type: ignore[type-arg]
                                               ("url", Any), ("meta", Any)])
NominalCapacity = NominalCapcity  # correctly spelled alias (the official name keeps its typo)
Fuel = NamedTuple("Fuel", [("range", float), ("percent_remaining", float), ("amount_remaining", float),
                           ("meta", Any)])
TirePressure = NamedTuple("TirePressure", [("front_left", float), ("front_right", float), ("back_left", float),
                                           ("back_right", float), ("meta", Any)])
EngineOil = NamedTuple("EngineOil", [("life_remaining", float), ("meta", Any)])
Odometer = NamedTuple("Odometer", [("distance", float), ("meta", Any)])
Location = NamedTuple("Location", [("latitude", float), ("longitude", float), ("meta", Any)])
Attributes = NamedTuple("Attributes", [("id", str), ("make", str), ("model", str), ("year", int), ("meta", Any)])
Action = NamedTuple("Action", [("status", str), ("message", str), ("meta", Any)])
Status = NamedTuple("Status", [("status", str), ("meta", Any)])
Permissions = NamedTuple("Permissions", [("permissions", list), ("paging", Paging), ("meta", Any)])  # type: ignore[type-arg]
Subscribe = NamedTuple("Subscribe", [("webhook_id", str), ("vehicle_id", str), ("meta", Any)])
Connection = NamedTuple("Connection", [("vehicle_id", Any), ("user_id", Any), ("connected_at", Any)])
GetConnections = NamedTuple("GetConnections", [("connections", list), ("paging", PagingCursor),  # type: ignore[type-arg]
                                               ("meta", Any)])
DeleteConnections = NamedTuple("DeleteConnections", [("connections", list), ("meta", Any)])  # type: ignore[type-arg]
Response = NamedTuple("Response", [("body", Any), ("meta", Any)])
Door = NamedTuple("Door", [("type", str), ("status", str)])
Window = NamedTuple("Window", [("type", str), ("status", str)])
Sunroof = NamedTuple("Sunroof", [("type", str), ("status", str)])
Storage = NamedTuple("Storage", [("type", str), ("status", str)])
ChargingPort = NamedTuple("ChargingPort", [("type", str), ("status", str)])
LockStatus = NamedTuple("LockStatus", [("is_locked", bool), ("doors", list), ("windows", list),  # type: ignore[type-arg]
                                       ("sunroof", list), ("storage", list), ("charging_port", list),  # type: ignore[type-arg]
                                       ("meta", Any)])


class CompatibilityMatrixModel(NamedTuple):
    """One model of the compatibility matrix (camelCase field names are part of the official surface)."""

    model: str
    startYear: Any
    endYear: Any
    type: Any
    endpoints: Any
    permissions: Any


CompatibilityMatrix = dict[str, list[CompatibilityMatrixModel]]


class Reason(enum.Enum):
    """Compatibility reasons (declared only: results keep the raw strings)."""

    VEHICLE_NOT_COMPATIBLE = "VEHICLE_NOT_COMPATIBLE"
    MAKE_NOT_COMPATIBLE = "MAKE_NOT_COMPATIBLE"


class ServiceCost:
    """Declared only; service history items stay raw dicts."""

    total_cost: Optional[float] = None
    currency: Optional[str] = None


class ServiceDetail:
    """Declared only."""

    type: str
    value: Optional[str] = None


class ServiceTask:
    """Declared only."""

    task_id: Optional[str] = None
    task_description: Optional[str] = None


class ServiceRecord:
    """Declared only."""

    odometer_distance: float
    service_date: str
    service_id: Optional[str] = None
    service_tasks: list[ServiceTask]
    service_details: list[ServiceDetail]
    service_cost: ServiceCost


# -- Pure helpers. ----------------------------------------------------------------------------------------
_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"(.)([0-9]+)")
_CAMEL_3 = re.compile(r"([a-z0-9])([A-Z])")


def _camel_to_snake(camel_string: str) -> str:
    """``isPluggedIn`` → ``is_plugged_in`` (the official three-step conversion, odd cases included)."""
    step = _CAMEL_1.sub(r"\1_\2", camel_string)
    step = _CAMEL_2.sub(r"\1_\2", step)
    return _CAMEL_3.sub(r"\1_\2", step).lower()


@lru_cache(maxsize=512)
def _tuple_type(name: str, fields: tuple[str, ...]) -> Any:
    # Cached: namedtuple() compiles a class, far slower than the HTTP round trip's parsing budget.
    return namedtuple(name, fields)


_META_HEADERS = (("sc-data-age", "data_age"), ("sc-unit-system", "unit_system"),
                 ("sc-request-id", "request_id"), ("sc-fetched-at", "fetched_at"))


def build_meta(response_headers: Mapping[str, Any]) -> Any:
    """The ``Meta`` namedtuple of the ``sc-*`` headers with a truthy value, or None when there are none."""
    fields: list[str] = []
    values: list[Any] = []
    if isinstance(response_headers, httpx2.Headers):  # one pass over the headers instead of four scans
        found = {key: value for key, value in response_headers.items() if key.startswith("sc-")}
        response_headers = found
    for header, field in _META_HEADERS:
        value = response_headers.get(header)
        if value:
            fields.append(field)
            values.append(value)
    if not fields:
        return None
    return _tuple_type("Meta", tuple(fields))(*values)


def generate_named_tuple(dictionary: Mapping[str, Any], name: str = "namedtuple", kebab_case: bool = False) -> Any:
    """A namedtuple named ``name`` of the dict's keys (camel→snake, or kebab→snake), or None if empty."""
    if not dictionary:
        return None
    if kebab_case:
        keys = tuple(key.replace("-", "_").lower() for key in dictionary)
    else:
        keys = tuple(_camel_to_snake(key) for key in dictionary)
    return _tuple_type(name, keys)(*dictionary.values())


def make_access_object(access: Mapping[str, Any]) -> Access:
    """``Access`` from a token response dict (missing keys give None, extra keys are dropped)."""
    get: Any = access.get  # the documented types; a field the response lacks is None, as before
    return Access(get("access_token"), get("token_type"), get("expires_in"), get("expiration"), get("refresh_token"),
                  get("refresh_expiration"))


def format_capabilities(capabilities_list: list[Mapping[str, Any]]) -> list[Capability]:
    """Compatibility capabilities, values raw; the four keys are required."""
    return [Capability(c["permission"], c["endpoint"], c["capable"], c["reason"]) for c in capabilities_list]


def _paging(data: Mapping[str, Any]) -> Paging:
    return Paging(data["paging"]["count"], data["paging"]["offset"])


def _action(d: Any, m: Any) -> Action:
    return Action(d["status"], d["message"], m)


def _status(d: Any, m: Any) -> Status:
    return Status(d["status"], m)


_PARSERS: dict[str, Any] = {
    "user": lambda d, m: User(d["id"], m),
    "vehicles": lambda d, m: Vehicles(d["vehicles"], _paging(d), m),
    "compatibility_v1": lambda d, m: CompatibilityV1(d["compatible"], m),
    "compatibility_v2": lambda d, m: CompatibilityV2(d["compatible"], d["reason"],
                                                     format_capabilities(d["capabilities"]), m),
    "vin": lambda d, m: Vin(d["vin"], m),
    "charge": lambda d, m: Charge(d["isPluggedIn"], d["state"], m),
    "battery": lambda d, m: Battery(d["percentRemaining"], d["range"], m),
    "battery/capacity": lambda d, m: BatteryCapacity(d["capacity"], m),
    "battery/nominal_capacity": lambda d, m: NominalCapcity(
        [AvailableCapacity(c["capacity"], c["description"]) for c in d["availableCapacities"]],
        d["capacity"], d["url"], m),
    "fuel": lambda d, m: Fuel(d["range"], d["percentRemaining"], d["amountRemaining"], m),
    "tires/pressure": lambda d, m: TirePressure(d["frontLeft"], d["frontRight"], d["backLeft"], d["backRight"], m),
    "engine/oil": lambda d, m: EngineOil(d["lifeRemaining"], m),
    "odometer": lambda d, m: Odometer(d["distance"], m),
    "location": lambda d, m: Location(d["latitude"], d["longitude"], m),
    "charge/limit": lambda d, m: ChargeLimit(d["limit"], m),
    "service/history": lambda d, m: ServiceHistory(d, m),
    "diagnostics/system_status": lambda d, m: DiagnosticSystemStatus(
        [DiagnosticSystem(s["systemId"], s["status"], s.get("description")) for s in d["systems"]], m),
    "diagnostics/dtcs": lambda d, m: DiagnosticTroubleCodes(
        [DiagnosticTroubleCode(c["code"], c.get("timestamp")) for c in d["activeCodes"]], m),
    "permissions": lambda d, m: Permissions(d["permissions"], _paging(d), m),
    "security": lambda d, m: LockStatus(d["isLocked"], d["doors"], d["windows"], d["sunroof"], d["storage"],
                                        d["chargingPort"], m),
    "subscribe": lambda d, m: Subscribe(d["webhookId"], d["vehicleId"], m),
    "lock": _action, "unlock": _action, "start_charge": _action, "stop_charge": _action,
    "set_charge_limit": _action, "send_destination": _action,
    "disconnect": _status, "unsubscribe": _status,
    "": lambda d, m: Attributes(d["id"], d["make"], d["model"], d["year"], m),
    "request": lambda d, m: Response(d, m),
}


def select_named_tuple(path: str, response_or_dict: Any) -> Any:
    """Parse a response (or a batch item dict with ``headers`` and ``body``) into the tuple for ``path``.

    Unknown paths give a ``Data`` namedtuple for dict bodies, else the raw body.
    """
    if type(response_or_dict) is dict:
        meta = build_meta({str(k).lower(): v for k, v in (response_or_dict["headers"] or {}).items()})
        data = response_or_dict["body"]
    else:
        meta = build_meta(response_or_dict.headers)
        data = response_or_dict.json()
    parser = _PARSERS.get(path)
    if parser is not None:
        return parser(data, meta)
    if isinstance(data, dict):
        return generate_named_tuple(data, "Data")
    return data
