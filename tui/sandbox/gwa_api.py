"""gwa-api behind the portal's ``/gw/api`` proxy: publish and status (contract §3.3, §8, §9).

Routes (``/gw/api/v3/gateways/{gw}/…`` is what the portal rewrites to ``/v2/namespaces/{gw}/…``;
``/gw/api/v2/namespaces/{gw}/…`` is accepted too):

* ``PUT …/gateway`` — publish (``publish.py``);
* ``DELETE …/gateway[/{qualifier}]`` — remove the gateway's Kong objects (204);
* ``GET …/services`` — status (``service_status.py``);
* anything else under ``/gw/api`` → 404 ``{"error":"Not Found","code":404}``.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import SandboxContext
from .portal_errors import Problem, gw_handler, require_publish
from .publish import delete_config, publish, read_request
from .service_status import statuses

SCHEMA = ""


def routes(ctx: SandboxContext) -> list[Route]:
    async def put_gateway(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_publish(ctx, request, gateway_id)
        text, dry_run, qualifier = await read_request(request)
        # Parsing and validating a large config takes time: never on the event loop.
        result = await anyio.to_thread.run_sync(publish, ctx, gateway_id, text, dry_run, qualifier)
        return JSONResponse(result)

    async def delete_gateway(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_publish(ctx, request, gateway_id)
        await anyio.to_thread.run_sync(
            delete_config, ctx, gateway_id, request.path_params.get("qualifier")
        )
        return Response(status_code=204)

    async def get_services(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_publish(ctx, request, gateway_id)
        try:
            return JSONResponse(await statuses(ctx, gateway_id))
        except Problem:
            raise
        except Exception:
            return JSONResponse({"error": "Unexpected error occurred"}, status_code=500)

    async def unknown(request: Request) -> Response:
        return JSONResponse({"error": "Not Found", "code": 404}, status_code=404)

    out = []
    for prefix in ("/gw/api/v3/gateways/{gw}", "/gw/api/v2/namespaces/{gw}"):
        out.append(Route(f"{prefix}/gateway", gw_handler(put_gateway), methods=["PUT"]))
        out.append(Route(f"{prefix}/gateway", gw_handler(delete_gateway), methods=["DELETE"]))
        out.append(
            Route(f"{prefix}/gateway/{{qualifier}}", gw_handler(delete_gateway), methods=["DELETE"])
        )
        out.append(Route(f"{prefix}/services", gw_handler(get_services), methods=["GET"]))
    out.append(Route("/gw/api", unknown))
    out.append(Route("/gw/api/{rest:path}", unknown))
    return out
