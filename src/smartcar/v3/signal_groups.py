"""A list of signals sorted into the typed group models of :mod:`smartcar.v3.signal_models`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Signal, TypedSignal
from .signal_models import GROUP_CLASSES, SIGNAL_FIELDS, VehicleSignals


def group_signals(signals: Iterable[Signal]) -> VehicleSignals:
    """Typed groups from a signal list. Failed signals are kept (``ok`` False, ``error`` set); codes the SDK
    does not know are skipped here (they stay in the list)."""
    fields: dict[str, dict[str, TypedSignal[Any]]] = {}
    for signal in signals:
        entry = SIGNAL_FIELDS.get(signal.code)
        if entry is not None:
            group, name, body_type = entry
            fields.setdefault(group, {})[name] = TypedSignal.of(signal, body_type)
    return VehicleSignals(**{group: GROUP_CLASSES[group](**found) for group, found in fields.items()})
