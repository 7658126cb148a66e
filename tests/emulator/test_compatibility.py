"""Compatibility API v2.0 (``/compatibility`` and ``/compatibility/matrix``) with Basic client auth."""

from __future__ import annotations

import pytest

from .conftest import assert_v2_error

LEVELS = ["compatible", "phev", "incompatible", "fuel", "dinosaur", "bev"]


@pytest.fixture()
def compat(http, application):
    def get(path: str = "/v2.0/compatibility", auth=None, **params):
        return http.get(path, params=params, auth=auth or (application.client_id, application.client_secret))

    return get


def capabilities(body) -> dict[str, dict]:
    return {c["permission"]: c for c in body["capabilities"]}


def test_live_vin_of_a_supported_make(compat):
    response = compat(vin="5YJXCDE22HF068739", scope="read_odometer read_location read_fuel", country="US")
    assert response.status_code == 200
    body = response.json()
    assert body["compatible"] is True and body["reason"] is None
    caps = capabilities(body)
    assert set(caps) == {"read_odometer", "read_location", "read_fuel"}
    for cap in caps.values():
        assert set(cap) == {"permission", "endpoint", "capable", "reason"}
    assert caps["read_odometer"] == {"permission": "read_odometer", "endpoint": "/odometer", "capable": True,
                                     "reason": None}
    assert caps["read_fuel"]["capable"] is False and caps["read_fuel"]["reason"] == "VEHICLE_NOT_CAPABLE"


def test_unknown_make_is_not_compatible(compat):
    body = compat(vin="ZZZ00000000000000", scope="read_odometer").json()
    assert body == {"compatible": False, "reason": "MAKE_NOT_COMPATIBLE", "capabilities": []}


# `country` (reference §5.8, ISO 3166-1 alpha-2, the SDKs send US by default): MAKE_NOT_COMPATIBLE is "not yet
# compatible with this vehicle's make in the country you specified"; a bad code is a VALIDATION error.
@pytest.mark.parametrize("vin, country, compatible", [
    ("1G1FZ6S05K4100001", "US", True), ("1G1FZ6S05K4100001", "ca", True), ("1G1FZ6S05K4100001", "DE", False),
    ("7FCTGAAA5NN000001", "GB", False), ("5YJ3E1EA7KF000001", "DE", True), ("5YJXCDE22HF068739", "NO", True),
    ("5YJ3E1EA7KF000001", "JP", False), ("WAUAFAFL1GN014882", "BR", False)])
def test_country_selects_the_market_of_the_make(compat, vin, country, compatible):
    body = compat(vin=vin, scope="read_odometer", country=country).json()
    if compatible:
        assert body["compatible"] is True and body["reason"] is None and body["capabilities"]
    else:
        assert body == {"compatible": False, "reason": "MAKE_NOT_COMPATIBLE", "capabilities": []}


def test_country_defaults_to_us(compat):
    assert compat(vin="1G1FZ6S05K4100001", scope="read_odometer").json()["compatible"] is True


@pytest.mark.parametrize("country", ["", "USA", "U", "XX", "ZZ", "1A", "Ü S", "us ", "ÚS"])
def test_country_must_be_an_iso_3166_alpha_2_code(compat, country):
    if country == "us ":  # surrounding blanks are ignored, as for the VIN
        assert compat(vin="5YJ3E1EA7KF000001", scope="read_odometer", country=country).status_code == 200
        return
    body = assert_v2_error(compat(vin="5YJ3E1EA7KF000001", scope="read_odometer", country=country), 400,
                           "VALIDATION")
    assert body["detail"] == [{"field": "country",
                               "message": "\"country\" must be an ISO 3166-1 alpha-2 country code, e.g. US."}]
    # also in test mode, where the level gives the answer
    assert_v2_error(compat(vin="5YJ3E1EA7KF000001", scope="read_odometer", country=country, mode="test",
                           test_mode_compatibility_level="compatible"), 400, "VALIDATION")


