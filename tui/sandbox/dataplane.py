"""The sandbox's Kong data plane: one catch-all ASGI app on its own origin.

For every request: find the route (:mod:`kong_router`, by ``Host``, path and method; none →
404 ``no Route matched with those values``), run the ``jwt-keycloak`` plugin when the route
or its service has it enabled (:mod:`jwt_keycloak`, docs/contract.md#s13), then forward to the
service's upstream (:mod:`proxy`) over the sandbox's upstream pool. :data:`ROUTES` is one
module-level handler; the sandbox it serves is ``context_of(request)``, and :func:`lifespan`
keeps the listener's upstream pool and router in Starlette's lifespan state. Published
services are read from the shared ``kong_services`` table, consumers from ``consumers``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from . import jwt_keycloak, proxy, upstream_policy
from .classroom import observer
from .context import SandboxContext, context_of
from .kong_router import Router
from .upstream_pool import UpstreamPool

# A counter bumped by triggers on every change to the published services, so the router
# re-reads them only when they change (one tiny query per request otherwise).
SCHEMA = """
CREATE TABLE IF NOT EXISTS dataplane_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO dataplane_version(id, n) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS kong_services_inserted AFTER INSERT ON kong_services
BEGIN UPDATE dataplane_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS kong_services_updated AFTER UPDATE ON kong_services
BEGIN UPDATE dataplane_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS kong_services_deleted AFTER DELETE ON kong_services
BEGIN UPDATE dataplane_version SET n = n + 1 WHERE id = 1; END;
"""
NO_ROUTE = "no Route matched with those values"


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Per data-plane listener, in Starlette's lifespan state (each request sees it in
    ``request.scope["state"]``): the upstream pool, closed with the listener, and the router,
    which keeps the parsed routes of this sandbox (``app.state.ctx``) between requests."""
    pool = UpstreamPool()
    try:
        yield {"upstreams": pool, "router": Router(app.state.ctx)}
    finally:
        await pool.aclose()


async def proxy_request(scope: Scope, receive: Receive, send: Send) -> None:
    """Every request on the data plane's origin, whatever its method and path (an ASGI
    handler: a Starlette request handler would answer 405 to methods it was not told of)."""
    request = Request(scope, receive)
    ctx = context_of(request)
    state = scope["state"]
    router: Router = state["router"]
    response = await _answer(ctx, router, state["upstreams"], request)
    observer.data_plane(ctx, router, request, response)  # the class board
    await response(scope, receive, send)


class _Asgi:
    """Marks an ASGI function as such for Starlette's ``Route`` (which treats a plain
    function as a request handler and limits it to GET); it holds no state."""

    def __init__(self, handler: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handler(scope, receive, send)


async def _answer(
    ctx: SandboxContext, router: Router, pool: UpstreamPool, request: Request
) -> Response | proxy.ProxiedResponse:
    started = time.perf_counter()
    match = router.match(request.headers.get("host", ""), request.method, request.url.path)
    if match is None:
        return proxy.kong_error(404, NO_ROUTE)
    route = match.route
    if route.protocols and "http" not in route.protocols:
        return proxy.kong_error(route.https_redirect_status_code, "Please use HTTPS protocol")
    extra: dict[str, str | None] = {}
    conf = route.plugin("jwt-keycloak")
    if conf is not None:
        outcome = await jwt_keycloak.run(ctx, conf, request)
        if not outcome.ok:
            headers = {}
            if conf.get("realm") and outcome.status != 403:
                headers["WWW-Authenticate"] = f'Bearer realm="{conf["realm"]}"'
            return proxy.kong_error(outcome.status, outcome.message, headers)
        extra = outcome.headers
    if await upstream_policy.refused_now(ctx, route.service.host, route.service.port):
        return proxy.kong_error(502, upstream_policy.REFUSED)
    return await proxy.forward(request, match, extra, started, pool)


# Any method, any path: Kong's router (``kong_router``) decides, not Starlette's.
ROUTES: list[BaseRoute] = [Route("/{path:path}", _Asgi(proxy_request))]
