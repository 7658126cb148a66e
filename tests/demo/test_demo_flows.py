"""The tutorial app end to end over HTTP: /login → Connect (walked like a browser) → /exchange → /vehicle."""

from __future__ import annotations

from contextlib import nullcontext

import httpx2
import pytest

from smartcar_emulator.walker import walk


def login_and_connect(demo, email: str = "driver@example.com", deny: bool = False,
                      browser: httpx2.Client | None = None) -> httpx2.Response:
    """Follow /login to Connect, walk it, then hand the redirect back to the app (with its session cookie)."""
    with nullcontext(browser) if browser else httpx2.Client(base_url=demo.url) as browser:
        login = browser.get("/login")
        assert login.status_code == 302
        # Connect is the embedded emulator's, never connect.smartcar.com (the origins reach the SDK).
        assert login.headers["location"].startswith(f"http://127.0.0.1:{demo.emulator_port}/oauth/authorize?")
        result = walk(login.headers["location"], email=email, make="TESLA", deny=deny)
        assert result.location.startswith(f"{demo.url}/exchange?")
        exchange = browser.get(result.location.replace(demo.url, ""))
        if exchange.status_code != 302:
            return exchange
        assert exchange.headers["location"] == "/vehicle"
        return browser.get("/vehicle", params={"format": "json"})


@pytest.mark.parametrize("flow", ["code", "user"])
def test_vehicle_page_shows_make_model_year(start_demo, flow):
    demo = start_demo(flow)
    response = login_and_connect(demo)
    assert response.status_code == 200
    body = response.json()
    assert body["make"] == "TESLA" and body["model"] and isinstance(body["year"], int)
    vehicle = body["vehicles"][0]
    assert vehicle["odometer_km"] > 0 and 0 <= vehicle["battery_percent"] <= 100
    assert "fuel_percent" not in vehicle  # a Tesla has no fuel tank
    assert demo.stop() == 0  # Ctrl-C / SIGTERM stops both servers cleanly


def test_denied_connect_shows_a_helpful_error(start_demo):
    demo = start_demo("code")
    response = login_and_connect(demo, deny=True)
    assert response.status_code == 400
    assert "chose not to share" in response.text and "access_denied" in response.text


def test_exchange_without_the_login_state_is_refused(start_demo):
    demo = start_demo("code")
    response = httpx2.get(f"http://127.0.0.1:{demo.port}/exchange", params={"code": "x", "state": "forged"})
    assert response.status_code == 400 and "Login expired" in response.text
