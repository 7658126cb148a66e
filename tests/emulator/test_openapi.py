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


# The areas described by pydantic models in http/openapi_docs.py beyond the first pass: v3 commands, charge
# schedules and executions, Management API v3, v3 compatible vehicles, the make-specific v2 endpoints and the
# control API's webhook and delivery routes.
_MAKES = ("tesla", "audi", "nissan", "cadillac", "chevrolet", "ford", "lincoln", "bmw", "mini")


def _in_described_area(path: str) -> bool:
    if path.startswith(("/v3/webhooks", "/v3/subscriptions", "/v3/compatible-vehicles", "/_emulator/webhooks",
                        "/_emulator/deliveries", "/_emulator/delivery-policy")):
        return True
    if path.startswith("/v3/vehicles/{vehicle_id}/") and any(
            part in path for part in ("/commands/", "/command-executions/", "/charge-schedules/",
                                      "/charge-schedule-executions/")):
        return True
    return any(path.startswith(f"{version}/vehicles/{{vehicle_id}}/{make}/")
               for version in ("/v1.0", "/v2.0") for make in _MAKES)


def test_openapi_describes_commands_management_make_specific_and_webhook_control(http):
    spec = http.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    operations = [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()
                  if _in_described_area(path)]
    assert len(operations) >= 70, len(operations)  # make-specific reads under /v2.0 only (not /v1.0 too)
    takes_a_body = {("post", "/v3/vehicles/{vehicle_id}/commands/{domain}/{action}"),
                    ("post", "/v3/vehicles/{vehicle_id}/charge-schedules/{schedule_type}"),
                    ("post", "/v3/webhooks"), ("patch", "/v3/webhooks/{webhook_id}"), ("post", "/v3/subscriptions"),
                    ("post", "/_emulator/webhooks"), ("patch", "/_emulator/webhooks/{webhook_id}"),
                    ("post", "/_emulator/webhooks/{webhook_id}/subscriptions"),
                    ("post", "/_emulator/webhooks/{webhook_id}/test"), ("put", "/_emulator/delivery-policy")}
    takes_a_body |= {(method, path) for method, path, _ in operations
                     if method in ("put", "post") and path.startswith("/v2.0/vehicles/{vehicle_id}/")}

    def resolved(schema: dict) -> dict:
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    for method, path, operation in operations:
        name = f"{method.upper()} {path}"
        if (method, path) in takes_a_body:
            content = operation.get("requestBody", {}).get("content", {})
            assert content, f"{name}: no request body documented"
            body = resolved(next(iter(content.values()))["schema"])
            assert body.get("properties"), f"{name}: the request body schema is empty"
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert success, f"{name}: no 2xx response"
        if set(success) == {"204"}:
            assert "content" not in success["204"], f"{name}: 204 with a body"
            continue
        for code, response in success.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema") or {}
            shapes = [resolved(s) for s in schema.get("anyOf", [schema])]
            assert shapes and all(s.get("properties") for s in shapes), f"{name}: {code} response schema is empty"
