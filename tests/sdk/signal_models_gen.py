"""Generate ``src/smartcar/v3/signal_models.py`` from the emulator's signal catalogue (the one source of truth).

``python -m tests.sdk.signal_models_gen`` rewrites the module; ``test_signal_models`` fails when it is stale.
The SDK never imports the emulator: the catalogue is read here, at generation time only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from smartcar_emulator.platform.signals import GROUPS, SIGNALS, SignalSpec

TARGET = Path(__file__).resolve().parents[2] / "src" / "smartcar" / "v3" / "signal_models.py"

# Bodies whose shape has a class of its own (by code); the rest follow from the schema's fields.
SPECIAL = {"charge-chargelimits": "ChargeLimits", "location-preciselocation": "Location",
           "tractionbattery-nominalcapacity": "NominalCapacity", "tractionbattery-range": "BatteryRange",
           "transmission-drivemode": "DriveMode"}


def snake(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def body_class(spec: SignalSpec) -> str:
    if spec.code in SPECIAL:
        return SPECIAL[spec.code]
    properties: dict[str, Any] = spec.schema.get("properties", {})
    fields = set(properties)
    if fields == {"unit", "value"}:
        return "UnitValue"
    if fields == {"value"}:
        return "BoolValue" if properties["value"].get("type") == "boolean" else "TextValue"
    if fields == {"values", "rowCount", "columnCount"}:
        return "Grid"
    if fields == {"values"}:
        return "TextList" if properties["values"]["items"].get("type") == "string" else "Records"
    if fields <= {"isOpen", "isLocked"}:
        return "Closure"
    if fields == {"status", "description"}:
        return "SystemStatus"
    raise ValueError(f"no body class for {spec.code}: {sorted(fields)}")


def group_class(group: str) -> str:
    return f"{group}Signals"


def render() -> str:
    lines = [
        '"""Typed API v3 signals by group. GENERATED from the signal catalogue by tests/sdk/signal_models_gen.py;',
        'do not edit (``python -m tests.sdk.signal_models_gen``)."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "",
        "from .bodies import (BatteryRange, Body, BoolValue, ChargeLimits, Closure, DriveMode, Grid, Location,",
        "                     NominalCapacity, Records, SystemStatus, TextList, TextValue, UnitValue)",
        "from .models import TypedSignal",
        "",
    ]
    for group in GROUPS:
        specs = [s for s in SIGNALS if s.group == group]
        lines += ["", "@dataclass(frozen=True)", f"class {group_class(group)}:",
                  f'    """The {group} group ({len(specs)} signals); a field is None when the read did not list it."""',
                  ""]
        lines += [f"    {snake(s.name)}: TypedSignal[{body_class(s)}] | None = None" for s in specs]
        lines.append("")
    lines += ["", "@dataclass(frozen=True)", "class VehicleSignals:",
              '    """One read of a vehicle\'s signals, by group: ``signals.charge.is_charging.body.value``."""', ""]
    lines += [f"    {snake(g)}: {group_class(g)} = field(default_factory={group_class(g)})" for g in GROUPS]
    lines += ["", "", "# code -> (group attribute, field, body class)",
              "SIGNAL_FIELDS: dict[str, tuple[str, str, type[Body]]] = {"]
    lines += [f'    "{s.code}": ("{snake(s.group)}", "{snake(s.name)}", {body_class(s)}),' for s in SIGNALS]
    lines += ["}", "",
              "# group attribute -> group class",
              "GROUP_CLASSES: dict[str, type] = {"]
    lines += [f'    "{snake(g)}": {group_class(g)},' for g in GROUPS]
    lines += ["}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET}")
