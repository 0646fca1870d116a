"""The API Services Portal's REST API (``/ds/api``): discovery, gateways, resources, consumers.

Paths, statuses and bodies follow ``aps-contract.md`` §3.2, §4.2, §5–§7, §10 and §16. The
pieces live in ``gateways.py`` (gateways, availability, organizations), ``resources.py``
(issuer/dataset/product PUTs), ``catalog.py`` (GET views) and ``consumers.py``; error bodies,
authentication and tsoa-style body checks in ``portal_errors.py``.

Tables added here: ``issuers``, ``datasets``, ``products`` (``resources.SCHEMA``) and
``applications`` (``consumers.SCHEMA``); consumers go to the shared ``consumers`` table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from importlib import resources as package_files
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import catalog, consumers, gateways
from . import resources as batch
from .context import SandboxContext
from .portal_errors import (
    ISSUER_ADMIN,
    NAMESPACE_MANAGE,
    Problem,
    handler,
    json_body,
    not_found,
    require_scope,
)

SCHEMA = batch.SCHEMA + consumers.SCHEMA

SPEC_FILE = "aps-portal-v3-openapi.yaml"


@cache
def _spec_text() -> str:
    return package_files.files("tui.sandbox").joinpath("data", SPEC_FILE).read_text("utf-8")


def openapi_text(ctx: SandboxContext) -> str:
    """The v3 description with the ``openid`` and ``jwt`` URLs pointing at the login realm."""
    return (
        _spec_text()
        .replace(
            "'https://well_known_endpoint'",
            f"'{ctx.login_issuer}/.well-known/openid-configuration'",
        )
        .replace("'https://token_endpoint'", f"'{ctx.login_issuer}/protocol/openid-connect/token'")
    )


def _batch_put(ctx: SandboxContext, kind: str, gateway_id: str, username: str, body: Any) -> dict:
    try:
        with ctx.db.transaction() as conn:
            if kind == "issuers":
                return batch.put_issuer(conn, gateway_id, username, body)
            if kind == "datasets":
                return batch.put_dataset(conn, gateway_id, body)
            return batch.put_product(conn, gateway_id, body)
    except sqlite3.IntegrityError as exc:
        raise Problem(
            400, {"status": 400, "result": "update-failed", "reason": str(exc), "childResults": []}
        ) from None


SCOPE_FOR_PUT = {
    "issuers": ISSUER_ADMIN,
    "datasets": NAMESPACE_MANAGE,
    "products": NAMESPACE_MANAGE,
}


def routes(ctx: SandboxContext) -> list[Route]:
    base = "/ds/api/v3/gateways/{gw}"

    async def discovery(request: Request) -> Response:
        return Response(
            status_code=204, headers={"Link": '</ds/api/v3/openapi.yaml>; rel="service-desc"'}
        )

    async def openapi(request: Request) -> Response:
        return Response(openapi_text(ctx), media_type="application/yaml")

    def put_route(kind: str):
        async def put(request: Request) -> Response:
            gateway_id = request.path_params["gw"]
            username = require_scope(ctx, request, gateway_id, SCOPE_FOR_PUT[kind])
            body = await json_body(request)
            return JSONResponse(_batch_put(ctx, kind, gateway_id, username, body))

        return put

    def manager_view(view: Callable[[SandboxContext, str], Any]) -> Callable[..., Any]:
        """A GET of one gateway's catalogue (products, issuers, directory): Namespace.Manage."""

        async def get(request: Request) -> Response:
            gateway_id = request.path_params["gw"]
            require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
            return JSONResponse(view(ctx, gateway_id))

        return get

    get_products = manager_view(catalog.products)
    get_issuers = manager_view(catalog.issuers)
    get_directory = manager_view(catalog.directory)

    async def get_directory_item(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
        item = catalog.directory_item(ctx, gateway_id, request.path_params["id"])
        if item is None:
            raise not_found()
        return JSONResponse(item)

    async def get_dataset(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
        item = catalog.dataset(ctx, request.path_params["name"])
        if item is None:
            raise not_found()
        return JSONResponse(item)

    async def get_routes(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
        return JSONResponse(catalog.gateway_routes(ctx, gateway_id))

    async def put_services(request: Request) -> Response:
        gateway_id = request.path_params["gw"]
        require_scope(ctx, request, gateway_id, "Gateway.Config")
        return JSONResponse({"error": "Stub - not implemented"})

    async def public_directory(request: Request) -> Response:
        return JSONResponse(catalog.public_directory(ctx))

    async def public_directory_item(request: Request) -> Response:
        for item in catalog.public_directory(ctx):
            if item["id"] == request.path_params["id"]:
                return JSONResponse(item)
        return Response(status_code=204)  # tsoa answers 204 for a null result

    async def put_body(request: Request) -> Response:
        # Parse first so malformed JSON gets the body-parser answer, as the real portal does.
        await json_body(request)
        raise not_found()

    return [
        Route("/ds/api", handler(discovery), methods=["GET"]),
        Route("/ds/api/v3/openapi.yaml", handler(openapi), methods=["GET"]),
        *gateways.routes(ctx),
        Route(f"{base}/issuers", handler(put_route("issuers")), methods=["PUT"]),
        Route(f"{base}/issuers", handler(get_issuers), methods=["GET"]),
        Route(f"{base}/datasets", handler(put_route("datasets")), methods=["PUT"]),
        Route(f"{base}/datasets/{{name}}", handler(get_dataset), methods=["GET"]),
        Route(f"{base}/products", handler(put_route("products")), methods=["PUT"]),
        Route(f"{base}/products", handler(get_products), methods=["GET"]),
        Route(f"{base}/directory", handler(get_directory), methods=["GET"]),
        Route(f"{base}/directory/{{id}}", handler(get_directory_item), methods=["GET"]),
        Route(f"{base}/environments", handler(put_body), methods=["PUT"]),
        Route(f"{base}/services", handler(get_routes), methods=["GET"]),
        Route(f"{base}/services", handler(put_services), methods=["PUT"]),
        Route("/ds/api/v3/directory", handler(public_directory), methods=["GET"]),
        Route("/ds/api/v3/directory/{id}", handler(public_directory_item), methods=["GET"]),
        *consumers.routes(ctx),
    ]
