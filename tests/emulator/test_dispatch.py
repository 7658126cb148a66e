"""The routing gates (http/dispatch.py) answer exactly as FastAPI's own matching would, for every route."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match

from smartcar_emulator.app import create_app
from smartcar_emulator.http.dispatch import install_prefix_gates, route_patterns

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
APP = create_app()
INCLUDED = [r for r in APP.router.routes if "matches" in vars(r)]  # the gated routers: an instance attribute


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


def _both(router: Any, method: str, path: str) -> tuple[Any, Any]:
    gated = router.matches(_scope(method, path))
    ungated = type(router).matches(router, _scope(method, path))  # FastAPI's method, bypassing the gate
    return (gated[0], gated[1]), (ungated[0], ungated[1])


def _concrete(pattern: str, value: str) -> str:
    """A path one route's pattern matches: ``^/v2\\.0/vehicles/(?P<vehicle_id>[^/]+)$`` → ``/v2.0/vehicles/x``."""
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", value, pattern.strip("^$"))
    return path.replace("\\", "")


def _route_paths() -> list[str]:
    paths = []
    for router in INCLUDED:
        for candidate in router.effective_candidates():
            for value in ("veh-1", "0f8a2a4e-1d2b-4c6e-9f00-123456789abc", "a.b"):
                path = _concrete(candidate.path_regex.pattern, value)
                paths += [path, path + "/extra", path.rsplit("/", 1)[0] or "/"]
    return sorted(set(paths))


ROUTE_PATHS = _route_paths()


def test_every_router_of_the_app_is_gated() -> None:
    """If a FastAPI upgrade drops the internals the gate needs, routing silently gets slower: say so here."""
    included = [r for r in APP.router.routes if hasattr(r, "effective_candidates")]
    assert len(included) >= 15
    assert len(INCLUDED) == len(included)
    assert install_prefix_gates(create_app()) == len(included)


def test_the_gate_patterns_are_fastapis_own() -> None:
    """The gate builds each router's prefixed patterns from the routes (cheap) instead of FastAPI's effective
    routes (built for every route on an app's first request): they must be the same patterns, in order."""
    for router in INCLUDED:
        assert route_patterns(router) == [c.path_regex.pattern for c in router.effective_candidates()]


@pytest.mark.parametrize("method", METHODS)
def test_gate_agrees_with_fastapi_on_every_route_path(method: str) -> None:
    assert len(ROUTE_PATHS) > 300
    full = 0
    for path in ROUTE_PATHS:
        for router in INCLUDED:
            gated, ungated = _both(router, method, path)
            assert gated == ungated, (method, path)
            full += gated[0] == Match.FULL
    if method == "GET":
        assert full > 100  # the sample really reaches the routes, not only the gates' "no"


def test_gate_says_no_without_trying_routes_when_no_path_fits() -> None:
    v3 = next(r for r in INCLUDED if any(c.path_regex.pattern.startswith("^/v3/vehicles") for c in
                                         r.effective_candidates()))
    make_specific = INCLUDED[0]  # /v2.0 make-specific routes come first in the app
    calls = []
    original = make_specific._match  # FastAPI's route-by-route matching, which the gate exists to skip

    def spy(scope: Any) -> Any:
        calls.append(scope["path"])
        return original(scope)

    make_specific._match = spy
    try:
        assert make_specific.matches(_scope("GET", "/v2.0/vehicles/x/odometer"))[0] == Match.NONE
        assert calls == []  # answered by the gate's regex alone
        assert make_specific.matches(_scope("POST", "/v2.0/vehicles/x/tesla/charge/ammeter"))[0] == Match.FULL
        assert calls == ["/v2.0/vehicles/x/tesla/charge/ammeter"]
    finally:
        del make_specific._match
    assert v3.matches(_scope("GET", "/v2.0/vehicles/x/odometer"))[0] == Match.NONE


def test_gate_rebuilds_when_a_router_gains_a_route() -> None:
    app = create_app()
    router = next(r for r in app.router.routes if "matches" in vars(r))
    path = "/v2.0/vehicles/x/added-later"
    assert router.matches(_scope("GET", path))[0] == Match.NONE

    async def added() -> dict[str, str]:
        return {}

    shared = router.original_router  # a module-level router: every app built later in this process includes it
    shared.add_api_route("/vehicles/{vehicle_id}/added-later", added, methods=["GET"])
    try:
        assert router.matches(_scope("GET", path))[0] == Match.FULL
    finally:
        shared.routes[:] = [r for r in shared.routes if getattr(r, "path", "") != "/vehicles/{vehicle_id}/added-later"]
        shared._mark_routes_changed()
    assert router.matches(_scope("GET", path))[0] == Match.NONE


SEGMENTS = sorted({s for p in ROUTE_PATHS for s in p.split("/") if s} | {"", "..", "%2F", "v2.0", "v3", "x"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTS), min_size=0, max_size=7), st.sampled_from(METHODS),
       st.booleans())
def test_gate_agrees_with_fastapi_on_arbitrary_paths(segments: list[str], method: str, slash: bool) -> None:
    path = "/" + "/".join(segments) + ("/" if slash else "")
    for router in INCLUDED:
        gated, ungated = _both(router, method, path)
        assert gated == ungated, (method, path)
