"""Module functions (``smartcar.smartcar``) against the emulator."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

import smartcar
from smartcar import helpers
from smartcar.exception import MissingCredentialsError, SmartcarException

from .conftest import AMT, CLIENT_ID, CLIENT_SECRET

TESLA_VIN = "5YJXCDE22HF068739"


def test_get_user(tesla: dict[str, Any]) -> None:
    user = smartcar.get_user(tesla["access_token"])
    assert type(user).__name__ == "User" and user.id == tesla["user_id"]
    assert user.meta.request_id


def test_get_vehicles_paging(tesla: dict[str, Any]) -> None:
    every = smartcar.get_vehicles(tesla["access_token"])
    assert type(every).__name__ == "Vehicles" and every.vehicles == tesla["vehicle_ids"]
    assert every.paging == (len(tesla["vehicle_ids"]), 0)
    first = smartcar.get_vehicles(tesla["access_token"], {"limit": 1, "offset": 0})
    assert first.vehicles == tesla["vehicle_ids"][:1]
    beyond = smartcar.get_vehicles(tesla["access_token"], {"limit": 5, "offset": 7})
    assert beyond.vehicles == [] and beyond.paging.offset == 7
    assert smartcar.get_vehicles(tesla["access_token"], {"limit": None}).vehicles == every.vehicles


def test_get_vehicles_pages_through_several(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="fleet@example.com")
    tokens2 = connect_vehicle(email="fleet@example.com")
    token = tokens2["access_token"]
    every = smartcar.get_vehicles(token).vehicles
    assert len(every) >= 1
    pages = [smartcar.get_vehicles(token, {"limit": 1, "offset": i}).vehicles for i in range(len(every))]
    assert [p[0] for p in pages] == every
    assert tokens["user_id"] == tokens2["user_id"]


def test_get_compatibility_v2() -> None:
    result = smartcar.get_compatibility(TESLA_VIN, ["read_odometer", "read_location"])
    assert type(result).__name__ == "Compatibility"
    assert result._fields == ("compatible", "reason", "capabilities", "meta")
    assert result.compatible is True
    assert {c.permission for c in result.capabilities} == {"read_odometer", "read_location"}
    assert all(type(c).__name__ == "Capability" for c in result.capabilities)


def test_get_compatibility_options_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_CLIENT_ID")
    with pytest.raises(MissingCredentialsError):
        smartcar.get_compatibility(TESLA_VIN, ["read_odometer"])
    result = smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], "US",
                                        {"client_id": CLIENT_ID, "flags": {"a": True}, "mode": "test"})
    assert result.compatible is True
    with pytest.raises(MissingCredentialsError, match=r"'get_compatibility' requires a client_id AND client_secret\. "
                                                      r".*'options'dictionary\..*variableswith"):
        smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={"client_id": CLIENT_ID,
                                                                         "client_secret": None})


def test_get_compatibility_bad_credentials_is_an_api_error() -> None:
    with pytest.raises(SmartcarException) as info:
        smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={"client_secret": "nope"})
    assert info.value.status_code == 401


def test_get_compatibility_v1_sends_v1_options() -> None:
    with mock.patch("smartcar.helpers.requester", wraps=helpers.requester) as spy:
        result = smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={
            "version": "1.0", "test_mode_compatibility_level": "compatible"})
        assert type(result).__name__ == "Compatibility" and result._fields == ("compatible", "meta")
        assert result.compatible is True
        method, url = spy.call_args.args
        assert (method, url.endswith("/v1.0/compatibility")) == ("GET", True)
        assert spy.call_args.kwargs["params"] == {"vin": TESLA_VIN, "scope": "read_odometer", "country": "US",
                                                  "test_mode_compatibility_level": "compatible", "mode": "test"}
        with pytest.warns(DeprecationWarning):
            smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={"version": "1.0", "test_mode": False})
        assert spy.call_args.kwargs["params"]["mode"] == "live"
    with pytest.raises(Exception, match="The \"mode\" parameter MUST be one of"):
        smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={"version": "1.0", "mode": "prod"})


def test_get_compatibility_v1_via_global_version() -> None:
    smartcar.set_api_version("1.0")
    try:
        assert smartcar.get_compatibility(TESLA_VIN, ["read_odometer"]).compatible is True
    finally:
        smartcar.set_api_version("2.0")


def test_get_compatibility_unsupported_version() -> None:
    with mock.patch("smartcar.helpers.requester") as fake:
        with pytest.raises(ValueError, match=r"options\['version'\] '3.0': Please use a valid API version "
                                             r"\(e.g. '1.0' or '2.0'\)"):
            smartcar.get_compatibility(TESLA_VIN, ["read_odometer"], options={"version": "3.0"})
        assert fake.call_count == 0  # refused before sending (the official SDK sent it, then raised)


def test_get_compatibility_matrix() -> None:
    matrix = smartcar.get_compatibility_matrix("US", "TESLA", {"type": "BEV", "scope": ["read_battery"]})
    assert list(matrix) == ["TESLA"]
    model = matrix["TESLA"][0]
    assert type(model).__name__ == "CompatibilityMatrixModel" and model.type == "BEV"
    assert isinstance(model.startYear, int) and "read_battery" in model.permissions


def test_get_compatibility_matrix_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_CLIENT_SECRET")
    with pytest.raises(MissingCredentialsError, match="SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET must be set"):
        smartcar.get_compatibility_matrix("US", "TESLA")
    matrix = smartcar.get_compatibility_matrix("US", "NISSAN", {"client_secret": CLIENT_SECRET})
    assert [m.model for m in matrix["NISSAN"]] == ["LEAF"]


def test_get_connections(tesla: dict[str, Any]) -> None:
    everything = smartcar.get_connections(AMT)
    assert type(everything).__name__ == "GetConnections" and type(everything.paging).__name__ == "PagingCursor"
    assert all(type(c).__name__ == "Connection" for c in everything.connections)
    mine = smartcar.get_connections(AMT, {"user_id": tesla["user_id"]})
    assert {c.vehicle_id for c in mine.connections} == set(tesla["vehicle_ids"])
    assert {c.user_id for c in mine.connections} == {tesla["user_id"]}
    page = smartcar.get_connections(AMT, paging={"limit": 1})
    assert len(page.connections) == 1
    if page.paging.cursor:
        following = smartcar.get_connections(AMT, paging={"limit": 1, "cursor": page.paging.cursor})
        assert following.connections[0] != page.connections[0]
    with pytest.raises(SmartcarException) as info:
        smartcar.get_connections("wrong-amt")
    assert info.value.status_code == 401


def test_delete_connections(connect_vehicle: Any) -> None:
    tokens = connect_vehicle(email="deleted@example.com")
    with pytest.raises(Exception, match="Filter can contain EITHER user_id OR vehicle_id, not both"):
        smartcar.delete_connections(AMT, {"user_id": tokens["user_id"], "vehicle_id": tokens["vehicle_ids"][0]})
    deleted = smartcar.delete_connections(AMT, {"vehicle_id": tokens["vehicle_ids"][0]})
    assert type(deleted).__name__ == "DeleteConnections"
    assert [c.vehicle_id for c in deleted.connections] == tokens["vehicle_ids"][:1]
    assert smartcar.get_connections(AMT, {"vehicle_id": tokens["vehicle_ids"][0]}).connections == []
    with pytest.raises(SmartcarException):
        smartcar.Vehicle(tokens["vehicle_ids"][0], tokens["access_token"]).odometer()
