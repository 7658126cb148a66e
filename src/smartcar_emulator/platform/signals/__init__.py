"""API v3 signals: the catalogue (data), where values come from, and the generic reader."""

from .catalog import BY_CODE, GROUPS, SIGNALS, SignalSpec, Support
from .reader import SignalReading, capable, read

__all__ = ["BY_CODE", "GROUPS", "SIGNALS", "SignalReading", "SignalSpec", "Support", "capable", "read"]
