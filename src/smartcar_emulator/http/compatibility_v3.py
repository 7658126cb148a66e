"""v3 compatible vehicles (``compatibility.api.smartcar.com/v3/compatible-vehicles``): no authentication, as the
docs' example; ``filter[region]`` (US, CA, EUROPE) and ``filter[make]`` (any case); one page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..platform.compatible_vehicles import compatible_vehicles
from ..platform.errors import ApiError
from .errors import json_response

router = APIRouter(prefix="/v3", tags=["compatibility API v3"])


@router.get("/compatible-vehicles", summary="Supported models per region with their signals and commands")
async def list_compatible_vehicles(request: Request) -> Response:
    query = request.query_params
    region, make = query.get("filter[region]") or None, query.get("filter[make]") or None
    try:
        found = compatible_vehicles(region, make)
    except ValueError as error:
        raise ApiError("VALIDATION", "PARAMETER", detail=[{"field": "filter[region]", "message": f"{error}."}]) from None
    filters = {k: v for k, v in (("filter[region]", region), ("filter[make]", make)) if v}
    self_link = "/compatible-vehicles" + (f"?{urlencode(filters)}" if filters else "")
    return json_response({"data": [v.to_resource() for v in found],
                          "meta": {"page": 1, "pageSize": len(found), "totalCount": len(found)},
                          "links": {"self": self_link}})
