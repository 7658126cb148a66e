"""Identifiers and secret handling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid


def new_id() -> str:
    """A UUID v4 string, the platform's id format."""
    return str(uuid.uuid4())


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Tokens and codes are stored hashed: a leaked database does not leak credentials."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the stored one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 100_000).hex()
    return f"{salt}${digest}"


def check_password(password: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_password(password, salt), stored)
