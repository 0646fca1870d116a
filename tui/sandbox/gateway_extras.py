"""The gateway operations the tutorial does not use: pattern, report, activity, links, ids.

* ``PUT  /gateways/{gw}/pattern`` (GatewayConfig.Publish): ``{pattern, parameters}`` →
  ``{"documents": [...]}``, the gateway configuration a pattern generates (``gwa
  gateway-pattern``). The sandbox knows :data:`PATTERNS`; others → 422 ``unsupported pattern``.
* ``GET /gateways/report?ids=["gw-1"]`` (any login): a spreadsheet of the caller's gateways.
* ``GET /gateways/{gw}/activity?first=&skip=`` (Namespace.Manage): ``activity.py``.
* ``GET /gateways/{gw}/links`` (Namespace.Manage): ``[{"type": "route-host", "host": …}]``.
* ``GET /identifiers/{type}`` (no login): a new id as a JSON string.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity, xlsx
from .context import context_of
from .gateways import list_gateways
from .portal_errors import (
    NAMESPACE_MANAGE,
    PUBLISH,
    Problem,
    check_model,
    json_body,
    portal_user,
    require_scope,
    validation_failed,
)
from .resources import hex_id

PATTERN_MODEL = {"pattern": "string", "parameters": ("map", "string")}
SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}[a-z0-9]$")


def _simple_service(gateway_id: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """``simple-service.r1``: one service and one route on ``<name>.dev.api.gov.bc.ca``."""
    name, url = params.get("service_name", ""), params.get("service_url", "")
    problems = {}
    if not SERVICE_NAME.match(name):
        problems["parameters.service_name"] = {"message": "invalid service name"}
    if not re.match(r"^https?://[^\s/]+", url):
        problems["parameters.service_url"] = {"message": "invalid url"}
    if problems:
        raise Problem(
            422, {"code": "validation_error", "message": "Invalid input", "fields": problems}
        )
    tags = [f"ns.{gateway_id}"]
    return [
        {
            "kind": "GatewayService",
            "name": name,
            "tags": tags,
            "url": url,
            "routes": [
                {
                    "name": name,
                    "tags": tags,
                    "hosts": [f"{name}.dev.api.gov.bc.ca"],
                    "paths": ["/"],
                    "methods": ["GET"],
                    "strip_path": False,
                    "https_redirect_status_code": 426,
                    "path_handling": "v0",
                    "request_buffering": True,
                    "response_buffering": True,
                }
            ],
        }
    ]


PATTERNS = {"simple-service.r1": _simple_service}


async def put_pattern(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, PUBLISH)
    body = await json_body(request)
    check_model(body, PATTERN_MODEL, required=("pattern", "parameters"))
    make = PATTERNS.get(body["pattern"])
    if make is None:
        raise Problem(
            422,
            {
                "code": "validation_error",
                "message": "Invalid input",
                "fields": {"pattern": {"message": "unsupported pattern"}},
            },
        )
    return JSONResponse({"documents": make(gateway_id, body["parameters"])})


def _report_ids(raw: str | None) -> list[str] | None:
    if raw is None or raw.strip() in ("", "[]"):
        return None
    try:
        ids = json.loads(raw)
    except ValueError:
        ids = None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise validation_failed("", {"ids": {"message": "ids must be a JSON list of gateway ids"}})
    return ids


async def report(request: Request) -> Response:
    ctx = context_of(request)
    username = portal_user(ctx, request)
    wanted = _report_ids(request.query_params.get("ids"))
    rows = [["Gateway ID", "Display Name", "Services", "Products", "Consumers"]]
    for gw in list_gateways(ctx, username):
        gateway_id = gw["gatewayId"]
        if wanted is not None and gateway_id not in wanted:
            continue
        counts = [
            ctx.db.query_one(f"SELECT COUNT(*) AS n FROM {table} WHERE gateway_id=?", (gateway_id,))
            for table in ("kong_services", "products", "consumers")
        ]
        rows.append([gateway_id, gw["displayName"], *(str(c["n"]) for c in counts if c)])
    return Response(
        xlsx.workbook("gateways", rows),
        media_type=xlsx.MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="gateway-report.xlsx"'},
    )


async def gateway_activity(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    first, skip = activity.page(request.query_params)
    return JSONResponse(activity.listing(ctx.db, [gateway_id], first, skip))


async def links(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    hosts: list[str] = []
    for row in ctx.db.query(
        "SELECT doc FROM kong_services WHERE gateway_id=? ORDER BY name", (gateway_id,)
    ):
        for route in json.loads(row["doc"]).get("routes") or []:
            for host in route.get("hosts") or []:
                if isinstance(host, str) and host not in hosts:
                    hosts.append(host)
    return JSONResponse([{"type": "route-host", "host": f"https://{h}"} for h in hosts])


IDENTIFIERS = {
    "environment": lambda: hex_id(8),
    "product": lambda: hex_id(12),
    "application": lambda: hex_id(11),
    "gateway": lambda: "gw-" + hex_id(5).lower(),
}


async def identifier(request: Request) -> Response:
    kind = request.path_params["type"]
    make = IDENTIFIERS.get(kind)
    if make is None:
        options = ",".join(f"'{k}'" for k in IDENTIFIERS)
        raise validation_failed(
            "",
            {"type": {"message": f"should be one of the following; [{options}]", "value": kind}},
        )
    return JSONResponse(make())


# Mounted under /ds/api (``portal.ROUTES``), before ``/v3/gateways/{gw}`` so that
# ``/v3/gateways/report`` is not read as a gateway id.
ROUTES = [
    Route("/v3/gateways/report", report, methods=["GET"]),
    Route("/v3/gateways/{gw}/pattern", put_pattern, methods=["PUT"]),
    Route("/v3/gateways/{gw}/activity", gateway_activity, methods=["GET"]),
    Route("/v3/gateways/{gw}/links", links, methods=["GET"]),
    Route("/v3/identifiers/{type}", identifier, methods=["GET"]),
]
