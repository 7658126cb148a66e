"""Connect: the pages walked through their HTML forms, the redirect back, and the test-mode logins."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import httpx2
import pytest

from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.walker import ConnectError, parse_forms, walk
from tests.conftest import REDIRECT_URI

from .conftest import assert_v2_error, auth_url, bearer, exchange, fresh_app, query_of, unique_email


class _Elements(HTMLParser):
    """Every element's tag, id, classes and attributes, to check the selectors the SDK tests use."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.items: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str | None = None, id: str | None = None, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.items if (tag is None or t == tag) and (id is None or a.get("id") == id)
                and (cls is None or cls in a.get("class", "").split())]


def _redirect(response: httpx2.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith(REDIRECT_URI + "?")
    return query_of(response.headers["location"])


def _walk(emulator, application, scopes=None, email: str | None = None, **params) -> dict[str, str]:
    result = walk(auth_url(emulator, application, scopes, **params), email=email or unique_email(),
                  make=params.get("make"))
    assert result.location.startswith(REDIRECT_URI + "?")
    return result.params


def _post_form(http: httpx2.Client, page: httpx2.Response, button_id: str,
               overrides: dict[str, str] | None = None) -> httpx2.Response:
    """Submit the form holding ``button_id`` the way a browser would (fields + the clicked button)."""
    for form in parse_forms(page.text):
        for button in form.buttons:
            if button.id == button_id:
                data = [(n, (overrides or {}).get(n, v)) for n, v in form.fields]
                if button.name:
                    data.append((button.name, button.value))
                return _submit(http, urljoin(str(page.url), form.action), data)
    raise AssertionError(f"no #{button_id} on {page.url}")


def _submit(http: httpx2.Client, url: str, data: list[tuple[str, str]]) -> httpx2.Response:
    """POST form fields in order, repeated names included (as a browser encodes a form)."""
    return http.post(url, content=urlencode(data), headers={"content-type": "application/x-www-form-urlencoded"})


def _follow(http: httpx2.Client, response: httpx2.Response) -> httpx2.Response:
    assert response.status_code == 303, response.text
    return http.get(urljoin(str(response.url), response.headers["location"]))


# The pages, by hand ------------------------------------------------------------------------------------
def test_each_page_has_the_selectors_the_sdk_browser_tests_use(emulator, application, http):
    start = http.get(auth_url(emulator, application, ["read_odometer", "read_vin"], state="s1"))
    assert start.status_code == 200 and start.headers["content-type"].startswith("text/html")
    assert _Elements(start.text).find("button", id="continue-button")

    brand_page = _follow(http, _post_form(http, start, "continue-button"))
    elements = _Elements(brand_page.text)
    tesla = elements.find("button", id="TESLA", cls="brand-list-item")
    assert tesla and tesla[0]["value"] == "TESLA"
    assert elements.find("button", id="MERCEDES-BENZ", cls="brand-list-item")
    assert elements.find("input", id="brand-search")

    login_page = _follow(http, _post_form(http, brand_page, "TESLA"))
    elements = _Elements(login_page.text)
    assert elements.find("input", id="username") and elements.find("input", id="password")
    assert elements.find("button", id="sign-in-button")

    grant_page = _follow(http, _post_form(http, login_page, "sign-in-button",
                                          {"username": unique_email(), "password": "pw"}))
    elements = _Elements(grant_page.text)
    assert elements.find(cls="page-content")
    assert elements.find("button", id="approval-button") and elements.find("button", id="deny-button")
    assert {a["value"] for a in elements.find("input") if a.get("name") == "scope"} == {"read_odometer", "read_vin"}

    params = _redirect(_post_form(http, grant_page, "approval-button"))
    assert params["state"] == "s1" and params["code"]
    assert exchange(http, application, params["code"]).status_code == 200


def test_brand_search_filters_the_list(emulator, application, http):
    start = http.get(auth_url(emulator, application))
    brand_page = _follow(http, _post_form(http, start, "continue-button"))
    searched = http.get(urljoin(str(brand_page.url), "brand"), params={"q": "tes"})
    ids = {a["id"] for a in _Elements(searched.text).find("button", cls="brand-list-item")}
    assert ids == {"TESLA"}


@pytest.mark.parametrize("make", ["FORD", "Ford", "mercedes_benz"])
def test_make_parameter_skips_the_brand_page(emulator, application, http, make):
    result = walk(auth_url(emulator, application, ["read_vehicle_info"], make=make), email=unique_email())
    assert result.pages == ["preamble", "login", "grant"]
    token, vehicle = _token_and_vehicle(http, application, result.params)
    assert http.get(f"/v2.0/vehicles/{vehicle}", headers=bearer(token)).json()["make"] == make.upper().replace("_", "-")


def test_state_and_redirect_query_survive_the_round_trip(emulator, http):
    callback = "http://localhost:8000/callback?tenant=7"
    app = emulator.register_app(redirect_uris=[callback], client_id="query-redirect")
    url = authorize_url(emulator.url, app.client_id, callback, ["read_vin"], state="a b&c=d/\u00e9?", make="TESLA")
    result = walk(url, email=unique_email())
    assert result.location.startswith(callback + "&")
    assert result.params["tenant"] == "7" and result.params["state"] == "a b&c=d/\u00e9?" and result.params["code"]


def test_walk_without_make_goes_through_the_brand_page(emulator, application):
    result = walk(auth_url(emulator, application, state="x"), email=unique_email(), make="NISSAN")
    assert result.pages == ["preamble", "brand", "login", "grant"]
    assert result.params["state"] == "x"


def test_deny_redirects_with_access_denied_and_state(emulator, application):
    result = walk(auth_url(emulator, application, state="deny-state", make="TESLA"), email=unique_email(),
                  deny=True)
    assert result.params == {"error": "access_denied", "error_description": "User denied access to application.",
                             "state": "deny-state"}


@pytest.mark.parametrize("change", [{"client_id": "no-such-client"},
                                    {"redirect_uri": "http://evil.example.com/steal"}])
def test_bad_client_or_redirect_uri_shows_an_error_page_never_a_redirect(emulator, application, http, change):
    url = auth_url(emulator, application, state="s")
    response = http.get(url, params=change)  # httpx2 merges: the changed parameter replaces the good one
    assert 400 <= response.status_code < 500
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


def test_approval_prompt_auto_skips_the_grant_page_when_already_approved(emulator, application):
    email = unique_email()
    first = walk(auth_url(emulator, application, ["read_odometer"], make="TESLA", approval_prompt="auto"),
                 email=email)
    assert first.pages[-1] == "grant" and first.code
    again = walk(auth_url(emulator, application, ["read_odometer"], make="TESLA", approval_prompt="auto"),
                 email=email)
    assert again.pages == ["preamble", "login"] and again.code
    forced = walk(auth_url(emulator, application, ["read_odometer"], make="TESLA", approval_prompt="force"),
                  email=email)
    assert forced.pages[-1] == "grant"
    wider = walk(auth_url(emulator, application, ["read_odometer", "read_vin"], make="TESLA",
                          approval_prompt="auto"), email=email)
    assert wider.pages[-1] == "grant"  # a new permission needs the user's approval


def _token_and_vehicle(http: httpx2.Client, application, params: dict[str, str]) -> tuple[str, str]:
    """Exchange the redirect's code; the token and the (first) vehicle it may use."""
    token = exchange(http, application, params["code"]).json()["access_token"]
    return token, http.get("/v2.0/vehicles", headers=bearer(token)).json()["vehicles"][0]


def _grant_page(http: httpx2.Client, url: str, email: str) -> httpx2.Response:
    page = http.get(url)
    page = _follow(http, _post_form(http, page, "continue-button"))
    return _follow(http, _post_form(http, page, "sign-in-button", {"username": email, "password": "pw"}))


def test_single_select_shows_radio_buttons_and_connects_one_vehicle(emulator, http):
    application = fresh_app(emulator)  # the fleet login's user is shared: start from no connections
    url = auth_url(emulator, application, make="TESLA", single_select="true")
    page = _grant_page(http, url, "3-vehicles@smartcar.com")
    inputs = [a for a in _Elements(page.text).find("input") if a.get("name") == "vehicle_id"]
    assert len(inputs) == 3 and {a["type"] for a in inputs} == {"radio"}
    code = _redirect(_post_form(http, page, "approval-button"))["code"]
    token = exchange(http, application, code).json()["access_token"]
    assert http.get("/v2.0/vehicles", headers=bearer(token)).json()["paging"]["count"] == 1


def test_without_single_select_the_vehicles_are_checkboxes(emulator, application, http):
    page = _grant_page(http, auth_url(emulator, application, make="TESLA"), "2-vehicles@smartcar.com")
    inputs = [a for a in _Elements(page.text).find("input") if a.get("name") == "vehicle_id"]
    assert len(inputs) == 2 and {a["type"] for a in inputs} == {"checkbox"}


def test_single_select_vin_offers_only_that_vehicle(emulator, application, http):
    vin = "0SCTESLA0VIN00001"
    params = _walk(emulator, application, ["read_vin"], single_select_vin=vin, email=unique_email())
    token, vehicle = _token_and_vehicle(http, application, params)
    assert http.get("/v2.0/vehicles", headers=bearer(token)).json()["paging"]["count"] == 1
    assert http.get(f"/v2.0/vehicles/{vehicle}/vin", headers=bearer(token)).json() == {"vin": vin}


def test_single_select_with_a_test_vin_in_live_mode_is_a_configuration_error(emulator, application, http):
    response = http.get(auth_url(emulator, application, mode="live", single_select_vin="0SCAUDI037A5ADB1C",
                                 state="vin"))
    params = _redirect(response)
    assert params["error"] == "configuration_error" and params["state"] == "vin"
    assert params["error_description"] == "There has been an error in the configuration of your application."


def test_required_permission_is_locked_and_stored_without_prefix(emulator, application, http):
    url = auth_url(emulator, application, ["required:read_odometer", "read_vin"], make="TESLA")
    page = _grant_page(http, url, unique_email())
    checkbox = _Elements(page.text).find("input", id="scope-read_odometer")[0]
    assert "disabled" in checkbox and checkbox["value"] == "read_odometer"
    # The user unticks everything they can: the required permission stays.
    form = next(f for f in parse_forms(page.text) if any(b.id == "approval-button" for b in f.buttons))
    data = [(n, v) for n, v in form.fields if not (n == "scope" and v == "read_vin")] + [("action", "allow")]
    code = _redirect(_submit(http, urljoin(str(page.url), form.action), data))["code"]
    token = exchange(http, application, code).json()["access_token"]
    vehicle = http.get("/v2.0/vehicles", headers=bearer(token)).json()["vehicles"][0]
    permissions = http.get(f"/v2.0/vehicles/{vehicle}/permissions", headers=bearer(token)).json()
    assert permissions["permissions"] == ["read_odometer"]


# Modes ---------------------------------------------------------------------------------------------------
def test_test_mode_accepts_any_email_and_password(emulator, application):
    result = walk(auth_url(emulator, application, make="KIA"), email=unique_email(), password="anything at all")
    assert result.code


def test_live_mode_needs_an_account_and_the_right_password(emulator, application, http):
    email = unique_email("live")
    emulator.platform.accounts.add(email, "s3cret!", make="FORD")
    url = auth_url(emulator, application, ["read_vin"], mode="live", make="FORD")
    login = http.get(url)
    login = _follow(http, _post_form(http, login, "continue-button"))
    refused = _post_form(http, login, "sign-in-button", {"username": email, "password": "wrong"})
    assert refused.headers["content-type"].startswith("text/html") and "location" not in refused.headers
    elements = _Elements(refused.text)
    assert elements.find("button", id="sign-in-button") and elements.find(cls="error")
    grant = _follow(http, _post_form(http, refused, "sign-in-button", {"username": email, "password": "s3cret!"}))
    code = _redirect(_post_form(http, grant, "approval-button"))["code"]
    token = exchange(http, application, code).json()["access_token"]
    vehicle = http.get("/v2.0/vehicles", headers=bearer(token)).json()["vehicles"][0]
    vin = http.get(f"/v2.0/vehicles/{vehicle}/vin", headers=bearer(token)).json()["vin"]
    assert vin.startswith("1FA")  # a live Ford, not a 0SC test VIN


def test_live_mode_refuses_unknown_accounts(emulator, application):
    with pytest.raises(ConnectError, match="login was refused"):
        walk(auth_url(emulator, application, mode="live", make="TESLA"), email=unique_email("nobody"))


def test_simulated_mode_gives_simulated_vehicles(emulator, application, http):
    params = _walk(emulator, application, ["read_vin"], mode="simulated", make="TESLA")
    token, vehicle = _token_and_vehicle(http, application, params)
    assert http.get(f"/v2.0/vehicles/{vehicle}/vin", headers=bearer(token)).json()["vin"].startswith("3SC")


# Special test logins -----------------------------------------------------------------------------------
def test_vin_at_level_login_connects_that_vin(emulator, application, http):
    vin = "0SCLEVEL0000FUEL1"
    params = _walk(emulator, application, ["read_vin", "read_fuel", "read_battery"], make="TESLA",
                   email=f"{vin}@fuel.smartcar.com")
    token, vehicle = _token_and_vehicle(http, application, params)
    assert http.get(f"/v2.0/vehicles/{vehicle}/vin", headers=bearer(token)).json() == {"vin": vin}
    # A "fuel" level vehicle answers like a gasoline car: no battery.
    assert_v2_error(http.get(f"/v2.0/vehicles/{vehicle}/battery", headers=bearer(token)), 501, "COMPATIBILITY",
                    "VEHICLE_NOT_CAPABLE")


def test_n_vehicles_login_pages_through_vehicles(emulator, http):
    application = fresh_app(emulator)
    params = _walk(emulator, application, ["read_vin"], make="TESLA", email="12-vehicles@smartcar.com",
                   approval_prompt="force")
    token = exchange(http, application, params["code"]).json()["access_token"]
    first = http.get("/v2.0/vehicles", headers=bearer(token), params={"limit": 5}).json()
    assert first["paging"] == {"count": 12, "offset": 0} and len(first["vehicles"]) == 5
    last = http.get("/v2.0/vehicles", headers=bearer(token), params={"limit": 5, "offset": 10}).json()
    assert last["paging"] == {"count": 12, "offset": 10} and len(last["vehicles"]) == 2
    assert not set(first["vehicles"]) & set(last["vehicles"])
    default = http.get("/v2.0/vehicles", headers=bearer(token)).json()
    assert len(default["vehicles"]) == 10 and default["paging"] == {"count": 12, "offset": 0}
    assert len(http.get("/v2.0/vehicles", headers=bearer(token), params={"limit": 50}).json()["vehicles"]) == 12


def test_incompatible_email_redirects_with_vehicle_incompatible(emulator, application):
    params = _walk(emulator, application, make="AUDI", email="smartcar@vehicle-incompatible.com", state="i")
    assert params["error"] == "vehicle_incompatible" and params["state"] == "i"
    assert params["error_description"] == "The user\u2019s vehicle is not compatible."


def test_invalid_subscription_email_redirects_with_invalid_subscription(emulator, application):
    params = _walk(emulator, application, make="AUDI", email="smartcar@invalid-subscription.com")
    assert params["error"] == "invalid_subscription"
    assert params["error_description"] == "User does not have an active connected vehicle subscription."


def test_asleep_email_makes_data_endpoints_answer_409_but_static_ones_work(emulator, application, http):
    params = _walk(emulator, application, ["read_vin", "read_vehicle_info", "read_odometer", "read_location"],
                   make="TESLA", email="VEHICLE_STATE.ASLEEP@smartcar.com")
    token, vehicle = _token_and_vehicle(http, application, params)
    for path in ("odometer", "location"):
        body = assert_v2_error(http.get(f"/v2.0/vehicles/{vehicle}/{path}", headers=bearer(token)), 409,
                               "VEHICLE_STATE", "ASLEEP")
        assert body["suggestedUserMessage"].startswith("Your vehicle is in a sleep state")
    for path in ("vin", "", "permissions"):
        url = f"/v2.0/vehicles/{vehicle}" + (f"/{path}" if path else "")
        assert http.get(url, headers=bearer(token)).status_code == 200


# Order and configuration ----------------------------------------------------------------------------------
def test_skipping_a_step_by_url_is_a_configuration_error(emulator, application, http):
    start = http.get(auth_url(emulator, application, state="skip"))
    session_page = urljoin(emulator.url, parse_forms(start.text)[0].action)  # /connect/<id>/continue
    response = http.get(session_page.replace("/continue", "/grant"))
    params = _redirect(response)
    assert params["error"] == "configuration_error" and params["state"] == "skip"
    assert params["status_code"] == "400" and params["error_message"]


def test_going_back_to_an_earlier_page_is_allowed(emulator, application, http):
    start = http.get(auth_url(emulator, application, state="back"))
    brand_page = _follow(http, _post_form(http, start, "continue-button"))
    login_page = _follow(http, _post_form(http, brand_page, "TESLA"))
    assert _Elements(login_page.text).find("input", id="username")
    again = http.get(str(brand_page.url))  # the browser's back button
    assert again.status_code == 200 and _Elements(again.text).find("button", id="FORD", cls="brand-list-item")
    login_page = _follow(http, _post_form(http, again, "FORD"))
    assert "Ford" in login_page.text
    grant = _follow(http, _post_form(http, login_page, "sign-in-button", {"username": unique_email(), "password": "x"}))
    params = _redirect(_post_form(http, grant, "approval-button"))
    assert params["state"] == "back" and params["code"]


def test_posting_a_later_step_directly_is_a_configuration_error(emulator, application, http):
    start = http.get(auth_url(emulator, application))
    action = urljoin(emulator.url, parse_forms(start.text)[0].action).replace("/continue", "/login")
    params = _redirect(http.post(action, data={"username": "a@b.com", "password": "x"}))
    assert params["error"] == "configuration_error"


@pytest.mark.parametrize("flow, present, absent", [("code", {"code"}, {"user_id"}),
                                                   ("user", {"user_id"}, {"code"}),
                                                   ("both", {"code", "user_id"}, set())])
def test_connect_flow_decides_what_the_redirect_carries(emulator, flow, present, absent):
    params = _walk(emulator, fresh_app(emulator, connect_flow=flow), make="TESLA", state="f")
    assert present <= params.keys() and not absent & params.keys() and params["state"] == "f"
