"""Strict OAuth: the token endpoint refuses what RFC 6749, RFC 6819 and RFC 7636 refuse, with exact bodies.

A lenient token endpoint lets racy or careless apps pass here and fail in production, so each rule is checked
for its status, its error body, and what it does to the tokens already issued.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx2
import pytest

from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

from .conftest import bearer, unique_email

CLIENT = ("strict", "strict-secret")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT_URI, "http://localhost:8000/other"], client_id=CLIENT[0],
                              client_secret=CLIENT[1])
        yield emulator


@pytest.fixture()
def http(server) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url) as client:
        yield client


def code_for(server: EmulatorServer, with_redirect_uri: bool = True, **extra: str) -> str:
    url = authorize_url(server.url, CLIENT[0], REDIRECT_URI, ["read_odometer"], make="TESLA", **extra)
    if not with_redirect_uri:
        url = url.replace("&redirect_uri=" + urlencode({"x": REDIRECT_URI})[2:], "")
        assert "redirect_uri" not in url
    result = walk(url, email=unique_email("strict"))
    assert result.code, result.params
    return result.code


def token(http: httpx2.Client, auth: tuple[str, str] | None = CLIENT, **form: str) -> httpx2.Response:
    return http.post("/oauth/token", data=form, auth=auth)


def exchange(http: httpx2.Client, code: str, **extra: str) -> httpx2.Response:
    return token(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, **extra)


def refresh(http: httpx2.Client, refresh_token: str) -> httpx2.Response:
    return token(http, grant_type="refresh_token", refresh_token=refresh_token)


def assert_error(response: httpx2.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"error": error, "error_description": description}


def alive(http: httpx2.Client, access_token: str) -> bool:
    status = http.get("/v2.0/user", headers=bearer(access_token)).status_code
    assert status in (200, 401)
    return status == 200


# Authorization code replay (RFC 6749 §4.1.2, RFC 6819 §5.2.1.1) -------------------------------------------
def test_a_replayed_code_is_refused_and_revokes_what_it_issued(server, http):
    code = code_for(server)
    first = exchange(http, code).json()
    rotated = refresh(http, first["refresh_token"]).json()  # descendants are revoked too
    assert alive(http, first["access_token"]) and alive(http, rotated["access_token"])

    assert_error(exchange(http, code), 400, "invalid_grant", f"Invalid code: {code}.")
    assert not alive(http, first["access_token"])
    assert not alive(http, rotated["access_token"])
    assert_error(refresh(http, rotated["refresh_token"]), 400, "invalid_grant",
                 f"Invalid refresh_token: {rotated['refresh_token']}.")


def test_a_replay_does_not_touch_other_grants(server, http):
    other = exchange(http, code_for(server)).json()
    code = code_for(server)
    exchange(http, code)
    assert exchange(http, code).status_code == 400
    assert alive(http, other["access_token"])


# redirect_uri (RFC 6749 §4.1.3) -----------------------------------------------------------------------------
def test_redirect_uri_is_required_when_sent_to_authorize(server, http):
    code = code_for(server)
    assert_error(token(http, grant_type="authorization_code", code=code), 400, "invalid_request",
                 "The redirect_uri parameter is required: it was sent in the authorization request.")
    assert exchange(http, code).status_code == 200  # the refusal did not burn the code


@pytest.mark.parametrize("sent", ["http://localhost:8000/other", "http://localhost:8000/exchange/",
                                  "HTTP://localhost:8000/exchange", "http://localhost:8000/exchange?x=1", "undefined"])
def test_redirect_uri_must_match_exactly(server, http, sent):
    code = code_for(server)
    response = token(http, grant_type="authorization_code", code=code, redirect_uri=sent)
    assert_error(response, 400, "invalid_grant",
                 f"Invalid redirect_uri: {sent}. It must match the redirect_uri used in Connect.")


def test_redirect_uri_is_optional_when_authorize_had_none(server, http):
    code = code_for(server, with_redirect_uri=False)  # Connect used the first registered URI
    assert token(http, grant_type="authorization_code", code=code).status_code == 200
    wrong = code_for(server, with_redirect_uri=False)
    assert_error(token(http, grant_type="authorization_code", code=wrong, redirect_uri="http://localhost:8000/other"),
                 400, "invalid_grant",
                 "Invalid redirect_uri: http://localhost:8000/other. It must match the redirect_uri used in Connect.")


# Refresh token rotation and reuse detection (RFC 6819 §5.2.2.3) ---------------------------------------------
def test_a_used_refresh_token_is_refused_at_once_and_its_reuse_revokes_the_chain(server, http):
    first = exchange(http, code_for(server)).json()
    second = refresh(http, first["refresh_token"]).json()
    third = refresh(http, second["refresh_token"]).json()
    assert alive(http, third["access_token"])

    assert_error(refresh(http, first["refresh_token"]), 400, "invalid_grant",
                 f"Invalid refresh_token: {first['refresh_token']}.")
    for pair in (first, second, third):
        assert not alive(http, pair["access_token"])
    assert_error(refresh(http, third["refresh_token"]), 400, "invalid_grant",
                 f"Invalid refresh_token: {third['refresh_token']}.")


def test_the_grace_window_is_an_explicit_option(server, http):
    server.platform.oauth_policy.refresh_grace = 60
    try:
        first = exchange(http, code_for(server)).json()
        second = refresh(http, first["refresh_token"]).json()
        retried = refresh(http, first["refresh_token"])  # a retry inside the window
        assert retried.status_code == 200 and retried.json()["refresh_token"] != second["refresh_token"]
        server.platform.clock.advance(61)
        assert refresh(http, first["refresh_token"]).status_code == 400
        assert not alive(http, retried.json()["access_token"])
    finally:
        server.platform.oauth_policy.refresh_grace = 0


# Client authentication (RFC 6749 §2.3, RFC 7617) -------------------------------------------------------------
def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


@pytest.mark.parametrize("header, reason", [
    ("Basic not*base64", "not base64 of UTF-8 text"),
    (_basic(b"strict-no-colon"), "no colon between user name and password"),
    (_basic(b"\xff\xfe:secret"), "not base64 of UTF-8 text"),
    ("Bearer " + "x" * 20, "not the Basic scheme"),
    ("Basic", "no colon between user name and password"),  # empty credentials
])
def test_a_malformed_basic_header_is_401_even_with_form_credentials(server, http, header, reason):
    code = code_for(server)
    response = http.post("/oauth/token", headers={"Authorization": header},
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                               "client_id": CLIENT[0], "client_secret": CLIENT[1]})
    assert_error(response, 401, "invalid_client",
                 f"Malformed Authorization header ({reason}): use Basic base64(client_id:client_secret).")
    assert response.headers["www-authenticate"] == 'Basic realm="smartcar"'
    assert exchange(http, code).status_code == 200  # the refused attempt did not burn the code


def test_two_authentication_methods_are_refused(server, http):
    response = http.post("/oauth/token", auth=CLIENT, data={"grant_type": "authorization_code", "code": "x",
                                                           "redirect_uri": REDIRECT_URI, "client_secret": CLIENT[1]})
    assert_error(response, 400, "invalid_request", "The client authenticated twice (Authorization header and "
                 "client_secret in the body): use one method.")


def test_wrong_secret_in_basic_is_invalid_client(server, http):
    assert_error(token(http, auth=(CLIENT[0], "wrong"), grant_type="refresh_token", refresh_token="x"), 401,
                 "invalid_client", "Invalid client_id or client_secret.")


# PKCE (RFC 7636) --------------------------------------------------------------------------------------------
def _verifier() -> str:
    return secrets.token_urlsafe(48)  # 64 characters of the unreserved set


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_pkce_s256_is_verified(server, http):
    verifier = _verifier()
    code = code_for(server, code_challenge=_s256(verifier), code_challenge_method="S256")
    assert_error(exchange(http, code, code_verifier=_verifier()), 400, "invalid_grant",
                 "The code_verifier does not match the code_challenge.")
    assert_error(exchange(http, code), 400, "invalid_request",
                 "The code_verifier parameter is required: the authorization request carried a code_challenge.")
    response = exchange(http, code, code_verifier=verifier)
    assert response.status_code == 200 and alive(http, response.json()["access_token"])


def test_pkce_plain_is_the_default_method(server, http):
    verifier = _verifier()
    code = code_for(server, code_challenge=verifier)
    assert_error(exchange(http, code, code_verifier=_s256(verifier)), 400, "invalid_grant",
                 "The code_verifier does not match the code_challenge.")
    assert exchange(http, code, code_verifier=verifier).status_code == 200


def test_a_verifier_without_a_challenge_is_refused(server, http):
    code = code_for(server)
    assert_error(exchange(http, code, code_verifier=_verifier()), 400, "invalid_grant",
                 "A code_verifier was sent, but the authorization request carried no code_challenge.")


@pytest.mark.parametrize("extra, message", [
    ({"code_challenge": "x" * 43, "code_challenge_method": "S512"},
     "code_challenge_method must be S256 or plain (PKCE, RFC 7636)."),
    ({"code_challenge": "short"}, "code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' "
                                  "and '~' (PKCE, RFC 7636)."),
    ({"code_challenge_method": "S256"}, "code_challenge_method was sent without a code_challenge (PKCE, RFC 7636)."),
])
def test_a_malformed_challenge_is_a_configuration_error(server, extra, message):
    url = authorize_url(server.url, CLIENT[0], REDIRECT_URI, ["read_odometer"], make="TESLA", state="p", **extra)
    params = walk(url, email=unique_email("pkce")).params
    assert params == {"error": "configuration_error",
                      "error_description": "There has been an error in the configuration of your application.",
                      "status_code": "400", "error_message": message, "state": "p"}


# One environment for every official SDK -------------------------------------------------------------------
def test_the_token_endpoint_answers_under_both_readings_of_the_auth_origin(server, http):
    """Python takes SMARTCAR_AUTH_ORIGIN as the token URL; Node, Java and Ruby append /oauth/token to it."""
    origin = server.env()["SMARTCAR_AUTH_ORIGIN"]
    assert origin == f"{server.url}/oauth/token"
    for url in (origin, origin + "/oauth/token"):
        response = http.post(url, auth=CLIENT, data={"grant_type": "authorization_code", "code": code_for(server),
                                                     "redirect_uri": REDIRECT_URI})
        assert response.status_code == 200 and set(response.json()) == {"access_token", "token_type", "expires_in",
                                                                         "refresh_token"}

