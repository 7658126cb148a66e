"""Helpers shared by the routers."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from ..platform.core import Platform
from ..platform.errors import ApiError


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a VALIDATION error that says what is wrong."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting too deep to parse
        raise ApiError("VALIDATION", detail=[{"field": "body", "message": "The body is not valid JSON."}]) from None
    if not isinstance(body, dict):
        raise ApiError("VALIDATION", detail=[{"field": "body", "message": "The body must be a JSON object."}])
    return body


_DECIMAL = re.compile(r"-?[0-9]{1,18}")


def parse_int(raw: str) -> int | None:
    """A plain ASCII decimal integer (``12``, ``-3``), or None.

    Stricter than ``int()``, which also takes ``" 12"``, ``"+12"``, ``"1_2"`` and other scripts' digits
    (``"١٢"``), and than ``str.isdigit()``, which takes ``"²"`` that ``int()`` then refuses.
    """
    return int(raw) if _DECIMAL.fullmatch(raw) else None


def int_param(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    """An integer query parameter within bounds, or a VALIDATION error naming it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    parsed = parse_int(raw)
    value = low - 1 if parsed is None else parsed
    if value < low or (high is not None and value > high):
        bound = f" between {low} and {high}" if high is not None else f" of at least {low}"
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": name, "message": f"Must be an integer{bound}."}])
    return value


def number(value: Any, name: str, low: float, high: float) -> float:
    """A number (or numeric string, as the Node SDK sends) within bounds."""
    if isinstance(value, bool):
        value = None
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ApiError("VALIDATION", detail=[{"field": name, "message": f"\"{name}\" must be a number."}]) from None
    if not low <= result <= high:
        raise ApiError("VALIDATION", "PARAMETER",
                       detail=[{"field": name, "message": f"\"{name}\" must be between {low:g} and {high:g}."}])
    return result
