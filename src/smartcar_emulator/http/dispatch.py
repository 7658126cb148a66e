"""Faster routing: a one-regex gate in front of each included router.

FastAPI (0.165) matches a request by asking every included router in turn, and a router asks each of its
routes, about 2.5 µs a route in Python; a router whose paths cannot match still costs all its routes. A
``GET /v2.0/vehicles/{id}/odometer`` used to try the 16 make-specific routes before reaching the reads, and a
v3 read every v1.0/v2.0 route first.

The gate compiles the path patterns of a router's routes into one alternation and answers "no match" from a
single ``re.match`` when none of them fits the path, which is exactly when the router would have answered no
match itself (a route whose path fits but whose method does not is a partial match, so the gate lets it
through). When the path fits, the router's own matching runs unchanged, so ordering, partial matches (405) and
path parameters are FastAPI's. A router whose routes change after the gate was built rebuilds it (FastAPI
bumps ``_routes_version`` on every change; its ``_get_routes_version`` would walk every route, too slow to
call per request); a router with a route that has no path pattern (a mount, a nested router) lets every
request through to its own matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.routing import Match, get_route_path
from starlette.types import Scope

_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")


def _pattern_without_names(pattern: str) -> str:
    """``^/v/(?P<id>[^/]+)$`` → ``^/v/(?:[^/]+)$``: group names may not repeat across one alternation."""
    return _NAMED_GROUP.sub("(?:", pattern)


def route_patterns(included: Any) -> list[str] | None:
    """The path patterns of ``included``'s routes with its prefix, in order: what FastAPI's effective routes
    compile to (``^/v2\\.0/vehicles/(?P<vehicle_id>[^/]+)$``), built from the routes' own compiled patterns
    instead, since FastAPI's would be built for every route of every router on an app's first request (~120 ms
    for this app; the pytest plugin starts apps often). None when a route has no anchored pattern or is a
    nested router."""
    prefix = re.escape(included.include_context.prefix)
    patterns = []
    for route in included.original_router.routes:
        regex = getattr(route, "path_regex", None)
        if hasattr(route, "effective_candidates") or not isinstance(regex, re.Pattern) or regex.pattern[:1] != "^":
            return None
        patterns.append(f"^{prefix}{regex.pattern[1:]}")
    return patterns


def _combined(included: Any) -> re.Pattern[str] | None:
    """One regex matching any path one of ``included``'s routes matches; None when that cannot be built."""
    patterns = route_patterns(included)
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{_pattern_without_names(p)})" for p in patterns))


def _gate(included: Any) -> Callable[[Scope], tuple[Match, Scope]]:
    delegate = included.matches  # the bound method of the class: FastAPI's own matching
    built: dict[str, Any] = {"version": object(), "regex": None}

    def matches(scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            version = included.original_router._routes_version  # bumped by every change to its routes
            if version != built["version"]:
                built["regex"], built["version"] = _combined(included), version
            regex = built["regex"]
            if regex is not None and regex.match(get_route_path(scope)) is None:
                return Match.NONE, {}
        return delegate(scope)  # type: ignore[no-any-return,unused-ignore]  # Any under the project config

    return matches


def install_prefix_gates(app: Any) -> int:
    """Gate each router included in ``app`` (a FastAPI app); returns how many were gated.

    Needs FastAPI's included-router internals (``include_context.prefix``, ``_routes_version``): on a FastAPI
    without them nothing is gated and routing stays as it was.
    """
    gated = 0
    for route in app.router.routes:
        if not (hasattr(route, "effective_candidates") and hasattr(route, "original_router")
                and hasattr(getattr(route, "include_context", None), "prefix")
                and isinstance(getattr(route.original_router, "_routes_version", None), int)):
            continue
        route.matches = _gate(route)  # an instance attribute: FastAPI's router calls route.matches(scope)
        gated += 1
    return gated
