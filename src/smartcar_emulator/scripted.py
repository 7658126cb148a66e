"""A scripted Connect session: authorize URL → Connect pages → token exchange → vehicle ids.

What ``smartcar-emulator connect`` prints, and what tests and benchmarks use to get a user token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx2

from .walker import ConnectError, walk


def authorize_url(base_url: str, client_id: str, redirect_uri: str, scopes: list[str], mode: str = "test",
                  state: str | None = None, make: str | None = None, **extra: str) -> str:
    """A Connect URL with the parameters in the order the Python SDK sends them."""
    params: dict[str, str] = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                              "approval_prompt": "force", "scope": " ".join(scopes), "mode": mode}
    if state is not None:
        params["state"] = state
    if make:
        params["make"] = make
    params.update(extra)
    return f"{base_url.rstrip('/')}/oauth/authorize?{urlencode(params)}"


def connect(base_url: str, client_id: str, client_secret: str, redirect_uri: str, scopes: list[str],
            make: str | None = "TESLA", mode: str = "test", email: str = "driver@example.com",
            password: str = "password", client: httpx2.Client | None = None) -> dict[str, Any]:
    """Walk Connect, exchange the code and list the vehicles.

    Returns ``access_token``, ``refresh_token``, ``expires_in``, ``token_type``, ``user_id``,
    ``vehicle_ids`` and ``code``. Raises :class:`ConnectError` when Connect redirects with an error.
    """
    own = client is None
    http = client or httpx2.Client(timeout=30)
    try:
        url = authorize_url(base_url, client_id, redirect_uri, scopes, mode=mode, state="scripted", make=make)
        result = walk(url, email=email, password=password, make=make, client=http)
        if "error" in result.params:
            detail = result.params.get("error_message")  # what went wrong, e.g. "Unknown permission(s): x."
            raise ConnectError(f"Connect answered {result.params['error']}: "
                               f"{detail or result.params.get('error_description')}")
        code = result.params.get("code")
        if not code:
            raise ConnectError("the application is configured for the user_id flow only: no code to exchange")
        token = http.post(f"{base_url.rstrip('/')}/oauth/token", auth=(client_id, client_secret),
                          data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
        if token.status_code != 200:
            raise ConnectError(f"token exchange failed ({token.status_code}): {token.text}")
        tokens = token.json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        user = http.get(f"{base_url.rstrip('/')}/v2.0/user", headers=headers).json()
        vehicle_ids: list[str] = []
        offset = 0
        while True:
            page = http.get(f"{base_url.rstrip('/')}/v2.0/vehicles", headers=headers,
                            params={"limit": 50, "offset": offset}).json()
            vehicle_ids += page["vehicles"]
            offset += 50
            if offset >= page["paging"]["count"]:
                break
        return {**tokens, "user_id": user["id"], "vehicle_ids": vehicle_ids, "code": code}
    finally:
        if own:
            http.close()
