"""The public surface: names, modules, NamedTuple shapes, config aliases and the pure helpers."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import pytest

import smartcar
import smartcar.smartcar as sc
from smartcar import config, helpers, types, v2_response, v3_response
from smartcar.exception import MissingCredentialsError, SmartcarException

TOP_LEVEL = ["AuthClient", "SmartcarException", "Vehicle", "get_user", "get_vehicles", "get_compatibility",
             "hash_challenge", "get_api_version", "set_api_version", "verify_payload", "get_connections",
             "delete_connections", "get_vehicle", "get_compatibility_matrix"]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names_are_the_module_objects(name: str) -> None:
    obj = getattr(smartcar, name)
    owner = {"AuthClient": smartcar.auth_client, "Vehicle": smartcar.vehicle,
             "SmartcarException": smartcar.exception}.get(name, sc)
    assert obj is getattr(owner, name)


def test_version_and_submodules() -> None:
    assert smartcar.__version__ == "6.19.1"
    for module in ("smartcar", "vehicle", "helpers", "config", "exception", "auth_client", "types",
                   "v2_response", "v3_response"):
        assert hasattr(smartcar, module)
    assert sc.get_management_token("AMT") == "ZGVmYXVsdDpBTVQ="


SHAPES: list[tuple[str, str, tuple[str, ...]]] = [
    ("Access", "Access", ("access_token", "token_type", "expires_in", "expiration", "refresh_token",
                          "refresh_expiration")),
    ("Paging", "Paging", ("count", "offset")),
    ("PagingCursor", "PagingCursor", ("cursor",)),
    ("User", "User", ("id", "meta")),
    ("Vehicles", "Vehicles", ("vehicles", "paging", "meta")),
    ("Capability", "Capability", ("permission", "endpoint", "capable", "reason")),
    ("CompatibilityV1", "Compatibility", ("compatible", "meta")),
    ("CompatibilityV2", "Compatibility", ("compatible", "reason", "capabilities", "meta")),
    ("Vin", "Vin", ("vin", "meta")),
    ("Charge", "Charge", ("is_plugged_in", "state", "meta")),
    ("ChargeLimit", "ChargeLimit", ("limit", "meta")),
    ("DiagnosticSystem", "DiagnosticSystem", ("system_id", "status", "description")),
    ("DiagnosticSystemStatus", "DiagnosticSystemStatus", ("systems", "meta")),
    ("DiagnosticTroubleCode", "DiagnosticTroubleCode", ("code", "timestamp")),
    ("DiagnosticTroubleCodes", "DiagnosticTroubleCodes", ("active_codes", "meta")),
    ("ServiceHistory", "ServiceHistory", ("items", "meta")),
    ("Battery", "Battery", ("percent_remaining", "range", "meta")),
    ("BatteryCapacity", "BatteryCapacity", ("capacity", "meta")),
    ("AvailableCapacity", "AvailableCapacity", ("capacity", "description")),
    ("SelectedCapacity", "SelectedCapacity", ("nominal", "source")),
    ("NominalCapcity", "NominalCapcity", ("availableCapacities", "capacity", "url", "meta")),
    ("Fuel", "Fuel", ("range", "percent_remaining", "amount_remaining", "meta")),
    ("TirePressure", "TirePressure", ("front_left", "front_right", "back_left", "back_right", "meta")),
    ("EngineOil", "EngineOil", ("life_remaining", "meta")),
    ("Odometer", "Odometer", ("distance", "meta")),
    ("Location", "Location", ("latitude", "longitude", "meta")),
    ("Attributes", "Attributes", ("id", "make", "model", "year", "meta")),
    ("Action", "Action", ("status", "message", "meta")),
    ("Status", "Status", ("status", "meta")),
    ("Permissions", "Permissions", ("permissions", "paging", "meta")),
    ("Subscribe", "Subscribe", ("webhook_id", "vehicle_id", "meta")),
    ("Connection", "Connection", ("vehicle_id", "user_id", "connected_at")),
    ("GetConnections", "GetConnections", ("connections", "paging", "meta")),
    ("DeleteConnections", "DeleteConnections", ("connections", "meta")),
    ("Response", "Response", ("body", "meta")),
    ("Door", "Door", ("type", "status")),
    ("Window", "Window", ("type", "status")),
    ("Sunroof", "Sunroof", ("type", "status")),
    ("Storage", "Storage", ("type", "status")),
    ("ChargingPort", "ChargingPort", ("type", "status")),
    ("LockStatus", "LockStatus", ("is_locked", "doors", "windows", "sunroof", "storage", "charging_port", "meta")),
    ("CompatibilityMatrixModel", "CompatibilityMatrixModel",
     ("model", "startYear", "endYear", "type", "endpoints", "permissions")),
]


@pytest.mark.parametrize(("attribute", "name", "fields"), SHAPES, ids=[s[0] for s in SHAPES])
def test_named_tuple_shapes_and_module_aliases(attribute: str, name: str, fields: tuple[str, ...]) -> None:
    cls = getattr(v2_response, attribute)
    assert cls.__name__ == name
    assert cls._fields == fields
    assert getattr(types, attribute) is cls


def test_other_type_names() -> None:
    assert [m.value for m in types.Reason] == ["VEHICLE_NOT_COMPATIBLE", "MAKE_NOT_COMPATIBLE"]
    for name in ("ServiceCost", "ServiceDetail", "ServiceTask", "ServiceRecord", "CompatibilityMatrix"):
        assert getattr(types, name) is getattr(v2_response, name)
    assert v3_response.Response.__annotations__.keys() == {"body", "headers"}
    assert types.make_access_object({"access_token": "a", "x": 1}) == ("a", None, None, None, None, None)


def test_config_names_share_one_value(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [("API_URL", "API_ORIGIN"), ("AUTH_URL", "AUTH_ORIGIN"), ("CONNECT_URL", "CONNECT_ORIGIN"),
             ("MANAGEMENT_API_URL", "MANAGEMENT_API_ORIGIN")]
    for old, new in pairs:
        monkeypatch.setattr(config, old, f"http://old-{old}")
        assert getattr(config, new) == f"http://old-{old}"
        monkeypatch.setattr(config, new, f"http://new-{new}")
        assert getattr(config, old) == f"http://new-{new}"


def test_config_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCAR_API_ORIGIN", "http://api.example")
    monkeypatch.setenv("SMARTCAR_VEHICLE_API_V3_ORIGIN", "http://v3.example")
    monkeypatch.delenv("SMARTCAR_AUTH_ORIGIN", raising=False)
    saved = {name: getattr(config, name) for name in ("API_ORIGIN", "AUTH_ORIGIN", "CONNECT_ORIGIN",
                                                      "MANAGEMENT_API_ORIGIN", "VEHICLE_API_ORIGIN")}
    try:
        config.reload()
        assert config.API_URL == "http://api.example"
        assert config.VEHICLE_API_ORIGIN == "http://v3.example"
        assert config.AUTH_URL == "https://auth.smartcar.com/oauth/token"
    finally:
        for name, value in saved.items():
            setattr(config, name, value)


def test_format_flag_query() -> None:
    assert helpers.format_flag_query({"flag1": True, "flag2": 100, "flag3": "apple"}) == \
        "flag1:true flag2:100 flag3:apple"
    assert helpers.format_flag_query({"a": False, "b": None, "c": 1.5}) == "a:false b:None c:1.5"
    assert helpers.format_flag_query({}) == ""


@pytest.mark.parametrize(("raw", "expected"), [
    ("/odometer", ("odometer", "odometer")), ("/engine/oil", ("engine/oil", "engine_oil")),
    ("/battery/nominal_capacity", ("battery/nominal_capacity", "battery_nominal_capacity")),
    ("/service/history", ("service/history", "service_history")),
    ("/tesla/compass/heading", ("tesla/compass/heading", "tesla_compass_heading")),
    ("/charge/limit", ("charge/limit", "get_charge_limit")), ("/tires/pressure", ("tires/pressure", "tire_pressure")),
    ("/", ("", "attributes")), ("/security", ("security", "lock_status")),
    ("/diagnostics/system_status", ("diagnostics/system_status", "diagnostic_system_status")),
    ("/diagnostics/dtcs", ("diagnostics/dtcs", "diagnostic_trouble_codes")), ("vin", ("vin", "vin")),
    ("", ("", "attributes")),
])
def test_batch_path_and_attribute(raw: str, expected: tuple[str, str]) -> None:
    assert helpers.format_path_and_attribute_for_batch(raw) == expected


def test_validate_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("E2E_SMARTCAR_CLIENT_ID", raising=False)
    monkeypatch.setenv("E2E_SMARTCAR_CLIENT_SECRET", "")
    with pytest.raises(MissingCredentialsError) as info:
        helpers.validate_env(mode="test")
    assert str(info.value) == \
        '"E2E_SMARTCAR_CLIENT_ID" and "E2E_SMARTCAR_CLIENT_SECRET" environment variables must be set'
    assert not isinstance(info.value, SmartcarException)
    monkeypatch.setenv("E2E_SMARTCAR_CLIENT_ID", "")  # an empty value counts as set
    assert helpers.validate_env(mode="test") is None
    assert helpers.validate_env() is None  # SMARTCAR_* set by the fixture


@pytest.mark.parametrize(("camel", "snake"), [
    ("isPluggedIn", "is_plugged_in"), ("docURL", "doc_url"), ("HTTPResponse", "http_response"),
    ("EVRange", "ev_range"), ("x2", "x_2"), ("ab12cd34", "ab_12cd_34"), ("a_1", "a__1"), ("2x", "2x"),
    ("engine_oil", "engine_oil"),
])
def test_camel_to_snake(camel: str, snake: str) -> None:
    assert types._camel_to_snake(camel) == snake


def test_generate_named_tuple() -> None:
    assert types.generate_named_tuple({}) is None
    data = types.generate_named_tuple({"isPluggedIn": True, "stateOfCharge": 3}, "Data")
    assert type(data).__name__ == "Data" and data._fields == ("is_plugged_in", "state_of_charge")
    kebab = types.generate_named_tuple({"X-Req-Id": 1}, kebab_case=True)
    assert kebab._fields == ("x_req_id",) and type(kebab).__name__ == "namedtuple"
    with pytest.raises(ValueError):
        types.generate_named_tuple({"from": 1})


def test_build_meta() -> None:
    import httpx2

    assert types.build_meta(httpx2.Headers({"content-type": "application/json"})) is None
    meta = types.build_meta(httpx2.Headers({"SC-Fetched-At": "f", "sc-request-id": "r", "sc-data-age": "d",
                                           "sc-unit-system": ""}))
    assert type(meta).__name__ == "Meta"
    assert meta._fields == ("data_age", "request_id", "fetched_at")
    assert meta == ("d", "r", "f")


def test_select_named_tuple_from_dict_and_fallback() -> None:
    item = {"headers": {"SC-Unit-System": "imperial"}, "body": {"distance": 5}}
    assert types.select_named_tuple("odometer", item) == (5, ("imperial",))
    data = types.select_named_tuple("TESTING", {"headers": {}, "body": {"id": "x", "testing": True}})
    assert data.id == "x" and data.testing is True
    assert types.select_named_tuple("TESTING", {"headers": {}, "body": [1]}) == [1]


def test_api_version_global() -> None:
    smartcar.set_api_version("1.0")
    assert smartcar.get_api_version() == "1.0" and sc.API_VERSION == "1.0"
    smartcar.set_api_version("2.0abc")  # anchored only at the start, as the official regex
    assert smartcar.get_api_version() == "2.0abc"
    for bad in ("v2", "2"):
        with pytest.raises(ValueError) as info:
            smartcar.set_api_version(bad)
        assert str(info.value) == f"Version '{bad}' must match regex '\\d+\\.\\d+' .  e.g. '2.0', '1.0'"
    smartcar.set_api_version("2.0")


def test_hash_challenge_and_verify_payload() -> None:
    digest = "e1813f834b6b6647541e18ba04a9dd6f26bb3852ce771cc6ce29cf9ab7dca84c"
    assert smartcar.hash_challenge("amt", "chal") == digest
    assert smartcar.verify_payload("amt", digest, "chal") is True
    assert smartcar.verify_payload("amt", digest, b"chal") is True
    assert smartcar.verify_payload("amt", digest.upper(), "chal") is False
    assert smartcar.verify_payload("amt", None, "chal") is False  # type: ignore[arg-type]
    assert smartcar.verify_payload("amt", "é" * 64, "chal") is False
    assert smartcar.verify_payload("amt", 123, "chal") is False  # type: ignore[arg-type]


def test_smartcar_exception_shapes_and_pickling() -> None:
    e = SmartcarException(type="T", code=None, description="", status_code=0, resolution="RETRY_LATER")
    assert str(e) == "T - " and e.status_code is None and e.resolution == {"type": "RETRY_LATER", "url": None}
    assert list(vars(e)) == ["type", "code", "description", "status_code", "resolution", "message"]
    bare = SmartcarException(message="SDK_ERROR")
    assert vars(bare) == {"message": "SDK_ERROR"} and bare.status_code is None and bare.retry_after is None
    for exc in (e, bare):
        copy = pickle.loads(pickle.dumps(exc))
        assert type(copy) is SmartcarException and vars(copy) == vars(exc) and copy.args == exc.args
    assert str(SmartcarException()) == "None"


def test_missing_credentials_error_is_not_a_smartcar_exception() -> None:
    assert issubclass(MissingCredentialsError, Exception)
    assert not issubclass(MissingCredentialsError, SmartcarException)


def test_v3_result_allows_attribute_access() -> None:
    result = v3_response.make_response({"a": 1}, {"h": "v"})
    assert isinstance(result, dict) and result.body == {"a": 1} and result["headers"] == {"h": "v"}
    with pytest.raises(AttributeError):
        result.missing  # noqa: B018
    assert pickle.loads(pickle.dumps(result)) == result


def test_no_deprecation_warning_from_expiration() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data: dict[str, Any] = smartcar.auth_client._set_expiration({"expires_in": 7200})
    assert data["expiration"].tzinfo is None and data["refresh_expiration"].tzinfo is None
    from datetime import timedelta

    gap = data["refresh_expiration"] - data["expiration"]
    assert timedelta(days=59, hours=21) < gap <= timedelta(days=60, hours=-2, seconds=1)
