"""Shared fixtures: a real emulator on a loopback port, an application registered in it, and a helper
that connects a test-mode vehicle through the Connect pages."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from smartcar_emulator.platform.apps import Application
from smartcar_emulator.scripted import connect
from smartcar_emulator.server import EmulatorServer

pytest_plugins = ["pytester"]  # tests/plugin run user test suites against our pytest plugin

REDIRECT_URI = "http://localhost:8000/exchange"
ALL_SCOPES = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
              "control_charge", "read_fuel", "read_engine_oil", "read_tires", "read_security", "control_security",
              "control_navigation", "read_service_history", "read_diagnostics", "read_compass",
              "read_speedometer"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One emulator (in-memory database) for the whole test session."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def application(emulator: EmulatorServer) -> Application:
    """A registered application: client id ``test-client``, redirect ``http://localhost:8000/exchange``."""
    return emulator.register_app(redirect_uris=[REDIRECT_URI], client_id="test-client",
                                 client_secret="test-secret", amt="test-amt", name="Test App")


Connector = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def connect_vehicle(emulator: EmulatorServer, application: Application) -> Connector:
    """``connect_vehicle(scopes=None, make="TESLA", email=..., mode="test")`` → tokens, user id, vehicle ids."""

    def run(scopes: list[str] | None = None, make: str | None = "TESLA", email: str = "driver@example.com",
            mode: str = "test", password: str = "password") -> dict[str, Any]:
        return connect(emulator.url, application.client_id, application.client_secret, REDIRECT_URI,
                       scopes or ALL_SCOPES, make=make, mode=mode, email=email, password=password)

    return run


# -- Headless Chromium (Debian's package; never a downloaded browser) -----------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
browser_test = [pytest.mark.browser,
                pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Debian chromium at {CHROMIUM}")]


@pytest.fixture()
def browser_page() -> Iterator[Any]:
    """A fresh page in headless Chromium (Playwright driving Debian's chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": 1200, "height": 1000})
        finally:
            browser.close()


def screenshot(page: Any, path: Any, **options: Any) -> None:
    """``page.screenshot`` that tries again when headless Chromium answers "Unable to capture screenshot" (it
    does, now and then, on a loaded machine: the compositor had no frame ready); a third failure is real."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            page.screenshot(path=str(path), **options)
            return
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            page.wait_for_timeout(250)


def wait_until_serving(process: subprocess.Popen[str], url: str, status: int = 200, timeout: float = 30) -> None:
    """Poll ``url`` until it answers ``status``; fail with the process's output if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx2.get(url).status_code == status:
                return
        except httpx2.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"{' '.join(map(str, process.args))} did not start:\n{output}")
        time.sleep(0.05)
