"""Control API for command timing and plan usage limits (emulator only, loopback only).

``GET``/``PUT /_emulator/commands`` ``{"asyncSeconds": 30}``: v3 commands and charge-schedule operations answer
``202`` with a ``PENDING`` execution that completes 30 s later on the emulator clock (0: synchronous, the default).
``GET``/``PUT /_emulator/plan-limits`` ``{"clientId": "...", "requestsPerVehicle": 500}`` (``null`` lifts it): a
monthly allowance per vehicle answering ``430 BILLING:VEHICLE_REQUEST_LIMIT`` once used.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..platform.errors import validation
from .common import json_object, platform_of
from .control import loopback_only
from .errors import json_response

router = APIRouter(prefix="/_emulator", tags=["emulator control"], dependencies=[Depends(loopback_only)])

MAX_ASYNC_SECONDS = 86_400.0


@router.get("/commands", summary="How v3 commands complete: asyncSeconds 0 (synchronous) or the pending time")
async def get_commands(request: Request) -> Response:
    return json_response({"asyncSeconds": platform_of(request).commands.async_seconds})


@router.put("/commands", summary='{"asyncSeconds": 30}: commands answer 202 PENDING and complete 30 s later')
async def put_commands(request: Request) -> Response:
    platform_of(request).check_per_process_change("Command timing")
    body = await json_object(request)
    value = body.get("asyncSeconds")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_ASYNC_SECONDS:
        raise validation(f"asyncSeconds must be a number between 0 and {MAX_ASYNC_SECONDS:g}.", "asyncSeconds")
    platform_of(request).commands.async_seconds = float(value)
    return json_response({"asyncSeconds": float(value)})


@router.get("/plan-limits", summary="Monthly allowances per vehicle by application, and this month's usage")
async def get_plan_limits(request: Request) -> Response:
    return json_response(platform_of(request).plan_limits.to_dict())


@router.put("/plan-limits", summary='{"clientId", "requestsPerVehicle": 500 | null}: an application\'s allowance')
async def put_plan_limits(request: Request) -> Response:
    platform_of(request).check_per_process_change("A plan limit")
    platform = platform_of(request)
    body = await json_object(request)
    client_id = body.get("clientId")
    if not isinstance(client_id, str) or platform.apps.get(client_id) is None:
        raise validation("clientId must name a registered application.", "clientId")
    allowance = body.get("requestsPerVehicle")
    if allowance is not None and (isinstance(allowance, bool) or not isinstance(allowance, int)):
        raise validation("requestsPerVehicle must be an integer or null.", "requestsPerVehicle")
    try:
        platform.plan_limits.configure(client_id, allowance)
    except ValueError as error:
        raise validation(f"{error}.", "requestsPerVehicle") from None
    return json_response(platform.plan_limits.to_dict())
