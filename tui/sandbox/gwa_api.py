"""gwa-api behind the portal's ``/gw/api`` proxy: publish and status (contract §3.3, §8, §9).

Routes (``/gw/api/v3/gateways/{gw}/…`` is what the portal rewrites to ``/v2/namespaces/{gw}/…``;
``/gw/api/v2/namespaces/{gw}/…`` is accepted too):

* ``PUT …/gateway`` — publish (``publish.py``);
* ``DELETE …/gateway[/{qualifier}]`` — remove the gateway's Kong objects (204);
* ``GET …/services`` — status (``service_status.py``);
* anything else under ``/gw/api`` → 404 ``{"error":"Not Found","code":404}``.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import context_of
from .portal_errors import Problem, require_publish
from .publish import delete_config, publish, read_request
from .service_status import statuses

SCHEMA = ""
log = logging.getLogger("gwa_wizard.sandbox")


async def put_gateway(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_publish(ctx, request, gateway_id)
    text, dry_run, qualifier = await read_request(request)
    # Parsing and validating a large config takes time: never on the event loop.
    result = await anyio.to_thread.run_sync(publish, ctx, gateway_id, text, dry_run, qualifier)
    return JSONResponse(result)


async def delete_gateway(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_publish(ctx, request, gateway_id)
    await anyio.to_thread.run_sync(
        delete_config, ctx, gateway_id, request.path_params.get("qualifier")
    )
    return Response(status_code=204)


async def get_services(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_publish(ctx, request, gateway_id)
    try:
        return JSONResponse(await statuses(ctx, gateway_id))
    except Problem:
        raise
    except Exception:  # the status endpoint's own failure body, not the generic one
        log.exception("status check failed for %s", gateway_id)
        return JSONResponse({"error": "Unexpected error occurred"}, status_code=500)


async def unknown(request: Request) -> Response:
    return JSONResponse({"error": "Not Found", "code": 404}, status_code=404)


def _gateway_routes(prefix: str) -> list[Route]:
    return [
        Route(f"{prefix}/gateway", put_gateway, methods=["PUT"]),
        Route(f"{prefix}/gateway", delete_gateway, methods=["DELETE"]),
        Route(f"{prefix}/gateway/{{qualifier}}", delete_gateway, methods=["DELETE"]),
        Route(f"{prefix}/services", get_services, methods=["GET"]),
    ]


# Mounted under /gw/api (``app.py``); ``/gw/api`` itself answers :func:`unknown` from there.
ROUTES = [
    *_gateway_routes("/v3/gateways/{gw}"),
    *_gateway_routes("/v2/namespaces/{gw}"),
    Route("/{rest:path}", unknown),
]
