"""Smartcar origins, read from the environment once at import time.

Both the 6.17 names (``API_URL``...) and the 6.19 names (``API_ORIGIN``...) exist and share one stored
value, so assigning or monkeypatching either name changes both. ``reload()`` re-reads the environment.
"""

from __future__ import annotations

import os
import sys
import types

# (6.19 name, 6.17 alias or None, environment variable, default)
_SETTINGS: tuple[tuple[str, str | None, str, str], ...] = (
    ("API_ORIGIN", "API_URL", "SMARTCAR_API_ORIGIN", "https://api.smartcar.com"),
    ("AUTH_ORIGIN", "AUTH_URL", "SMARTCAR_AUTH_ORIGIN", "https://auth.smartcar.com/oauth/token"),
    ("CONNECT_ORIGIN", "CONNECT_URL", "SMARTCAR_CONNECT_ORIGIN", "https://connect.smartcar.com"),
    ("MANAGEMENT_API_ORIGIN", "MANAGEMENT_API_URL", "SMARTCAR_MANAGEMENT_API_ORIGIN",
     "https://management.smartcar.com"),
    ("VEHICLE_API_ORIGIN", None, "SMARTCAR_VEHICLE_API_V3_ORIGIN", "https://vehicle.api.smartcar.com"),
    # API v3 application tokens (``smartcar.Client``); the variable name is our choice (no official SDK reads one).
    ("IAM_ORIGIN", None, "SMARTCAR_IAM_ORIGIN", "https://iam.smartcar.com"),
    # Management API v3 (webhooks, subscriptions) and the v3 compatible-vehicles list; variable names ours too.
    ("MANAGEMENT_API_V3_ORIGIN", None, "SMARTCAR_MANAGEMENT_API_V3_ORIGIN", "https://management.api.smartcar.com"),
    ("COMPATIBILITY_API_ORIGIN", None, "SMARTCAR_COMPATIBILITY_API_ORIGIN", "https://compatibility.api.smartcar.com"),
)

# Declared for type checkers; the values live in ``_values`` behind the properties below.
API_ORIGIN: str
AUTH_ORIGIN: str
CONNECT_ORIGIN: str
MANAGEMENT_API_ORIGIN: str
VEHICLE_API_ORIGIN: str
IAM_ORIGIN: str
MANAGEMENT_API_V3_ORIGIN: str
COMPATIBILITY_API_ORIGIN: str
API_URL: str
AUTH_URL: str
CONNECT_URL: str
MANAGEMENT_API_URL: str

_values: dict[str, str] = {}


def reload() -> None:
    """Re-read every origin from the environment (the official SDK only does this at import)."""
    for name, _alias, env, default in _SETTINGS:
        _values[name] = os.environ.get(env, default)


def _shared(name: str) -> property:
    def get(_module: types.ModuleType) -> str:
        return _values[name]

    def set_(_module: types.ModuleType, value: str) -> None:
        _values[name] = value

    return property(get, set_, doc=f"Shared value of {name}")


class _ConfigModule(types.ModuleType):
    """Module type whose old and new constant names are two views of one value."""


for _name, _alias, _env, _default in _SETTINGS:
    setattr(_ConfigModule, _name, _shared(_name))
    if _alias:
        setattr(_ConfigModule, _alias, _shared(_name))

reload()
sys.modules[__name__].__class__ = _ConfigModule
