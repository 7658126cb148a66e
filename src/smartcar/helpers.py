"""Official helper functions, including ``requester``: the single, patchable HTTP entry point."""

from __future__ import annotations

import os
from typing import Any

from . import _async_transport, _core, _transport
from .exception import MissingCredentialsError

format_flag_query = _core.format_flag_query


def requester(method: str, url: str, **kwargs: Any) -> _transport.Response:
    """Send one HTTP request over the pooled client; error statuses raise ``SmartcarException``.

    Keyword arguments follow ``requests``: ``headers``, ``params``, ``json``, ``data``, ``auth``, ``timeout``.
    Any other failure (network, timeout, invalid URL...) raises ``SmartcarException(message="SDK_ERROR")``
    chained to its cause. The caller's ``headers`` dict is not modified. Retries (when configured) happen
    around this function, so a patched ``requester`` sees every attempt.
    """
    return _core.perform(_transport.get_transport(), method, url, **kwargs)


async def async_requester(method: str, url: str, **kwargs: Any) -> _transport.Response:
    """``requester`` for the async objects (``smartcar.aio``, ``AsyncVehicle``, ``AsyncAuthClient``): same
    arguments, result and errors, over the pooled ``httpx2.AsyncClient``. Patch it as you would ``requester``."""
    return await _core.aperform(_async_transport.get_transport(), method, url, **kwargs)


def validate_env(mode: str = "live") -> None:
    """Raise ``MissingCredentialsError`` unless ``<prefix>_CLIENT_ID``/``_CLIENT_SECRET`` are set
    (prefix ``SMARTCAR`` for live mode, ``E2E_SMARTCAR`` otherwise)."""
    prefix = "SMARTCAR" if mode == "live" else "E2E_SMARTCAR"
    if f"{prefix}_CLIENT_ID" not in os.environ or f"{prefix}_CLIENT_SECRET" not in os.environ:
        raise MissingCredentialsError(
            f'"{prefix}_CLIENT_ID" and "{prefix}_CLIENT_SECRET" environment variables must be set')


_BATCH_ATTRIBUTES = {
    "charge/limit": "get_charge_limit",
    "tires/pressure": "tire_pressure",
    "": "attributes",
    "security": "lock_status",
    "diagnostics/system_status": "diagnostic_system_status",
    "diagnostics/dtcs": "diagnostic_trouble_codes",
}


def format_path_and_attribute_for_batch(raw_path: str) -> tuple[str, str]:
    """``"/tires/pressure"`` → ``("tires/pressure", "tire_pressure")``; ``""`` is treated as ``"/"``."""
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    attribute = _BATCH_ATTRIBUTES.get(path, path).replace("/", "_")
    return path, attribute
