"""A small JSON Schema checker for the subset the signal catalogue uses (no third-party dependency).

Keywords: type, properties, required, additionalProperties (false), items, enum, const, minimum, maximum,
pattern, anyOf. Returns the list of problems (empty when the instance conforms).
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, Any] = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is(value: Any, type_: str) -> bool:
    if type_ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[type_])


def problems(schema: dict[str, Any], value: Any, path: str = "$") -> list[str]:
    found: list[str] = []
    if "anyOf" in schema:
        if all(problems(option, value, path) for option in schema["anyOf"]):
            found.append(f"{path}: {value!r} matches none of {schema['anyOf']}")
        return found
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if "type" in schema and not _is(value, schema["type"]):
        return found + [f"{path}: {value!r} is not {schema['type']}"]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{path}: missing {name!r}" for name in schema.get("required", ()) if name not in value]
        if schema.get("additionalProperties") is False:
            found += [f"{path}: unexpected {name!r}" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                found += problems(properties[name], item, f"{path}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(schema["items"], item, f"{path}[{index}]")
    return found