def test_v1_does_not_take_country(compat):
    """v1.0 documents no ``country``: ignored, the answer as for the US."""
    response = compat("/v1.0/compatibility", vin="1G1FZ6S05K4100001", scope="read_odometer", country="XX")
    assert response.status_code == 200 and response.json() == {"compatible": True}


@pytest.mark.parametrize("level, compatible, fuel, battery", [
    ("compatible", True, True, True), ("phev", True, True, True), ("fuel", True, True, False),
    ("bev", True, False, True), ("incompatible", False, None, None), ("dinosaur", False, None, None)])
def test_test_mode_levels(compat, level, compatible, fuel, battery):
    body = compat(vin="0SCGMCT0386A85356", scope="read_fuel read_battery", mode="test",
                  test_mode_compatibility_level=level).json()
    assert body["compatible"] is compatible
    if compatible:
        caps = capabilities(body)
        assert (caps["read_fuel"]["capable"], caps["read_battery"]["capable"]) == (fuel, battery)
    else:
        assert body["capabilities"] == [] and body["reason"] == "VEHICLE_NOT_COMPATIBLE"


def test_test_mode_without_a_level_is_a_validation_error(compat):
    body = assert_v2_error(compat(vin="0SCGMCT0386A85356", scope="read_odometer", mode="test"), 400, "VALIDATION")
    assert body["detail"][0] == {"field": "test_mode_compatibility_level",
                                 "message": f"Field must be one of: [{','.join(LEVELS)}]"}


@pytest.mark.parametrize("params", [{"scope": "read_odometer"}, {"vin": "SHORT", "scope": "read_odometer"},
                                    {"vin": "5YJXCDE22HF068739"}, {"vin": "5YJXCDE22HF068739", "scope": "read_x"}])
def test_bad_parameters(compat, params):
    assert_v2_error(compat(**params), 400, "VALIDATION")


def test_needs_client_credentials(compat):
    assert_v2_error(compat(auth=("test-client", "wrong"), vin="5YJXCDE22HF068739", scope="read_odometer"), 401,
                    "AUTHENTICATION")


def test_matrix_filters_by_make_type_and_scope(compat):
    response = compat("/v2.0/compatibility/matrix", region="US", scope="read_battery read_charge", make="NISSAN",
                      type="BEV", mode="live")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["NISSAN"]
    for entry in body["NISSAN"]:
        assert set(entry) == {"model", "startYear", "endYear", "type", "endpoints", "permissions"}
        assert entry["type"] == "BEV" and {"read_battery", "read_charge"} <= set(entry["permissions"])
        assert entry["startYear"] <= entry["endYear"]


def test_matrix_scope_excludes_incapable_models(compat):
    body = compat("/v2.0/compatibility/matrix", region="US", scope="read_fuel").json()
    assert body and all(entry["type"] != "BEV" for entries in body.values() for entry in entries)
    everything = compat("/v2.0/compatibility/matrix", region="US").json()
    assert {"TESLA", "FORD", "TOYOTA"} <= set(everything)


def test_matrix_honours_region(compat):
    us = compat("/v2.0/compatibility/matrix", region="US").json()
    europe = compat("/v2.0/compatibility/matrix", region="EUROPE").json()
    assert {"RIVIAN", "CHEVROLET"} <= set(us) and not {"RIVIAN", "CHEVROLET", "CADILLAC"} & set(europe)
    assert {"VOLKSWAGEN", "TESLA"} <= set(europe)
    assert [e["model"] for e in us["FORD"]] != [e["model"] for e in europe["FORD"]]  # no F-150 in Europe


@pytest.mark.parametrize("region", [None, "", "MARS"])
def test_matrix_needs_a_known_region(compat, region):
    params = {"region": region} if region is not None else {}
    assert_v2_error(compat("/v2.0/compatibility/matrix", **params), 400, "VALIDATION")


def test_matrix_needs_client_credentials(compat):
    assert_v2_error(compat("/v2.0/compatibility/matrix", auth=("nobody", "x")), 401, "AUTHENTICATION")
