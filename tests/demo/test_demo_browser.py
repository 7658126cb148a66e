"""The tutorial app in headless Chromium: /login, click through Connect, see the vehicle table."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS as SCREENSHOTS_ROOT
from tests.conftest import browser_test

SCREENSHOTS = SCREENSHOTS_ROOT / "demo"

pytestmark = browser_test


def click_through_connect(page, flow: str, approve: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.click("#continue-button")
    page.click("button.brand-list-item#TESLA")
    page.fill("#username", "driver@example.com")
    page.fill("#password", "any password")
    page.screenshot(path=str(SCREENSHOTS / f"{flow}-login.png"))
    page.click("#sign-in-button")
    page.screenshot(path=str(SCREENSHOTS / f"{flow}-grant.png"))
    page.click("#approval-button" if approve else "#deny-button")


@pytest.mark.parametrize("flow", ["code", "user"])
def test_browser_sees_the_vehicle_table(start_demo, browser_page, flow):
    page = browser_page
    demo = start_demo(flow)
    page.goto(f"{demo.url}/login")
    click_through_connect(page, flow)
    page.wait_for_selector("#vehicles")
    page.screenshot(path=str(SCREENSHOTS / f"{flow}-vehicle.png"))
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
    page.screenshot(path=str(SCREENSHOTS / "deny-error.png"))
    assert page.inner_text("#error-code") == "access_denied"
