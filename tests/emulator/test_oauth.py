"""OAuth: ``POST /oauth/token`` (codes and refresh tokens) and ``POST /oauth2/token`` (client credentials)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

from .conftest import UUID_RE, assert_v2_error, auth_url, bearer, exchange, unique_email


@pytest.fixture(scope="module")
def timed() -> Iterator[EmulatorServer]:
    """An emulator of its own, whose clock the tests move (the shared one's clock stays put)."""
    with EmulatorServer() as server:
        server.register_app(redirect_uris=[REDIRECT_URI, "http://localhost:8000/other"], client_id="timed",
                            client_secret="timed-secret")
        yield server


@pytest.fixture()
def timed_http(timed) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=timed.url) as client:
        yield client


def new_code(server: EmulatorServer, client_id: str, redirect_uri: str = REDIRECT_URI) -> str:
    app = server.platform.apps.get(client_id)
    url = auth_url(server, app, make="TESLA")
    if redirect_uri != REDIRECT_URI:
        url = url.replace("exchange", redirect_uri.rsplit("/", 1)[1])
    code = walk(url, email=unique_email()).code
    assert code
    return code


def token_request(http: httpx2.Client, data: dict[str, str], auth=("test-client", "test-secret")) -> httpx2.Response:
    return http.post("/oauth/token", data=data, auth=auth)


def assert_oauth_error(response: httpx2.Response, status: int, error: str, description: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error and isinstance(body["error_description"], str)
    if description is not None:
        assert body["error_description"] == description
    assert len(response.headers["sc-request-id"]) == 36


# Authorization code --------------------------------------------------------------------------------------
def test_code_exchange_with_basic_auth(emulator, application, http):
    response = exchange(http, application, new_code(emulator, application.client_id))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200
    assert UUID_RE.match(body["access_token"]) and UUID_RE.match(body["refresh_token"])
    assert response.headers["cache-control"] == "no-store"
    assert http.get("/v2.0/user", headers=bearer(body["access_token"])).status_code == 200


def test_code_exchange_with_client_credentials_in_the_form(emulator, application, http):
    code = new_code(emulator, application.client_id)
    response = http.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                               "redirect_uri": REDIRECT_URI, "client_id": application.client_id,
                                               "client_secret": application.client_secret})
    assert response.status_code == 200 and response.json()["expires_in"] == 7200


@pytest.mark.parametrize("auth", [("test-client", "wrong"), ("nobody", "test-secret")])
def test_bad_client_credentials_are_invalid_client(emulator, application, http, auth):
    code = new_code(emulator, application.client_id)
    response = token_request(http, {"grant_type": "authorization_code", "code": code}, auth=auth)
    assert_oauth_error(response, 401, "invalid_client")
    assert exchange(http, application, code).status_code == 200  # a refused attempt does not burn the code


def test_codes_are_single_use(emulator, application, http):
    code = new_code(emulator, application.client_id)
    assert exchange(http, application, code).status_code == 200
    assert_oauth_error(exchange(http, application, code), 400, "invalid_grant", f"Invalid code: {code}.")


def test_unknown_code(http, application):
    assert_oauth_error(exchange(http, application, "not-a-code"), 400, "invalid_grant", "Invalid code: not-a-code.")


def test_code_is_bound_to_the_client(emulator, application, http):
    other = emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="other-client", client_secret="other")
    code = new_code(emulator, application.client_id)
    response = token_request(http, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
                             auth=(other.client_id, other.client_secret))
    assert_oauth_error(response, 400, "invalid_grant", f"Invalid code: {code}.")


def test_code_is_bound_to_the_redirect_uri(timed, timed_http):
    code = new_code(timed, "timed")
    for wrong in ("http://localhost:8000/other", "undefined", REDIRECT_URI + "/"):
        response = token_request(timed_http, {"grant_type": "authorization_code", "code": code,
                                              "redirect_uri": wrong}, auth=("timed", "timed-secret"))
        assert_oauth_error(response, 400, "invalid_grant",
                           f"Invalid redirect_uri: {wrong}. It must match the redirect_uri used in Connect.")
    # A refused attempt does not burn the code: the exact URI still works.
    response = token_request(timed_http, {"grant_type": "authorization_code", "code": code,
                                          "redirect_uri": REDIRECT_URI}, auth=("timed", "timed-secret"))
    assert response.status_code == 200


def test_codes_expire_after_ten_minutes(timed, timed_http):
    fresh, stale = new_code(timed, "timed"), new_code(timed, "timed")
    timed.platform.clock.advance(9 * 60)
    assert token_request(timed_http, {"grant_type": "authorization_code", "code": fresh,
                                      "redirect_uri": REDIRECT_URI}, auth=("timed", "timed-secret")).status_code == 200
    timed.platform.clock.advance(61)
    assert_oauth_error(token_request(timed_http, {"grant_type": "authorization_code", "code": stale,
                                                  "redirect_uri": REDIRECT_URI}, auth=("timed", "timed-secret")),
                       400, "invalid_grant", f"Invalid code: {stale}.")


