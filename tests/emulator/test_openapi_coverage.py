"""Every route the emulator serves is in ``/openapi.json`` (with a summary, its success and error bodies and its
security), or on ``openapi_docs.UNDOCUMENTED`` with the reason it is left out.

The routes come from walking FastAPI's router itself (included routers and mounts too), not from the document,
so a route registered with ``include_in_schema=False`` (or in a router included that way) cannot slip by.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.routing import Mount
from starlette.testclient import TestClient

from smartcar_emulator.app import create_app
from smartcar_emulator.http import openapi_docs
from smartcar_emulator.http.openapi_docs import UNDOCUMENTED
from smartcar_emulator.http.views import READS

Operation = tuple[str, str]  # ("GET", "/v2.0/vehicles/{vehicle_id}")


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Callable[..., Any] | None]]:
    """(method, path, endpoint) of every route, descending into included routers (FastAPI 0.165 keeps them as
    ``_IncludedRouter`` entries: ``original_router`` plus an ``include_context`` holding the prefix)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(list(included.routes), prefix + (getattr(context, "prefix", "") or ""))
            continue
        if isinstance(route, Mount):
            yield "*", prefix + route.path, None
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":  # Starlette's implicit HEAD of a GET route
                yield method, prefix + route.path, getattr(route, "endpoint", None)


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app()


@pytest.fixture(scope="module")
def served(app: Any) -> dict[Operation, Callable[..., Any] | None]:
    routes = [*app.router.routes, *getattr(app.router, "_low_priority_routes", [])]
    found = {(method, path): endpoint for method, path, endpoint in _walk(routes)}
    # The walk sees the real routing table: spot-check both kinds of entry and an included router's prefix.
    assert {("GET", "/v1.0/vehicles/{vehicle_id}/odometer"), ("GET", "/health"), ("*", "/static"),
            ("GET", "/v2.0/vehicles/{vehicle_id}/{path:path}"), ("GET", "/_emulator/panel")} <= found.keys()
    assert len(found) >= 200, len(found)
    return found


@pytest.fixture(scope="module")
def spec(app: Any) -> dict[str, Any]:
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _documented(spec: dict[str, Any]) -> dict[Operation, dict[str, Any]]:
    return {(method.upper(), path): operation for path, item in spec["paths"].items()
            for method, operation in item.items()}


def test_every_served_route_is_documented_or_allow_listed_with_a_reason(served, spec):
    documented = _documented(spec)
    missing = sorted(set(served) - set(documented) - set(UNDOCUMENTED))
    assert not missing, f"served but neither in /openapi.json nor on openapi_docs.UNDOCUMENTED: {missing}"
    stale = sorted(set(UNDOCUMENTED) - set(served))
    assert not stale, f"UNDOCUMENTED names routes the app no longer serves: {stale}"
    both = sorted(set(UNDOCUMENTED) & set(documented))
    assert not both, f"on UNDOCUMENTED yet documented: {both}"
    phantom = sorted(set(documented) - set(served))
    assert not phantom, f"documented but not served: {phantom}"
    for entry, reason in UNDOCUMENTED.items():
        assert isinstance(reason, str) and reason.strip() and "\n" not in reason, entry


def test_every_entry_of_the_documentation_tables_is_a_served_operation(spec):
    """An entry for a route nobody serves is skipped silently when the document is built: none may exist (the
    v1.0 charge records were such entries; the reference has make-specific endpoints under /v2.0 only)."""
    documented = {(method.lower(), path) for method, path in _documented(spec)}
    unserved = sorted(set(openapi_docs._operations()) - documented)
    assert not unserved, f"documentation for operations the app does not serve: {unserved}"
    assert not sorted(set(openapi_docs.QUERY) - documented)
    assert not any(path.startswith("/v1.0/") and "/charge/records" in path for _, path in documented)


