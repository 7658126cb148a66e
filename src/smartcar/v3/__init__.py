"""API v3: application token, Connections, users, vehicles, signals and commands (``smartcar.Client``)."""

from .client import (AsyncClient, AsyncConnections, AsyncUsers, AsyncVehicle, Client, Connections, Users,
                     Vehicle)
from .models import CommandExecution, Connection, Page, Signal, VehicleAttributes
from .signal_codes import SignalCode

__all__ = ["AsyncClient", "AsyncConnections", "AsyncUsers", "AsyncVehicle", "Client", "CommandExecution",
           "Connection", "Connections", "Page", "Signal", "SignalCode", "Users", "Vehicle", "VehicleAttributes"]
