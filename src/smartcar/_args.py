"""Argument checks of the public functions: a wrong type raises ``TypeError``, a wrong value ``ValueError``,
each naming the parameter, before anything is sent (never an ``AttributeError`` from deep inside, nor a
``SmartcarException`` for what is the caller's mistake). Pure; imports nothing of the SDK."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

_HEADER_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t"}
_SEGMENT_UNSAFE = frozenset("/?#")
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _kind(value: Any) -> str:
    return type(value).__name__


def text(value: Any, name: str) -> str:
    """A ``str`` encodable as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_kind(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} contains characters that cannot be encoded (lone surrogates)") from None
    return value


def url_text(value: Any, name: str) -> str:
    """A ``str`` placed in a URL as is: no control characters (non-ASCII is percent-encoded)."""
    checked = text(value, name)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in checked):
        raise ValueError(f"{name} must not contain control characters (it is sent in the URL)")
    return checked


def optional_text(value: Any, name: str) -> str | None:
    return None if value is None else text(value, name)


def header_text(value: Any, name: str) -> str:
    """A ``str`` that can travel in an HTTP header: printable ASCII (tokens, ids, credentials)."""
    checked = text(value, name)
    if not set(checked) <= _HEADER_SAFE:
        raise ValueError(f"{name} must be printable ASCII (it is sent in an HTTP header)")
    return checked


def optional_header_text(value: Any, name: str) -> str | None:
    return None if value is None else header_text(value, name)


def segment(value: Any, name: str) -> str:
    """An id placed in a URL path as is: non-empty printable ASCII without ``/``, ``?``, ``#``, spaces."""
    checked = header_text(value, name)
    if not checked or " " in checked or "\t" in checked or not _SEGMENT_UNSAFE.isdisjoint(checked):
        raise ValueError(f"{name} must be a non-empty id without spaces, '/', '?' or '#'")
    return checked


def mapping(value: Any, name: str) -> Any:
    """None or a mapping (a dict of options, a filter, paging)."""
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict or None, not {_kind(value)}")
    return value


def str_list(value: Any, name: str, *, optional: bool = False) -> list[str] | None:
    """A list (or tuple) of ``str``."""
    if value is None and optional:
        return None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of str, not {_kind(value)}")
    for index, item in enumerate(value):
        text(item, f"{name}[{index}]")
    return list(value)


def number(value: Any, name: str) -> float | int:
    """A finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return value


def integer(value: Any, name: str, low: int | None = None, *, optional: bool = False) -> int | None:
    """An ``int`` (not a bool), at least ``low`` when given."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {_kind(value)}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}")
    return value


def headers(value: Any, name: str) -> dict[str, str] | None:
    """None or a dict of header names to header values (printable ASCII ``str`` both)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of str to str or None, not {_kind(value)}")
    for key, item in value.items():
        text(key, f"{name} key")
        if not key or not set(key) <= _TOKEN:
            raise ValueError(f"{name} key {key!r} is not a valid header name")
        header_text(item, f"{name}[{key!r}]")
    return dict(value)


def json_body(value: Any, name: str) -> Any:
    """A value ``json.dumps`` can send as is (no NaN or infinity, no absurd nesting)."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")  # as httpx2 sends it
    except TypeError as error:
        raise TypeError(f"{name} must be JSON-serialisable: {error}") from None
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{name} must be JSON-serialisable: {error}") from None
    return value
