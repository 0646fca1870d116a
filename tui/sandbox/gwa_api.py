"""gwa-api behind the portal's ``/gw/api`` proxy: publish and status (docs/contract.md#s3.3, #s8, #s9).

Routes (``/gw/api/v3/gateways/{gw}/…`` is what the portal rewrites to ``/v2/namespaces/{gw}/…``;
``/gw/api/v2/namespaces/{gw}/…`` is accepted too):

* ``PUT …/gateway`` — publish (``publish.py``);
* ``DELETE …/gateway[/{qualifier}]`` — remove the gateway's Kong objects (204);
* ``GET …/services`` — status (``service_status.py``);
* ``GET /gw/api/v2/status`` — health (no login); ``GET /gw/api/v2/whoami`` — the token's
  identity (``azp``, issuer, scope, username; ``namespace`` for a gateway's service account);
* anything else under ``/gw/api`` → 404 ``{"error":"Not Found","code":404}``.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity, publish_turns
from .context import context_of
from .gc_pause import paused
from .portal_errors import Problem, require_publish
from .publish import delete_config, publish, read_request
from .service_status import statuses
from .tokens import TokenProblem, bearer_from_header, username_of, verify_provider_token

SCHEMA = ""
log = logging.getLogger("gwa_wizard.sandbox")


async def put_gateway(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    username = require_publish(ctx, request, gateway_id)
    text, dry_run, qualifier = await read_request(request)
    # Parsing and validating a large config takes time: never on the event loop.
    async with publish_turns.turn(ctx, username, text) as lane:
        result = await anyio.to_thread.run_sync(
            paused, publish, ctx, gateway_id, text, dry_run, qualifier, limiter=lane
        )
    if not dry_run:
        with ctx.db.transaction() as conn:
            activity.record(conn, gateway_id, username, "published", "configuration of", gateway_id)
    return JSONResponse(result)


async def delete_gateway(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    username = require_publish(ctx, request, gateway_id)
    qualifier = request.path_params.get("qualifier")
    async with publish_turns.turn(ctx, username, "") as lane:
        await anyio.to_thread.run_sync(delete_config, ctx, gateway_id, qualifier, limiter=lane)
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


async def status(request: Request) -> Response:
    """``GET /v2/status``: the service is up (a health check, no login needed)."""
    ctx = context_of(request)
    return JSONResponse({"message": "ok", "results": f"gwa-api sandbox {ctx.version}"})


async def whoami(request: Request) -> Response:
    """``GET /v2/whoami``: who the bearer token says the caller is."""
    ctx = context_of(request)
    try:
        claims = verify_provider_token(
            ctx, bearer_from_header(request.headers.get("authorization"))
        )
    except TokenProblem as problem:
        raise Problem(
            401, {"error": "Token Expired" if problem.kind == "expired" else "Invalid Token"}
        ) from None
    body = {
        "authorized-party": claims.get("azp"),
        "issuer": claims.get("iss"),
        "scope": claims.get("scope"),
        "username": username_of(claims),
    }
    row = ctx.db.query_one(
        "SELECT gateway_id FROM service_accounts WHERE client_id=?", (str(claims.get("clientId")),)
    )
    if row is not None and row["gateway_id"]:
        body["namespace"] = row["gateway_id"]
    return JSONResponse(body)


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
    Route("/v2/status", status, methods=["GET"]),
    Route("/v2/whoami", whoami, methods=["GET"]),
    *_gateway_routes("/v3/gateways/{gw}"),
    *_gateway_routes("/v2/namespaces/{gw}"),
    Route("/{rest:path}", unknown),
]
