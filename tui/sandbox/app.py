"""Builds the sandbox's three ASGI applications from its modules.

* portal origin: the portal (``/ds/api``), gwa-api (``/gw/api``), both Keycloak realms
  (``/auth/realms/...``) and the sandbox's own ``/sandbox/...`` endpoints;
* data plane origin: Kong, routing by ``Host``;
* upstream origin: the built-in httpbin-compatible service.

How a module declares its routes: a module-level ``ROUTES`` list of Starlette routes whose
paths are relative to the mount they belong to: ``portal.ROUTES`` under ``/ds/api``,
``gwa_api.ROUTES`` under ``/gw/api``, ``keycloak.ROUTES`` under ``/auth``,
``service_accounts.ROUTES`` and ``answers.ROUTES`` under ``/sandbox``; at the origin's root, in
a :class:`RootMount` each, ``web.ROUTES`` (the portal's pages) and ``board.ROUTES`` (the class
board); ``upstream.ROUTES`` is a whole origin, and the data plane (``dataplane.application``) is one
without a Starlette app of its own. Handlers are plain module-level
functions that reach the instance through ``context_of(request)`` (the context lives in
``app.state.ctx``) and catch nothing they cannot answer themselves: each mount's exception
handlers are the one place errors become responses (``portal_errors.mount_handlers``: a
``Problem`` becomes its JSON answer; ``web.page_handlers``: a ``PageRefusal`` becomes a page).
A module that stores data also exposes ``SCHEMA`` (SQL, may be empty).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

from . import answers, dataplane, gwa_api, keycloak, portal, service_accounts, upstream, web
from .classroom import board, observer
from .context import SHARED_IDP_ISSUER, SandboxConfig, SandboxContext, context_of
from .limits import BodyLimitMiddleware, problem_handlers
from .portal_errors import GWA_CRASH, PORTAL_CRASH, mount_handlers

PORTAL_MODULES = (portal, gwa_api, keycloak, web, answers)  # web: the portal's pages
ALL_MODULES = (*PORTAL_MODULES, dataplane, upstream, board)


def open_context(config: SandboxConfig) -> SandboxContext:
    return SandboxContext.open(config, [getattr(m, "SCHEMA", "") for m in ALL_MODULES])


def start_warm_up(ctx: SandboxContext) -> None:
    threading.Thread(target=ctx.warm_up, name="gwa-sandbox-warm-up", daemon=True).start()


@contextlib.asynccontextmanager
async def portal_lifespan(app: Starlette) -> AsyncIterator[None]:
    """The portal's lifespan: first-use work warms up in a thread meanwhile; the sandbox's
    outgoing HTTP client closes with it."""
    ctx: SandboxContext = app.state.ctx
    if not ctx.config.warm_up_later:
        start_warm_up(ctx)
    try:
        yield
    finally:
        await ctx.close_clients()


async def info(request: Request) -> JSONResponse:
    ctx = context_of(request)
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


def _mount(path: str, routes: Sequence[BaseRoute], crash_body: object) -> Mount:
    handlers = mount_handlers(crash_body)
    return Mount(path, routes=list(routes), middleware=[Middleware(ExceptionMiddleware, handlers)])


class RootMount(Mount):
    """A mount at the origin's root for routes that share no prefix: the portal's pages
    (``/login``, ``/manager/...``, ``/devportal/...``) and the class board (``/class...``).

    A plain ``Mount("")`` would claim every path. This one claims only the paths its own
    routes match (fully, or by path alone, which answers 405), so an unknown path and the
    routes after it answer exactly as if its routes were listed at the top level, while its
    errors go through its own exception handlers like any other mount's.
    """

    def __init__(self, routes: Sequence[BaseRoute], handlers: dict[Any, Any]) -> None:
        super().__init__(
            "", routes=list(routes), middleware=[Middleware(ExceptionMiddleware, handlers)]
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        inner = {**scope, **child_scope}
        best = Match.NONE
        for route in self.routes:
            found, _ = route.matches(inner)
            if found is Match.FULL:
                return found, child_scope
            if found is Match.PARTIAL:
                best = found
        return (best, child_scope) if best is Match.PARTIAL else (Match.NONE, {})


async def ca_pem(request: Request) -> Response:
    """The sandbox CA's certificate, for ``curl --cacert`` against the data plane's https."""
    pem = context_of(request).certificate_authority().pem
    return Response(pem, media_type="application/x-pem-file")


SANDBOX_ROUTES: list[BaseRoute] = [
    Route("/info", info, methods=["GET"]),
    Route("/ca.pem", ca_pem, methods=["GET"]),
    *service_accounts.ROUTES,
    *answers.ROUTES,
]

PORTAL_ROUTES: list[BaseRoute] = [
    # The mount prefixes themselves: a Mount matches only ``prefix/...``.
    Route("/ds/api", portal.discovery, methods=["GET"]),
    Route("/gw/api", gwa_api.unknown),
    _mount("/ds/api", portal.ROUTES, PORTAL_CRASH),
    _mount("/gw/api", gwa_api.ROUTES, GWA_CRASH),
    _mount("/auth", keycloak.ROUTES, PORTAL_CRASH),
    _mount("/sandbox", SANDBOX_ROUTES, PORTAL_CRASH),
    RootMount(web.ROUTES, web.page_handlers()),  # the portal's pages: errors become pages
    web.ASSETS,
    RootMount(board.ROUTES, mount_handlers(PORTAL_CRASH)),  # the trainer's class board
]


def _app(
    ctx: SandboxContext, routes: Sequence[BaseRoute], lifespan: Any = None, *extra: Middleware
) -> Starlette:
    app = Starlette(
        routes=list(routes),
        exception_handlers=problem_handlers(),
        middleware=[BodyLimitMiddleware.spec(ctx.config.max_body_bytes), *extra],
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


def build_apps(ctx: SandboxContext) -> dict[str, Any]:
    return {
        "portal": _app(
            ctx,
            PORTAL_ROUTES,
            portal_lifespan,
            observer.middleware(ctx),  # learner events for the class board
        ),
        "data_plane": dataplane.application(ctx),  # a bare ASGI app: Kong's router decides
        "upstream": _app(ctx, upstream.ROUTES),
    }
