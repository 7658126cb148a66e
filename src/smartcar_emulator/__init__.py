"""An offline emulator of the Smartcar platform: Connect, OAuth, the vehicle APIs and management API.

``smartcar_emulator.running()`` starts one for a block of code (see :mod:`smartcar_emulator.testing`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy: importing the package (e.g. for its version) must not start importing the server stack.
    if name in ("running", "Emulator", "AppCredentials"):
        from . import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'smartcar_emulator' has no attribute {name!r}")
