"""Builds the sandbox's three ASGI applications from its modules.

* portal origin: the portal (``/ds/api``), gwa-api (``/gw/api``), both Keycloak realms
  (``/auth/realms/...``) and ``/sandbox/info``;
* data plane origin: Kong, routing by ``Host``;
* upstream origin: the built-in httpbin-compatible service.

Each module exposes ``SCHEMA`` (SQL, may be empty) and ``routes(ctx) -> list[BaseRoute]``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from . import dataplane, gwa_api, keycloak, portal, upstream
from .classroom import board, observer
from .context import SHARED_IDP_ISSUER, SandboxConfig, SandboxContext
from .limits import BodyLimitMiddleware, problem_handlers

PORTAL_MODULES = (portal, gwa_api, keycloak)
ALL_MODULES = (portal, gwa_api, keycloak, dataplane, upstream, board)


def open_context(config: SandboxConfig) -> SandboxContext:
    return SandboxContext.open(config, [getattr(m, "SCHEMA", "") for m in ALL_MODULES])


def build_apps(ctx: SandboxContext) -> dict[str, Starlette]:
    async def info(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "portal_url": ctx.portal_url,
                "portal_host": ctx.portal_hostport,
                "upstream_url": ctx.upstream_url,
                "data_plane_port": ctx.data_plane_port,
                "shared_idp_issuer": SHARED_IDP_ISSUER,
                "shared_idp_token_endpoint": ctx.shared_idp_token_endpoint,
                "login_issuer": ctx.login_issuer,
                "passcode_required": ctx.config.passcode is not None,
                "version": ctx.version,
            }
        )

    from starlette.routing import Route

    portal_routes = [Route("/sandbox/info", info, methods=["GET"])]
    for module in PORTAL_MODULES:
        portal_routes.extend(module.routes(ctx))
    portal_routes.extend(board.routes(ctx))
    limit = ctx.config.max_body_bytes
    return {
        "portal": Starlette(
            routes=portal_routes,
            exception_handlers=problem_handlers(),
            middleware=[BodyLimitMiddleware.spec(limit), observer.middleware(ctx)],
        ),
        "data_plane": Starlette(
            routes=dataplane.routes(ctx),
            exception_handlers=problem_handlers(),
            middleware=[BodyLimitMiddleware.spec(limit)],
        ),
        "upstream": Starlette(
            routes=upstream.routes(ctx),
            exception_handlers=problem_handlers(),
            middleware=[BodyLimitMiddleware.spec(limit)],
        ),
    }
