"""The sandbox's Kong data plane: one bare ASGI app on its own origin.

For every request: find the route (:mod:`kong_router`, by ``Host``, path and method; none →
404 ``no Route matched with those values``), run the ``jwt-keycloak`` plugin when the route
or its service has it enabled (:mod:`jwt_keycloak`, docs/contract.md#s13), then forward to the
service's upstream (:mod:`proxy`) over the sandbox's upstream pool. :func:`application` builds
it for one sandbox: the upstream pool and the router are opened by the listener's lifespan and
kept on the app. Published services are read from the shared ``kong_services`` table,
consumers from ``consumers``.

No Starlette application, router or middleware stack sits in front: Kong's router decides
every request (any method, any path), so a framework's routing, exception middleware and
lazily built URL objects were measured work with nothing to decide (about a fifth of a
proxied request's CPU, ``tests/benchmarks/bench_dataplane.py``). What the stack did that
matters is kept: the body size cap (:class:`~.limits.BodyLimitMiddleware`) and a JSON 500,
logged, for anything unexpected.
"""

from __future__ import annotations

import functools
import logging
import time

from starlette.datastructures import URL, QueryParams, State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import jwt_keycloak, proxy, upstream_policy
from .classroom import observer
from .context import SandboxContext
from .kong_router import Router
from .limits import BodyLimitMiddleware, BodyTooLarge
from .upstream_pool import UpstreamPool

log = logging.getLogger("gwa_wizard.sandbox")

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
_NO_QUERY = QueryParams("")


class ProxyRequest(Request):
    """A Starlette request whose hot attributes skip the general machinery: the path as
    ``request.url.path`` gives it, without building a URL (once per request), and no query
    parsing for a request without a query string."""

    @functools.cached_property
    def path(self) -> str:  # the router, the proxy and the board each ask: worked out once
        path: str = self.scope["path"]
        escaped = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
        if escaped.isprintable() and " " not in escaped:
            return escaped  # what URL(scope).path is for every printable path
        return URL(scope=self.scope).path  # control characters: let the URL parser decide

    @property
    def query_params(self) -> QueryParams:
        if not self.scope.get("query_string"):
            return _NO_QUERY
        return super().query_params


class DataPlane:
    """The data plane's ASGI app for one sandbox (``state.ctx``, as Starlette apps have)."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.state = State()
        self.state.ctx = ctx
        self.router: Router | None = None
        self.pool: UpstreamPool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # a WebSocket upgrade: Kong routes none of the sandbox's
            await send({"type": "websocket.close", "code": 1000})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool, self.router = UpstreamPool(), Router(self.ctx)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                pool, self.pool = self.pool, None
                if pool is not None:
                    await pool.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            router, pool = self.router, self.pool
            if router is None or pool is None:  # served without its lifespan
                router, pool = self.router, self.pool = Router(self.ctx), UpstreamPool()
            request = ProxyRequest(scope, receive)
            response = await _answer(self.ctx, router, pool, request)
            observer.data_plane(self.ctx, router, request, response)  # the class board
            await response(scope, receive, watched)
        except BodyTooLarge:
            raise  # the size cap around this app answers 413
        except Exception:
            log.exception("sandbox data plane error on %s %s", scope["method"], scope["path"])
            if not started:
                crash = proxy.kong_error(500, "An unexpected error occurred")
                await crash(scope, receive, send)


def application(ctx: SandboxContext) -> ASGIApp:
    """The data plane origin of ``ctx``'s sandbox, with the sandbox's body size cap."""
    return BodyLimitMiddleware(DataPlane(ctx), ctx.config.max_body_bytes)


async def _answer(
    ctx: SandboxContext, router: Router, pool: UpstreamPool, request: ProxyRequest
) -> Response | proxy.ProxiedResponse:
    started = time.perf_counter()
    match = router.match(request.headers.get("host", ""), request.method, request.path)
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
