"""API v3 commands, charge schedules and their executions (``sc-user-id`` required with an application token).

``POST /v3/vehicles/{id}/commands/{domain}/{action}``, ``POST /v3/vehicles/{id}/charge-schedules/{type}``,
``GET``/``DELETE /v3/vehicles/{id}/charge-schedules/{scheduleId}``, and the look-ups
``GET /v3/vehicles/{id}/command-executions/{executionId}`` and ``.../charge-schedule-executions/{executionId}``.
A synchronous execution answers 200, a pending one 202 (``executionMode`` ``async``, status ``PENDING``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..platform.commands import COMMANDS, SCHEDULE_PERMISSION, SCHEDULE_TYPES, schedule_parameters
from ..platform.errors import ApiError
from ..platform.executions import Execution
from .api_v3 import _caller, _iso
from .common import json_object, platform_of
from .errors import json_response

router = APIRouter(prefix="/v3", tags=["vehicle API v3: commands and charge schedules"])


def _attributes(body: dict[str, Any]) -> dict[str, Any] | None:
    data = body.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    return attributes if isinstance(attributes, dict) else None


def _status(execution: Execution) -> dict[str, Any]:
    status: dict[str, Any] = {"value": execution.status}
    if execution.error:
        type_, code = execution.error.get("type"), execution.error.get("code")
        status["error"] = {"type": type_, "code": code, "detail": ApiError(str(type_), code).description}
    return status


def _meta(execution: Execution) -> dict[str, Any]:
    done = execution.completed_at
    return {"executedAt": _iso(execution.executed_at), "completedAt": _iso(done) if done is not None else None,
            "durationInSeconds": round(done - execution.executed_at) if done is not None else None}


def command_resource(execution: Execution) -> dict[str, Any]:
    return {"data": {
        "id": execution.id, "type": "command-execution",
        "attributes": {"commandType": execution.name, "status": _status(execution),
                       "executionMode": "async" if execution.asynchronous else "sync",
                       "parameters": execution.parameters},
        "links": {"self": f"/vehicles/{execution.vehicle_id}/command-executions/{execution.id}"},
        "meta": _meta(execution)}}


def schedule_execution_resource(execution: Execution) -> dict[str, Any]:
    action, _, schedule_type = execution.name.partition(":")
    schedule_id = execution.result.get("scheduleId")
    return {"data": {
        "id": execution.id, "type": "charge-schedule-execution",
        "attributes": {"action": action, "scheduleType": schedule_type, "status": _status(execution),
                       "executionMode": "async" if execution.asynchronous else "sync", "scheduleId": schedule_id,
                       "parameters": execution.parameters},
        "links": {"schedule": f"/vehicles/{execution.vehicle_id}/charge-schedules/{schedule_id}",
                  "self": f"/vehicles/{execution.vehicle_id}/charge-schedule-executions/{execution.id}"},
        "meta": _meta(execution)}}


def _answer(resource: dict[str, Any], execution: Execution) -> Response:
    return json_response(resource, status=202 if execution.status == "PENDING" else 200)


@router.post("/vehicles/{vehicle_id}/commands/{domain}/{action}",
             summary="Run a command: charge start/stop/set-limit, security lock/unlock, navigation set-destination")
async def command(request: Request, vehicle_id: str, domain: str, action: str) -> Response:
    platform = platform_of(request)
    spec = COMMANDS.get(f"{domain}/{action}")
    if spec is None:
        raise ApiError("RESOURCE_NOT_FOUND", "PATH")
    caller = _caller(request, need_user=True)
    vehicle, connection = platform.v3.vehicle(caller, vehicle_id, spec.permission, data=True)
    parameters = spec.parse(_attributes(await json_object(request)))
    execution = platform.commands.command(vehicle, connection.client_id, connection.user_id, spec, parameters)
    return _answer(command_resource(execution), execution)


@router.get("/vehicles/{vehicle_id}/command-executions/{execution_id}", summary="A command execution by id")
async def get_command_execution(request: Request, vehicle_id: str, execution_id: str) -> Response:
    platform = platform_of(request)
    vehicle, connection = platform.v3.vehicle(_caller(request, need_user=True), vehicle_id)
    execution = platform.commands.execution(connection.client_id, vehicle.id, execution_id, "command")
    return json_response(command_resource(execution))


@router.post("/vehicles/{vehicle_id}/charge-schedules/{schedule_type}",
             summary="Create a daily, weekly or workweek charge schedule (Tesla; Volvo daily)")
async def create_schedule(request: Request, vehicle_id: str, schedule_type: str) -> Response:
    platform = platform_of(request)
    if schedule_type not in SCHEDULE_TYPES:
        raise ApiError("RESOURCE_NOT_FOUND", "PATH")
    vehicle, connection = platform.v3.vehicle(_caller(request, need_user=True), vehicle_id, SCHEDULE_PERMISSION,
                                              data=True)
    platform.commands.require_schedules(vehicle, schedule_type)
    parameters = schedule_parameters(schedule_type, _attributes(await json_object(request)))
    execution = platform.commands.create_schedule(vehicle, connection.client_id, connection.user_id, schedule_type,
                                                  parameters)
    return _answer(schedule_execution_resource(execution), execution)


def _schedule_resource(vehicle_id: str, timer: dict[str, Any]) -> dict[str, Any]:
    condition = timer.get("condition") or {}
    window = (timer.get("schedules") or [{}])[0]
    return {"data": {
        "id": timer["scheduleId"], "type": "charge-schedule",
        "attributes": {"scheduleType": timer.get("scheduleType"),
                       "location": {"latitude": condition.get("latitude"), "longitude": condition.get("longitude")},
                       "startTime": str(window.get("start", ""))[:5], "stopTime": str(window.get("end", ""))[:5],
                       "days": window.get("days", [])},
        "links": {"self": f"/vehicles/{vehicle_id}/charge-schedules/{timer['scheduleId']}"}}}


@router.get("/vehicles/{vehicle_id}/charge-schedules/{schedule_id}", summary="A charge schedule by id")
async def get_schedule(request: Request, vehicle_id: str, schedule_id: str) -> Response:
    platform = platform_of(request)
    vehicle, _ = platform.v3.vehicle(_caller(request, need_user=True), vehicle_id, "read_charge", data=True)
    platform.commands.settle(vehicle.id)
    return json_response(_schedule_resource(vehicle.id, platform.commands.schedule(vehicle, schedule_id)))


@router.delete("/vehicles/{vehicle_id}/charge-schedules/{schedule_id}", summary="Delete a charge schedule")
async def delete_schedule(request: Request, vehicle_id: str, schedule_id: str) -> Response:
    platform = platform_of(request)
    vehicle, connection = platform.v3.vehicle(_caller(request, need_user=True), vehicle_id, SCHEDULE_PERMISSION,
                                              data=True)
    platform.commands.settle(vehicle.id)
    execution = platform.commands.delete_schedule(vehicle, connection.client_id, connection.user_id, schedule_id)
    return _answer(schedule_execution_resource(execution), execution)


@router.get("/vehicles/{vehicle_id}/charge-schedule-executions/{execution_id}",
            summary="A charge-schedule execution by id")
async def get_schedule_execution(request: Request, vehicle_id: str, execution_id: str) -> Response:
    platform = platform_of(request)
    vehicle, connection = platform.v3.vehicle(_caller(request, need_user=True), vehicle_id)
    execution = platform.commands.execution(connection.client_id, vehicle.id, execution_id, "schedule")
    return json_response(schedule_execution_resource(execution))
