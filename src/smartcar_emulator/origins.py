"""The ``SMARTCAR_*`` origin variables that point the SDKs at an emulator (pure; used by ``env``, the servers
and the landing page)."""

from __future__ import annotations


def origin_env(url: str) -> dict[str, str]:
    """``SMARTCAR_*`` origin variables for an emulator at ``url`` (every host is the same server)."""
    url = url.rstrip("/")
    return {
        "SMARTCAR_API_ORIGIN": url,
        "SMARTCAR_AUTH_ORIGIN": f"{url}/oauth/token",
        "SMARTCAR_CONNECT_ORIGIN": url,
        "SMARTCAR_MANAGEMENT_API_ORIGIN": url,
        "SMARTCAR_VEHICLE_API_V3_ORIGIN": url,
        "SMARTCAR_API_V3_ORIGIN": url,
        "SMARTCAR_IAM_ORIGIN": url,
        "SMARTCAR_MANAGEMENT_API_V3_ORIGIN": url,
        "SMARTCAR_COMPATIBILITY_API_ORIGIN": url,
    }
