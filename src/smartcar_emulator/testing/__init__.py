"""The emulator as a test dependency: a pytest plugin (fixtures ``smartcar_emulator``, ``smartcar_env``,
``smartcar_connect``, ``smartcar_vehicle``, ``smartcar_in_process``), :func:`running` for unittest and scripts,
and in-process httpx2 transports. See docs/testing.md."""

from .emulator import (
    DEFAULT_SCOPES,
    AppCredentials,
    ClockControl,
    Connected,
    ControlError,
    Emulator,
    FaultControl,
    RateLimitControl,
    UserControl,
    VehicleControl,
    running,
    start,
)
from .in_process import AsyncInProcessTransport, InProcessTransport, in_process_async_client, in_process_client

__all__ = ["DEFAULT_SCOPES", "AppCredentials", "ClockControl", "Connected", "ControlError", "Emulator",
           "AsyncInProcessTransport", "FaultControl", "InProcessTransport", "RateLimitControl", "UserControl", "VehicleControl", "in_process_async_client",
           "in_process_client", "running", "start"]
