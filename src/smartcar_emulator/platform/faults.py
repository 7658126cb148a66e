"""Fault injection: rules that make vehicle requests fail or slow down, per vehicle or for all vehicles, and
rules that make the OAuth token endpoints fail.

No HTTP here: :meth:`FaultService.check` returns the :class:`ApiError` a request must answer with (the HTTP
layer renders it in the request's API version), :meth:`FaultService.check_token` the :class:`OAuthError` a
token request must answer with (rendered as ``{"error", "error_description"}``, the format of that host) and
:meth:`FaultService.latency` the extra delay the HTTP layer awaits. The failure rate draws from a generator seeded with the platform seed, so a run is
reproducible. Rules can expire after a number of hits or a duration on the platform clock.
"""

from __future__ import annotations

import math
import random
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from ..clock import Clock
from .errors import ApiError, OAuthError, known_error, validation
from .ids import new_id

# kind -> (default type, default code, applies to VIN/attributes/permissions endpoints too)
KINDS: dict[str, tuple[str | None, str | None, bool]] = {
    "rate_limit": ("RATE_LIMIT", "VEHICLE", True),  # global rules default to RATE_LIMIT:SMARTCAR_API
    "asleep": ("VEHICLE_STATE", "ASLEEP", False),
    "unreachable": ("VEHICLE_STATE", "UNREACHABLE", False),
    "upstream": ("UPSTREAM", "UNKNOWN_ISSUE", False),
    "server": ("SERVER", "INTERNAL", True),
    "billing": ("BILLING", "VEHICLE_REQUEST_LIMIT", True),
    "error": (None, None, False),  # any catalogue type/code, e.g. CONNECTED_SERVICES_ACCOUNT:ACCOUNT_ISSUE
    "failure_rate": ("SERVER", "INTERNAL", False),  # fails a fraction `rate` of requests
    "latency": (None, None, True),  # adds `latency_ms` before answering
    "token": (None, None, False),  # the token endpoints answer an OAuth error (`status`, `error`, `grant_type`)
}

# The token endpoints' grants (``/oauth/token``: the first two; ``/oauth2/token``: client credentials).
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
TOKEN_FAULT_DESCRIPTION = "The token endpoint is temporarily unavailable (injected fault)."
_OAUTH_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _default_oauth_error(status: int) -> str:
    """RFC 6749's names: ``temporarily_unavailable`` for 503, ``server_error`` for other 5xx."""
    return "temporarily_unavailable" if status == 503 else "server_error" if status >= 500 else "invalid_request"


