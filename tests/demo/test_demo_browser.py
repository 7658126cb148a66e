"""The tutorial app in headless Chromium: /login, click through Connect, see the vehicle table."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS as SCREENSHOTS_ROOT
from tests.conftest import browser_test, screenshot

SCREENSHOTS = SCREENSHOTS_ROOT / "demo"

pytestmark = browser_test


def click_through_connect(page, flow: str, approve: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.click("#continue-button")
    page.click("button.brand-list-item#TESLA")
    page.fill("#username", "driver@example.com")
    page.fill("#password", "any password")
    screenshot(page, str(SCREENSHOTS / f"{flow}-login.png"))
    page.click("#sign-in-button")
    screenshot(page, str(SCREENSHOTS / f"{flow}-grant.png"))
    page.click("#approval-button" if approve else "#deny-button")


@pytest.mark.parametrize("flow", ["code", "user"])
def test_browser_sees_the_vehicle_table(start_demo, browser_page, flow):
    page = browser_page
    demo = start_demo(flow)
    page.goto(f"{demo.url}/login")
    click_through_connect(page, flow)
    page.wait_for_selector("#vehicles")
    screenshot(page, str(SCREENSHOTS / f"{flow}-vehicle.png"))
    assert page.url.startswith(f"{demo.url}/vehicle")
    assert page.inner_text("#vehicles .make") == "TESLA"
    assert page.inner_text("#vehicles .model").strip()
    assert page.inner_text("#vehicles .year").isdigit()


def test_browser_deny_shows_error_page(start_demo, browser_page):
    page = browser_page
    demo = start_demo("code")
    page.goto(f"{demo.url}/login")
    click_through_connect(page, "deny", approve=False)
    page.wait_for_selector("#error-message")
    screenshot(page, str(SCREENSHOTS / "deny-error.png"))
    assert page.inner_text("#error-code") == "access_denied"


@pytest.mark.parametrize("flow", ["code", "user"])
def test_browser_sees_a_charging_event_arrive(start_demo, browser_page, flow):
    """The demo registered a webhook at start and subscribed the vehicle; a charge started in the simulator
    shows up on the vehicle page without a reload."""
    import httpx2

    page = browser_page
    demo = start_demo(flow)
    page.goto(f"{demo.url}/login")
    click_through_connect(page, f"events-{flow}")
    page.wait_for_selector("#vehicles tr[data-vehicle-id]")
    vehicle_id = page.get_attribute("#vehicles tr[data-vehicle-id]", "data-vehicle-id")
    control = httpx2.Client(base_url=f"http://127.0.0.1:{demo.emulator_port}/_emulator", timeout=30)
    control.patch(f"/vehicles/{vehicle_id}/state", json={"battery_soc": 0.5, "charging": False}).raise_for_status()
    control.post(f"/vehicles/{vehicle_id}/plug").raise_for_status()
    control.post(f"/vehicles/{vehicle_id}/charge", json={"action": "START"}).raise_for_status()
    page.wait_for_selector("#events li.event:has-text('charge-ischarging = True')", timeout=20_000)
    screenshot(page, str(SCREENSHOTS / f"{flow}-events.png"))
    assert page.url.startswith(f"{demo.url}/vehicle")  # no reload, no navigation
    control.close()
