"""The control panel in headless Chromium: create a BEV, start a trip, watch it move, lock refused while
driving, inject a rate limit; the API reports each click. Screenshots in artifacts/screenshots/panel/."""

from __future__ import annotations

import httpx2
import pytest

from smartcar_emulator.platform.core import Platform
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer
from smartcar_emulator.store import Database
from tests.conftest import REDIRECT_URI, browser_test, screenshot
from tests.conftest import SCREENSHOTS as SCREENSHOTS_ROOT

SCREENSHOTS = SCREENSHOTS_ROOT / "panel"

pytestmark = browser_test


@pytest.fixture()
def server():
    with EmulatorServer(platform=Platform(Database(":memory:"), seed=3)) as emulator:
        emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="panel-client", client_secret="panel-secret")
        yield emulator


@pytest.fixture()
def page(browser_page):
    return browser_page


def test_panel_drives_a_bev_and_the_api_agrees(server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server.url}/_emulator/panel")
    page.select_option("#create-make", "TESLA")
    page.select_option("#create-model", "Model 3")
    page.fill("#create-email", "panel@example.com")
    page.click("#create-vehicle")
    page.wait_for_selector("#vehicle-id")
    vehicle_id = page.inner_text("#vehicle-id")
    assert page.get_attribute('meta[http-equiv="refresh"]', "content") == "2"  # live view refreshes itself

    session = connect(server.url, "panel-client", "panel-secret", REDIRECT_URI,
                      ["read_battery", "read_odometer", "control_security", "read_location"], make="TESLA",
                      mode="simulated", email="panel@example.com")
    assert session["vehicle_ids"] == [vehicle_id]
    auth = {"Authorization": f"Bearer {session['access_token']}"}
    with httpx2.Client(base_url=server.url, headers=auth) as api:
        battery0 = api.get(f"/v2.0/vehicles/{vehicle_id}/battery").json()["percentRemaining"]

        page.goto(f"{server.url}/_emulator/panel/vehicles/{vehicle_id}?refresh=0")  # no reloads mid-click
        page.fill("#trip-km", "30")
        page.click("#start-trip")
        page.wait_for_selector("#status.moving")
        page.click("#advance-600")
        page.wait_for_selector("#message")
        assert "advance" in page.inner_text("#message")
        assert page.get_attribute("#track", "points").count(",") >= 2
        screenshot(page, str(SCREENSHOTS / "driving.png"), full_page=True)

        battery1 = api.get(f"/v2.0/vehicles/{vehicle_id}/battery").json()["percentRemaining"]
        assert battery1 < battery0
        signal = api.get(f"/v3/vehicles/{vehicle_id}/signals/tractionbattery-stateofcharge").json()
        assert signal["attributes"]["body"]["value"] == pytest.approx(battery1 * 100, abs=0.1)
        assert "%.1f" % (battery1 * 100) in page.inner_text("#soc")

        page.click("#lock")
        page.wait_for_selector("#message")
        assert "IN_MOTION" in page.inner_text("#message")
        assert api.post(f"/v2.0/vehicles/{vehicle_id}/security", json={"action": "LOCK"}).json()["code"] == "IN_MOTION"

        page.select_option("#fault-kind", "rate_limit")
        page.fill("#fault-retry-after", "17")
        page.click("#add-fault")
        page.wait_for_selector("#faults .fault")
        limited = api.get(f"/v2.0/vehicles/{vehicle_id}/odometer")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "17"
        screenshot(page, str(SCREENSHOTS / "rate-limited.png"), full_page=True)

        page.click("#clear-faults")
        page.click("#stop-trip")
        page.wait_for_selector("#status:not(.moving)")
        assert api.post(f"/v2.0/vehicles/{vehicle_id}/security", json={"action": "UNLOCK"}).status_code == 200
        page.reload()
        assert page.inner_text("#locked") == "UNLOCKED"

    page.goto(f"{server.url}/_emulator/panel")
    assert page.locator(f'tr[data-vehicle-id="{vehicle_id}"]').count() == 1
    screenshot(page, str(SCREENSHOTS / "vehicles.png"), full_page=True)
