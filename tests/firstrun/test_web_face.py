"""Issue 13, item 6: the emulator's landing page and its offline API docs, over loopback HTTP and in headless
Chromium at phone (390 px) and desktop (1280 px) widths."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from smartcar_emulator.server import EmulatorServer
from tests.conftest import CHROMIUM, SCREENSHOTS, screenshot

WIDTHS = [390, 1280]


@pytest.fixture(scope="module")
def face() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=["http://localhost:8000/exchange"], client_id="landing-app",
                              client_secret="landing-secret", name="Landing test app")
        yield emulator


def test_landing_page_says_what_runs_and_how_to_point_an_sdk_here(face: EmulatorServer) -> None:
    page = httpx2.get(f"{face.url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for fragment in ('href="/_emulator/panel"', 'href="/docs"', 'href="/openapi.json"', "landing-app",
                     "Landing test app", "http://localhost:8000/exchange",
                     f"export SMARTCAR_API_ORIGIN={face.url}", f"export SMARTCAR_AUTH_ORIGIN={face.url}/oauth/token",
                     f"smartcar-emulator env --port {face.port}", "vehicle.api.smartcar.com"):
        assert fragment in text, fragment
    assert "landing-secret" not in text  # secrets stay in the CLI and the (loopback-only) panel


def test_docs_are_served_offline(face: EmulatorServer) -> None:
    html = httpx2.get(f"{face.url}/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert urls and all(url.startswith("/") for url in urls), urls  # nothing from a CDN
    for url in urls:
        assert httpx2.get(f"{face.url}{url}").status_code == 200, url
    assert httpx2.get(f"{face.url}/docs/assets/index.html").status_code == 404  # only the files it needs


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Debian chromium at {CHROMIUM}")
@pytest.mark.parametrize("width", WIDTHS)
def test_landing_and_docs_in_chromium(face: EmulatorServer, browser_page: Any, width: int) -> None:
    requests: list[str] = []
    browser_page.on("request", lambda request: requests.append(request.url))
    browser_page.set_viewport_size({"width": width, "height": 900})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    browser_page.goto(f"{face.url}/")
    assert browser_page.locator("h1").inner_text() == "Smartcar platform emulator"
    assert "landing-app" in browser_page.locator("#apps").inner_text()
    _no_horizontal_overflow(browser_page)
    screenshot(browser_page, str(SCREENSHOTS / f"emulator-landing-{width}.png"), full_page=True)

    browser_page.goto(f"{face.url}/docs")
    browser_page.wait_for_selector(".swagger-ui .info .title", timeout=30000)
    assert "Smartcar platform emulator" in browser_page.locator(".swagger-ui .info .title").inner_text()
    browser_page.wait_for_selector(".opblock", timeout=30000)  # operations rendered from /openapi.json
    _no_horizontal_overflow(browser_page)
    screenshot(browser_page, str(SCREENSHOTS / f"emulator-docs-{width}.png"))
    assert requests and all(url.startswith(face.url) for url in requests), requests  # offline: no CDN


def test_openapi_describes_bodies_parameters_and_auth_while_errors_keep_smartcars_format(face: EmulatorServer) -> None:
    spec = httpx2.get(f"{face.url}/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["userToken"]["scheme"] == "bearer" and schemes["managementToken"]["scheme"] == "basic"
    paths = spec["paths"]
    lock = paths["/v2.0/vehicles/{vehicle_id}/security"]["post"]
    assert lock["security"] == [{"userToken": []}]
    assert lock["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SecurityAction"}
    assert lock["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Action"}
    assert spec["components"]["schemas"]["SecurityAction"]["properties"]["action"]["enum"] == ["LOCK", "UNLOCK"]
    token = paths["/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert {p["name"] for p in paths["/v2.0/vehicles"]["get"]["parameters"]} >= {"limit", "offset"}
    assert paths["/_emulator/faults"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/NewFault")
    assert "HTTPValidationError" not in httpx2.get(f"{face.url}/openapi.json").text  # FastAPI's 422 is never sent
    assert paths["/v1.0/vehicles/{vehicle_id}/odometer"]["get"]["responses"]["4XX"]  # the API's own error bodies
    signal = paths["/v3/vehicles/{vehicle_id}/signals/{signal_code}"]["get"]
    assert {"in": "header", "name": "sc-user-id"}.items() <= next(
        p for p in signal["parameters"] if p["name"] == "sc-user-id").items()
    assert signal["security"] == [{"applicationToken": []}, {"userToken": []}]
    # At run time a bad body is still Smartcar's VALIDATION error, not FastAPI's.
    refused = httpx2.post(f"{face.url}/_emulator/faults", json={"kind": "nonsense"})
    assert refused.status_code == 400 and refused.json()["type"] == "VALIDATION"
    assert "requestId" in refused.json() and "loc" not in refused.text