def test_access_token_expires_after_two_hours(timed, timed_http):
    tokens = token_request(timed_http, {"grant_type": "authorization_code", "code": new_code(timed, "timed"),
                                        "redirect_uri": REDIRECT_URI}, auth=("timed", "timed-secret")).json()
    timed.platform.clock.advance(7200 - 5)
    assert timed_http.get("/v2.0/user", headers=bearer(tokens["access_token"])).status_code == 200
    timed.platform.clock.advance(10)
    assert_v2_error(timed_http.get("/v2.0/user", headers=bearer(tokens["access_token"])), 401, "AUTHENTICATION")
    # The refresh token outlives it.
    refreshed = token_request(timed_http, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                              auth=("timed", "timed-secret"))
    assert refreshed.status_code == 200
    assert timed_http.get("/v2.0/user", headers=bearer(refreshed.json()["access_token"])).status_code == 200


# Refresh -------------------------------------------------------------------------------------------------
def _refresh(http: httpx2.Client, refresh_token: str, auth=("timed", "timed-secret")) -> httpx2.Response:
    return token_request(http, {"grant_type": "refresh_token", "refresh_token": refresh_token}, auth=auth)


def test_refresh_rotates_and_the_used_token_dies_at_once(timed, timed_http):
    first = token_request(timed_http, {"grant_type": "authorization_code", "code": new_code(timed, "timed"),
                                       "redirect_uri": REDIRECT_URI}, auth=("timed", "timed-secret")).json()
    second = _refresh(timed_http, first["refresh_token"])
    assert second.status_code == 200
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"] and body["access_token"] != first["access_token"]
    assert body["expires_in"] == 7200
    user = timed_http.get("/v2.0/user", headers=bearer(first["access_token"])).json()["id"]
    assert timed_http.get("/v2.0/user", headers=bearer(body["access_token"])).json()["id"] == user
    # The newest refresh token keeps working, each time rotating again.
    third = _refresh(timed_http, body["refresh_token"])
    assert third.status_code == 200
    assert _refresh(timed_http, third.json()["refresh_token"]).status_code == 200


def test_refresh_token_of_another_client_or_unknown_is_refused(emulator, application, http):
    tokens = exchange(http, application, new_code(emulator, application.client_id)).json()
    other = emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="refresh-other", client_secret="x")
    assert_oauth_error(_refresh(http, tokens["refresh_token"], auth=(other.client_id, "x")), 400, "invalid_grant")
    assert_oauth_error(_refresh(http, "nope", auth=(application.client_id, application.client_secret)), 400,
                       "invalid_grant", "Invalid refresh_token: nope.")


def test_refresh_with_client_credentials_in_the_form(emulator, application, http):
    tokens = exchange(http, application, new_code(emulator, application.client_id)).json()
    response = http.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                               "client_id": application.client_id,
                                               "client_secret": application.client_secret})
    assert response.status_code == 200 and response.json()["refresh_token"] != tokens["refresh_token"]


# Malformed requests --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, error", [({}, "invalid_request"),
                                         ({"code": "x"}, "invalid_request"),
                                         ({"grant_type": "password"}, "unsupported_grant_type"),
                                         ({"grant_type": "authorization_code"}, "invalid_request"),
                                         ({"grant_type": "refresh_token"}, "invalid_request")])
def test_malformed_token_requests_are_400_oauth_errors(http, data, error):
    assert_oauth_error(token_request(http, data), 400, error)


def test_missing_client_authentication_is_invalid_client(http):
    response = http.post("/oauth/token", data={"grant_type": "authorization_code", "code": "x"})
    assert_oauth_error(response, 401, "invalid_client")


# Client credentials (IAM) --------------------------------------------------------------------------------
def test_client_credentials_token(http, application):
    response = http.post("/oauth2/token", data={"grant_type": "client_credentials",
                                                "client_id": application.client_id,
                                                "client_secret": application.client_secret})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer" and "refresh_token" not in body
    # An application token is not a user token for the v2 API.
    assert_v2_error(http.get("/v2.0/user", headers=bearer(body["access_token"])), 401, "AUTHENTICATION")


def test_client_credentials_as_json(http, application):
    response = http.post("/oauth2/token", json={"grant_type": "client_credentials",
                                                "client_id": application.client_id,
                                                "client_secret": application.client_secret})
    assert response.status_code == 200 and response.json()["expires_in"] == 3600


@pytest.mark.parametrize("data, status, error", [
    ({"client_id": "test-client", "client_secret": "test-secret"}, 400, "invalid_request"),
    ({"grant_type": "client_credentials", "client_id": "test-client", "client_secret": "bad"}, 401, "invalid_client"),
    ({"grant_type": "authorization_code", "client_id": "test-client", "client_secret": "test-secret"}, 400,
     "unsupported_grant_type"),
])
def test_client_credentials_errors(http, application, data, status, error):
    assert_oauth_error(http.post("/oauth2/token", data=data), status, error)
