"""Connect in a real browser: headless Chromium clicks through the emulator's pages to the redirect back."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx2

from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.server import EmulatorServer
from tests.conftest import REDIRECT_URI, SCREENSHOTS, browser_test, screenshot

pytestmark = browser_test


def test_connect_in_headless_chromium(browser_page):
    from playwright.sync_api import Route

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with EmulatorServer() as emulator:
        app = emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="browser-client",
                                    client_secret="browser-secret")
        url = authorize_url(emulator.url, app.client_id, REDIRECT_URI, ["read_odometer", "read_vin"],
                            mode="test", state="browser-state")
        redirects: list[str] = []

        def app_callback(route: Route) -> None:  # the application's server, played by the test
            redirects.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<p id='done'>connected</p>")

        page = browser_page
        page.route("http://localhost:8000/**", app_callback)
        page.goto(url)
        screenshot(page, str(SCREENSHOTS / "1-preamble.png"))
        page.click("#continue-button")
        page.wait_for_selector("button#TESLA.brand-list-item")
        screenshot(page, str(SCREENSHOTS / "2-brand.png"))
        page.click("button#TESLA.brand-list-item")
        page.wait_for_selector("#username")
        page.fill("#username", "browser@example.com")
        page.fill("#password", "any password")
        screenshot(page, str(SCREENSHOTS / "3-login.png"))
        page.click("#sign-in-button")
        page.wait_for_selector(".page-content #approval-button")
        screenshot(page, str(SCREENSHOTS / "4-grant.png"))
        page.click("#approval-button")
        page.wait_for_selector("#done")
        screenshot(page, str(SCREENSHOTS / "5-redirect.png"))

        assert len(redirects) == 1 and redirects[0].startswith(REDIRECT_URI + "?")
        params = dict(parse_qsl(urlsplit(redirects[0]).query))
        assert params["state"] == "browser-state"
        token = httpx2.post(f"{emulator.url}/oauth/token", auth=(app.client_id, app.client_secret),
                           data={"grant_type": "authorization_code", "code": params["code"],
                                 "redirect_uri": REDIRECT_URI})
        assert token.status_code == 200
        vehicles = httpx2.get(f"{emulator.url}/v2.0/vehicles",
                         headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert vehicles.status_code == 200 and vehicles.json()["paging"]["count"] == 1
    assert {p.name for p in SCREENSHOTS.glob("*.png")} >= {"1-preamble.png", "4-grant.png", "5-redirect.png"}