@dataclass
class Fault:
    """One rule. ``vehicle_id`` None: every vehicle."""

    id: str
    kind: str
    vehicle_id: str | None = None
    type: str | None = None
    code: str | None = None
    retry_after: int | None = None
    rate: float = 1.0
    latency_ms: int = 0
    remaining: int | None = None  # hits left before the rule disappears (None: unlimited)
    expires_at: float | None = None  # platform-clock time the rule disappears
    hits: int = 0
    # token rules only: the HTTP status, the OAuth ``error``, its ``error_description`` (None: omitted) and the
    # grant they answer (None: every grant of both token endpoints)
    status: int | None = None
    error: str | None = None
    description: str | None = None
    grant_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultService:
    def __init__(self, clock: Clock, seed: int = 0) -> None:
        self.clock = clock
        self._rng = random.Random(f"faults:{seed}")
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> Fault:
        """Validate and add a rule from a JSON object (raises a VALIDATION :class:`ApiError`)."""
        kind = spec.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise validation(f"kind must be one of {', '.join(KINDS)}.", "kind")
        for name in ("vehicle_id", "type", "code"):
            if spec.get(name) is not None and not isinstance(spec[name], str):
                raise validation(f"{name} must be a string.", name)
        default_type, default_code, _ = KINDS[kind]
        vehicle_id = spec.get("vehicle_id") or None
        type_ = spec.get("type") or default_type
        code = spec.get("code", None) or default_code
        if kind == "rate_limit" and vehicle_id is None and not spec.get("code"):
            code = "SMARTCAR_API"
        if kind == "error" and not type_:
            raise validation("An error fault needs a type (and code), e.g. VEHICLE_STATE / UNKNOWN.", "type")
        if kind == "token":
            if vehicle_id is not None:
                raise validation("A token fault is not per vehicle: the token endpoints serve applications.",
                                 "vehicle_id")
            if spec.get("type") is not None or spec.get("code") is not None:
                raise validation("A token fault answers an OAuth error: give status and error, not type/code.",
                                 "type" if spec.get("type") is not None else "code")
            type_ = code = None
        else:
            for name in ("status", "error", "description", "grant_type"):
                if name in spec:
                    raise validation(f"{name} applies to token faults only.", name)
        if type_ is not None and not known_error(type_, code):
            raise validation(f"Unknown error {type_}:{code}.", "code")
        fault = Fault(new_id(), kind, vehicle_id, type_, code)
        fault.retry_after = _integer(spec, "retry_after", 0, 86_400, 60 if type_ == "RATE_LIMIT" else None)
        fault.latency_ms = _integer(spec, "latency_ms", 0, 60_000, 0) or 0
        if kind == "latency" and not fault.latency_ms:
            raise validation("A latency fault needs latency_ms (1 to 60000).", "latency_ms")
        rate = spec.get("rate", 1.0)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise validation("rate must be a number between 0 and 1.", "rate")
        fault.rate = float(rate) if kind == "failure_rate" else 1.0
        if kind == "token":
            _token_options(fault, spec)
        fault.remaining = _integer(spec, "count", 1, 1_000_000, None)
        duration = _integer(spec, "duration_s", 1, 366 * 86_400, None)
        fault.expires_at = self.clock.timestamp() + duration if duration else None
        with self._lock:
            self._rules.append(fault)
        return fault

    def list(self, vehicle_id: str | None = None) -> list[Fault]:
        """Live rules (all, or those that touch one vehicle: its own and the global ones, token rules aside)."""
        with self._lock:
            self._expire()
            return [f for f in self._rules
                    if vehicle_id is None or (f.vehicle_id in (None, vehicle_id) and f.kind != "token")]

    def remove(self, fault_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [f for f in self._rules if f.id != fault_id]
            return len(self._rules) < before

    def clear(self, vehicle_id: str | None = None) -> int:
        """Remove every rule, or the rules of one vehicle; returns how many were removed."""
        with self._lock:
            before = len(self._rules)
            self._rules = [f for f in self._rules if vehicle_id is not None and f.vehicle_id != vehicle_id]
            return before - len(self._rules)

    def check(self, vehicle_id: str, data: bool) -> ApiError | None:
        """The error a request on this vehicle must answer with, if a rule fires (first matching rule wins).

        ``data``: the endpoint reads or commands the vehicle (not VIN, attributes or permissions).
        """
        with self._lock:
            self._expire()
            for fault in self._rules:
                if fault.type is None or fault.vehicle_id not in (None, vehicle_id):
                    continue
                if not data and not KINDS[fault.kind][2]:
                    continue
                if fault.kind == "failure_rate" and self._rng.random() >= fault.rate:
                    continue
                self._hit(fault)
                return ApiError(fault.type, fault.code, retry_after=self._retry_after(fault))
        return None

    def check_token(self, grant_type: str) -> OAuthError | None:
        """The error a token request with this grant must answer with, if a token rule fires (first wins)."""
        with self._lock:
            self._expire()
            for fault in self._rules:
                if fault.kind != "token" or fault.grant_type not in (None, grant_type):
                    continue
                self._hit(fault)
                assert fault.status is not None and fault.error is not None
                return OAuthError(fault.error, fault.description, fault.status, retry_after=fault.retry_after)
        return None

    def latency(self, vehicle_id: str | None) -> float:
        """Extra seconds to wait before answering a request on this vehicle (0 when none)."""
        with self._lock:
            self._expire()
            delay = 0
            for fault in self._rules:
                if fault.latency_ms and fault.vehicle_id in (None, vehicle_id):
                    if fault.kind == "latency":
                        self._hit(fault)
                    delay = max(delay, fault.latency_ms)
            return delay / 1000.0

    def _retry_after(self, fault: Fault) -> int | None:
        if fault.expires_at is not None and fault.type == "RATE_LIMIT":
            return max(1, math.ceil(fault.expires_at - self.clock.timestamp()))
        return fault.retry_after

    def _hit(self, fault: Fault) -> None:
        fault.hits += 1
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._rules.remove(fault)

    def _expire(self) -> None:
        now = self.clock.timestamp()
        self._rules = [f for f in self._rules if f.expires_at is None or f.expires_at > now]


def _token_options(fault: Fault, spec: dict[str, Any]) -> None:
    """``status`` (400-599, default 503), ``error`` (an OAuth error code, default from the status),
    ``description`` (default a sentence; null: no ``error_description``) and ``grant_type`` (one grant only)."""
    fault.status = _integer(spec, "status", 400, 599, 503)
    assert fault.status is not None
    error = spec.get("error")
    if error is not None and (not isinstance(error, str) or not _OAUTH_ERROR_CODE.match(error)):
        raise validation("error must be an OAuth error code (lowercase letters, digits and _), "
                         "e.g. temporarily_unavailable.", "error")
    fault.error = error or _default_oauth_error(fault.status)
    description = spec.get("description", TOKEN_FAULT_DESCRIPTION)
    if description is not None and (not isinstance(description, str) or not description or len(description) > 500):
        raise validation("description must be a string of 1 to 500 characters, or null for none.", "description")
    fault.description = description
    grant_type = spec.get("grant_type")
    if grant_type is not None and grant_type not in GRANT_TYPES:
        raise validation(f"grant_type must be one of {', '.join(GRANT_TYPES)}.", "grant_type")
    fault.grant_type = grant_type


def _integer(spec: dict[str, Any], name: str, low: int, high: int, default: int | None) -> int | None:
    value = spec.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise validation(f"{name} must be an integer between {low} and {high}.", name)
    return value
