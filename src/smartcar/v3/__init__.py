"""API v3: application token, Connections, users, vehicles, signals, commands, charge schedules, Management API v3
(webhooks, subscriptions) and compatible vehicles (``smartcar.Client``)."""

from ._management import AsyncSubscriptions, AsyncWebhooks, Subscriptions, Webhooks
from .client import (AsyncClient, AsyncConnections, AsyncUsers, AsyncVehicle, Client, Connections, Users,
                     Vehicle)
from .models import CommandExecution, Connection, Page, Signal, SignalError, TypedSignal, VehicleAttributes
from .resources import (Capability, ChargeSchedule, ChargeScheduleExecution, CompatibleVehicle, SignalRef,
                        Subscription, Webhook)
from .signal_codes import SignalCode
from .signal_groups import group_signals
from .signal_models import VehicleSignals

__all__ = ["AsyncClient", "AsyncConnections", "AsyncSubscriptions", "AsyncUsers", "AsyncVehicle", "AsyncWebhooks",
           "Capability", "ChargeSchedule", "ChargeScheduleExecution", "Client", "CommandExecution",
           "CompatibleVehicle", "Connection", "Connections", "Page", "Signal", "SignalCode", "SignalError",
           "SignalRef", "Subscription", "Subscriptions", "TypedSignal", "Users", "Vehicle", "VehicleAttributes",
           "VehicleSignals", "Webhook", "Webhooks", "group_signals"]
