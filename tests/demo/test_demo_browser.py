"""The tutorial app in headless Chromium: /login, click through Connect, see the vehicle table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "demo"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")]


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser.new_page()
        browser.close()


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
def test_browser_sees_the_vehicle_table(start_demo, page, flow):
    demo = start_demo(flow)
    page.goto(f"{demo.url}/login")
    click_through_connect(page, flow)
    page.wait_for_selector("#vehicles")
    page.screenshot(path=str(SCREENSHOTS / f"{flow}-vehicle.png"))
    assert page.url.startswith(f"{demo.url}/vehicle")
    assert page.inner_text("#vehicles .make") == "TESLA"
    assert page.inner_text("#vehicles .model").strip()
    assert page.inner_text("#vehicles .year").isdigit()


def test_browser_deny_shows_error_page(start_demo, page):
    demo = start_demo("code")
    page.goto(f"{demo.url}/login")
    click_through_connect(page, "deny", approve=False)
    page.wait_for_selector("#error-message")
    page.screenshot(path=str(SCREENSHOTS / "deny-error.png"))
    assert page.inner_text("#error-code") == "access_denied"