def test_every_documented_operation_has_a_summary_bodies_and_security(spec):
    schemas = spec["components"]["schemas"]
    schemes = spec["components"]["securitySchemes"]

    def resolved(schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def has_shape(schema: dict[str, Any]) -> bool:
        """An object with properties, a map of such (keyed by make...), or an array of such."""
        schema = resolved(schema)
        if "anyOf" in schema:
            return all(has_shape(s) for s in schema["anyOf"] if s.get("type") != "null")
        if schema.get("type") == "array":
            return has_shape(schema.get("items") or {})
        if schema.get("properties"):
            return True
        values = schema.get("additionalProperties")
        return isinstance(values, dict) and has_shape(values)

    problems = []
    for (method, path), operation in _documented(spec).items():
        name = f"{method} {path}"
        if not (operation.get("summary") or "").strip():
            problems.append(f"{name}: no summary")
        security = operation.get("security")
        if not isinstance(security, list) or any(set(option) - set(schemes) for option in security):
            problems.append(f"{name}: no security requirement (or an unknown scheme): {security!r}")
        responses = operation.get("responses", {})
        success = {code: r for code, r in responses.items() if code.startswith("2")}
        if not success:
            problems.append(f"{name}: no 2xx response")
        for code, response in success.items():
            content = response.get("content", {})
            if code == "204":
                if content:
                    problems.append(f"{name}: 204 with a body")
            elif not has_shape(content.get("application/json", {}).get("schema") or {}):
                problems.append(f"{name}: the {code} body has no shape")
        error = responses.get("4XX", {}).get("content", {}).get("application/json", {}).get("schema") or {}
        if not error.get("anyOf") or not all(has_shape(s) for s in error["anyOf"]):
            problems.append(f"{name}: no error body (4XX)")
        if "422" in responses:
            problems.append(f"{name}: FastAPI's 422, which the emulator never sends")
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        if declared != set(re.findall(r"{(\w+)}", path)):
            problems.append(f"{name}: path parameters {sorted(declared)}")
    assert not problems, "\n".join(problems)


_QUERY_READS = re.compile(r"""(?:query_params|query)\.get\(\s*"([^"]+)"|int_param\(\s*request,\s*"([^"]+)\"""")


def test_the_query_parameters_a_handler_reads_are_documented(served, spec):
    """A scan of each documented handler's own source for the query parameters it reads by name
    (``request.query_params.get("x")``, ``query.get("x")``, ``int_param(request, "x", ...)``)."""
    documented = _documented(spec)
    problems = []
    for operation_key, endpoint in served.items():
        operation = documented.get(operation_key)
        if operation is None or endpoint is None:
            continue
        read = {a or b for a, b in _QUERY_READS.findall(inspect.getsource(endpoint))}
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if read - declared:
            problems.append(f"{' '.join(operation_key)}: reads {sorted(read - declared)} undocumented")
    assert not problems, "\n".join(problems)


def test_the_catch_all_only_serves_paths_documented_elsewhere(served, spec):
    """The v2.0 catch-all answers the make-specific reads spelt with an upper-case make; each of those reads is
    documented under its lower-case path, so the catch-all is no operation of its own. Make-specific endpoints are
    v2 only (reference §5.9): under /v1.0 the catch-all answers them 404, and none is documented there."""
    documented = _documented(spec)
    make_reads = [path for path, read in READS.items() if read.make]
    assert make_reads
    for version in ("/v1.0", "/v2.0"):
        assert ("GET", f"{version}/vehicles/{{vehicle_id}}/{{path:path}}") in served
    undocumented = [p for p in make_reads if ("GET", f"/v2.0/vehicles/{{vehicle_id}}/{p}") not in documented]
    assert not undocumented, f"make-specific reads the catch-all serves, undocumented: {undocumented}"
    under_v1 = [p for p in make_reads if ("GET", f"/v1.0/vehicles/{{vehicle_id}}/{p}") in documented | served]
    assert not under_v1, f"make-specific reads under /v1.0: {under_v1}"
    assert not any("{path" in path for path in spec["paths"])
