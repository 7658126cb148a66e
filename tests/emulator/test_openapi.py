"""``/openapi.json`` documents the JSON endpoints (not the HTML Connect pages)."""

from __future__ import annotations


def test_openapi_lists_the_json_endpoints(http):
    response = http.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [("/oauth/token", "post"), ("/oauth2/token", "post"), ("/v2.0/user", "get"),
                         ("/v2.0/vehicles", "get"), ("/v2.0/vehicles/{vehicle_id}", "get"),
                         ("/v2.0/vehicles/{vehicle_id}/odometer", "get"),
                         ("/v2.0/vehicles/{vehicle_id}/security", "post"),
                         ("/v2.0/vehicles/{vehicle_id}/batch", "post"),
                         ("/v2.0/vehicles/{vehicle_id}/service/history", "get"),
                         ("/v2.0/vehicles/{vehicle_id}/application", "delete"),
                         ("/v1.0/vehicles/{vehicle_id}/odometer", "get"),
                         ("/v2.0/management/connections", "get"), ("/v2.0/management/connections", "delete"),
                         ("/v2.0/compatibility", "get"), ("/v2.0/compatibility/matrix", "get")]:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing"
    assert not any(p.startswith(("/connect/", "/oauth/authorize")) for p in paths)
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))
