"""Issue 13, item 7: the demo (a real ``smartcar-demo`` process) survives time and host names, and reads well on
a phone: after the emulator's clock passes token expiry it renews once and answers; a login started on
127.0.0.1 moves to the registered host (the cookie's); the vehicle page has no horizontal overflow at 390 px."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from smartcar_emulator.walker import walk
from tests.conftest import CHROMIUM, SCREENSHOTS, screenshot
from tests.demo.conftest import Demo


@pytest.fixture
def demos(tmp_path: Path) -> Iterator[list[Demo]]:
    started: list[Demo] = []
    yield started
    for demo in started:
        if demo.process.poll() is None:
            demo.stop()


def start(demos: list[Demo], flow: str, tmp_path: Path) -> Demo:
    demo = Demo(flow, str(tmp_path / flow))
    demos.append(demo)
    return demo


def log_in(demo: Demo, browser: httpx2.Client) -> None:
    """/login → Connect (walked like a browser) → /exchange, with the demo's cookie kept by ``browser``."""
    login = browser.get(f"{demo.url}/login")
    assert login.status_code == 302
    back = walk(login.headers["location"], client=browser)
    assert browser.get(back.location).status_code == 302  # /exchange → /vehicle


def issued(demo: Demo, kind: str) -> int:
    tokens = httpx2.get(f"http://127.0.0.1:{demo.emulator_port}/_emulator/tokens").json()["tokens"]
    return sum(1 for token in tokens if token["kind"] == kind)


@pytest.mark.parametrize(("flow", "kind"), [("code", "refresh"), ("user", "application")])
def test_after_the_clock_passes_expiry_the_demo_renews_once_and_answers(demos: list[Demo], tmp_path: Path,
                                                                      flow: str, kind: str) -> None:
    demo = start(demos, flow, tmp_path)
    with httpx2.Client(timeout=30) as browser:
        log_in(demo, browser)
        first = browser.get(f"{demo.url}/vehicle?format=json")
        assert first.status_code == 200, first.text
        before = issued(demo, kind)
        moved = httpx2.post(f"http://127.0.0.1:{demo.emulator_port}/_emulator/clock/advance",
                            json={"seconds": 3 * 3600})  # access tokens (2 h) and app tokens (1 h) expire
        assert moved.status_code == 200
        later = browser.get(f"{demo.url}/vehicle?format=json")
        assert later.status_code == 200, later.text
        assert later.json()["make"] == first.json()["make"]
        assert issued(demo, kind) == before + 1  # renewed once
        again = browser.get(f"{demo.url}/vehicle?format=json")
        assert again.status_code == 200 and issued(demo, kind) == before + 1  # and kept


def test_a_login_on_127_0_0_1_moves_to_the_registered_host(demos: list[Demo], tmp_path: Path) -> None:
    demo = start(demos, "code", tmp_path)
    moved = httpx2.get(f"http://127.0.0.1:{demo.port}/login")
    assert moved.status_code == 302 and moved.headers["location"] == f"http://localhost:{demo.port}/login"
    with httpx2.Client(timeout=30) as browser:  # a browser follows it and the whole login works
        log_in(demo, browser)
        assert browser.get(f"{demo.url}/vehicle?format=json").status_code == 200
    stale = httpx2.get(f"{demo.url}/exchange?code=x&state=y")  # no cookie: the page says why
    assert stale.status_code == 400
    assert f"Open the app at http://localhost:{demo.port}" in stale.text and "127.0.0.1" in stale.text


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Debian chromium at {CHROMIUM}")
@pytest.mark.parametrize("width", [390, 1280])
def test_demo_pages_fit_the_screen(demos: list[Demo], tmp_path: Path, browser_page: Any, width: int) -> None:
    demo = start(demos, "code", tmp_path)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"http://127.0.0.1:{demo.port}/login")  # the other host name: moved to localhost first
    page.click("#continue-button")
    page.click("button.brand-list-item#TESLA")
    page.fill("#username", "3-vehicles@smartcar.com")
    page.fill("#password", "any password")
    page.click("#sign-in-button")
    page.click("#approval-button")
    page.wait_for_selector("#vehicles tbody tr[data-vehicle-id]")
    assert page.url.startswith(f"http://localhost:{demo.port}/vehicle")
    assert page.locator("#vehicles tbody tr[data-vehicle-id]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.getElementById('vehicles').getBoundingClientRect().right") <= width
    folder = SCREENSHOTS / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    screenshot(page, folder / f"vehicle-{width}.png", full_page=True)
    page.goto(f"{demo.url}/exchange?code=x&state=y")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, folder / f"login-expired-{width}.png", full_page=True)
