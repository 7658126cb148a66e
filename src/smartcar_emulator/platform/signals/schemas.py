"""JSON Schema builders for signal bodies (the catalogue's ``schema`` column).

Every body schema is closed (``additionalProperties: false``) and lists the fields the emulator always sends
as ``required``, so a test can check that a body has exactly the documented fields.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

NUMBER: Schema = {"type": "number"}
INTEGER: Schema = {"type": "integer"}
STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
PERCENT: Schema = {"type": "number", "minimum": 0, "maximum": 100}
ISO_TIME: Schema = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"}
CLOCK_TIME: Schema = {"type": "string", "pattern": r"^\d\d:\d\d:\d\d$"}
DAYS: Schema = {"type": "array", "items": {"enum": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                                     "SATURDAY", "SUNDAY"]}}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """A closed object; every property required except ``optional`` ones."""
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional], "additionalProperties": False}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def unit_value(unit: str, value: Schema = NUMBER) -> Schema:
    """``{unit, value}``, the unit fixed."""
    return obj({"unit": {"const": unit}, "value": value})


def single(value: Schema) -> Schema:
    """``{value}``."""
    return obj({"value": value})


def enum(*values: str) -> Schema:
    return single({"enum": list(values)})


def grid(item: dict[str, Schema]) -> Schema:
    """Per-position values (row 0 = front, column 0 = left) with the grid's size."""
    return obj({"values": array(obj({"row": INTEGER, "column": INTEGER, **item})), "rowCount": INTEGER,
                "columnCount": INTEGER})


SYSTEM: Schema = obj({"status": {"enum": ["OK", "ALERT"]}, "description": STRING}, optional=("description",))
CONDITION: Schema = nullable(obj({"name": nullable(STRING), "address": nullable(STRING), "latitude": NUMBER,
                                  "longitude": NUMBER, "connectorType": STRING},
                                 optional=("name", "address", "connectorType")))
