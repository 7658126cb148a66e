"""The app under test, and a browser-like login through Smartcar Connect (the emulator's pages)."""

from collections.abc import Callable
from urllib.parse import urlsplit, parse_qsl

import pytest
from flask.testing import FlaskClient

from odometer_app import create_app


@pytest.fixture
def client(smartcar_env) -> FlaskClient:
    # smartcar_env: a fresh emulator state, SMARTCAR_* variables pointing at it, the app registered there.
    return create_app(mode="test").test_client()  # Smartcar's test mode: any login works


@pytest.fixture
def login(client: FlaskClient, smartcar_env) -> Callable[..., dict]:
    """Follow /login through Connect like a browser and hand the redirect to /callback."""

    def run(make: str = "TESLA", deny: bool = False):
        connect_url = client.get("/login").headers["Location"]
        back = smartcar_env.walk(connect_url, make=make, deny=deny)
        callback = client.get("/callback", query_string=back)
        return {"params": back, "response": callback}

    return run
