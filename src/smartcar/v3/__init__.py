"""API v3: application token, Connections, users, vehicles, signals and commands (``smartcar.Client``)."""

from .client import (AsyncClient, AsyncConnections, AsyncUsers, AsyncVehicle, Client, Connections, Users,
                     Vehicle)
from .models import CommandExecution, Connection, Page, Signal, SignalError, TypedSignal, VehicleAttributes
from .signal_codes import SignalCode
from .signal_groups import group_signals
from .signal_models import VehicleSignals

__all__ = ["AsyncClient", "AsyncConnections", "AsyncUsers", "AsyncVehicle", "Client", "CommandExecution",
           "Connection", "Connections", "Page", "Signal", "SignalCode", "SignalError", "TypedSignal", "Users",
           "Vehicle", "VehicleAttributes", "VehicleSignals", "group_signals"]
