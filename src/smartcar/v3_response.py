"""API v3 results: plain dicts ``{"body": ..., "headers": ...}`` that also allow attribute access."""

from __future__ import annotations

from typing import Any, TypedDict


class Response(TypedDict):
    """The shape of a v3 result (official type hint)."""

    body: Any
    headers: Any


class AttrDict(dict[str, Any]):
    """A ``dict`` whose keys are also attributes (``result.body`` as well as ``result["body"]``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def make_response(body: Any, headers: Any) -> AttrDict:
    """The v3 result for a response body and its (case-insensitive) headers."""
    return AttrDict(body=body, headers=headers)
