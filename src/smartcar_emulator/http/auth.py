"""Parsing the Authorization header."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class MalformedAuthorization(ValueError):
    """An ``Authorization`` header is present but is not a well-formed ``Basic`` credential."""


def parse_basic(header: str) -> tuple[str, str]:
    """``(username, password)`` of an ``Authorization: Basic ...`` value; :class:`MalformedAuthorization` if it
    uses another scheme, is not base64, not UTF-8, or has no colon (RFC 7617)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise MalformedAuthorization("not the Basic scheme")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise MalformedAuthorization("not base64 of UTF-8 text") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise MalformedAuthorization("no colon between user name and password")
    return username, password


def basic_credentials(request: Request) -> tuple[str | None, str | None]:
    """``(username, password)`` of ``Authorization: Basic ...``, or ``(None, None)`` when absent or malformed
    (for endpoints where a malformed header is simply an authentication failure)."""
    header = request.headers.get("authorization")
    if header is None:
        return None, None
    try:
        return parse_basic(header)
    except MalformedAuthorization:
        return None, None
