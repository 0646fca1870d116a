"""The API Services Portal's REST API (``/ds/api``): discovery, gateways, resources, consumers.

Paths, statuses and bodies follow docs/contract.md#s3.2, #s4.2, #s5 to #s7, #s10 and #s16. The
pieces live in ``gateways.py`` (gateways, availability, organizations), ``resources.py``
(issuer/dataset/product PUTs), ``catalog.py`` (GET views), ``consumers.py``,
``portal_deletes.py`` (issuer/product/environment DELETEs), ``gateway_extras.py`` (pattern,
report, activity, links, identifiers) and ``organizations.py`` (org administration); error
bodies, authentication and tsoa-style body checks in ``portal_errors.py``; the activity log
in ``activity.py``.

Tables added here: ``issuers``, ``datasets``, ``products`` (``resources.SCHEMA``) and
``applications`` (``consumers.SCHEMA``); consumers go to the shared ``consumers`` table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import resources as package_files
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity, catalog, consumers, gateway_extras, gateways, organizations, portal_deletes
from . import resources as batch
from .context import SandboxContext, context_of
from .portal_errors import (
    ISSUER_ADMIN,
    NAMESPACE_MANAGE,
    Problem,
    json_body,
    not_found,
    require_scope,
)

SCHEMA = batch.SCHEMA + consumers.SCHEMA + activity.SCHEMA + organizations.SCHEMA

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


def owner_name(username: str) -> str:
    """The portal's name for a profile's owner: the user's username with its identity
    provider, ``janis@idir`` (sandbox learners sign in with the bare name they typed, which
    the sandbox qualifies as IDIR's); service accounts keep their own name."""
    if "@" in username or username.startswith("service-account-"):
        return username
    return f"{username}@idir"


def _batch_put(ctx: SandboxContext, kind: str, gateway_id: str, username: str, body: Any) -> dict:
    try:
        with ctx.db.transaction() as conn:
            if kind == "issuers":
                result = batch.put_issuer(conn, gateway_id, owner_name(username), body)
            elif kind == "datasets":
                result = batch.put_dataset(conn, gateway_id, body)
            else:
                result = batch.put_product(conn, gateway_id, body)
            if result.get("result") != "no-change":
                entity = {"issuers": "authorization profile", "datasets": "dataset"}
                activity.record(
                    conn,
                    gateway_id,
                    username,
                    str(result.get("result")),
                    entity.get(kind, "product"),
                    str(body.get("name")),
                )
            return result
    except sqlite3.IntegrityError as exc:
        raise Problem(
            400, {"status": 400, "result": "update-failed", "reason": str(exc), "childResults": []}
        ) from None


SCOPE_FOR_PUT = {
    "issuers": ISSUER_ADMIN,
    "datasets": NAMESPACE_MANAGE,
    "products": NAMESPACE_MANAGE,
}


async def discovery(request: Request) -> Response:
    return Response(
        status_code=204, headers={"Link": '</ds/api/v3/openapi.yaml>; rel="service-desc"'}
    )


async def openapi(request: Request) -> Response:
    return Response(openapi_text(context_of(request)), media_type="application/yaml")


def put_route(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def put(request: Request) -> Response:
        ctx = context_of(request)
        gateway_id = request.path_params["gw"]
        username = require_scope(ctx, request, gateway_id, SCOPE_FOR_PUT[kind])
        body = await json_body(request)
        return JSONResponse(_batch_put(ctx, kind, gateway_id, username, body))

    return put


def manager_view(
    view: Callable[[SandboxContext, str], Any],
) -> Callable[[Request], Awaitable[Response]]:
    """A GET of one gateway's catalogue (products, issuers, directory): Namespace.Manage."""

    async def get(request: Request) -> Response:
        ctx = context_of(request)
        gateway_id = request.path_params["gw"]
        require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
        return JSONResponse(view(ctx, gateway_id))

    return get


async def get_directory_item(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    item = catalog.directory_item(ctx, gateway_id, request.path_params["id"])
    if item is None:
        raise not_found()
    return JSONResponse(item)


async def get_dataset(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    item = catalog.dataset(ctx, request.path_params["name"])
    if item is None:
        raise not_found()
    return JSONResponse(item)


async def put_services(request: Request) -> Response:
    require_scope(context_of(request), request, request.path_params["gw"], "Gateway.Config")
    return JSONResponse({"error": "Stub - not implemented"})


async def public_directory(request: Request) -> Response:
    return JSONResponse(catalog.public_directory(context_of(request)))


async def public_directory_item(request: Request) -> Response:
    for item in catalog.public_directory(context_of(request)):
        if item["id"] == request.path_params["id"]:
            return JSONResponse(item)
    return Response(status_code=204)  # tsoa answers 204 for a null result


async def put_body(request: Request) -> Response:
    # Parse first so malformed JSON gets the body-parser answer, as the real portal does.
    await json_body(request)
    raise not_found()


GW = "/v3/gateways/{gw}"

# Mounted under /ds/api (``app.py``); ``/ds/api`` itself (discovery) is outside the mount.
ROUTES = [
    Route("/v3/openapi.yaml", openapi, methods=["GET"]),
    *gateway_extras.ROUTES,
    *gateways.ROUTES,
    *organizations.ROUTES,
    *portal_deletes.ROUTES,
    Route(f"{GW}/issuers", put_route("issuers"), methods=["PUT"]),
    Route(f"{GW}/issuers", manager_view(catalog.issuers), methods=["GET"]),
    Route(f"{GW}/datasets", put_route("datasets"), methods=["PUT"]),
    Route(f"{GW}/datasets/{{name}}", get_dataset, methods=["GET"]),
    Route(f"{GW}/products", put_route("products"), methods=["PUT"]),
    Route(f"{GW}/products", manager_view(catalog.products), methods=["GET"]),
    Route(f"{GW}/directory", manager_view(catalog.directory), methods=["GET"]),
    Route(f"{GW}/directory/{{id}}", get_directory_item, methods=["GET"]),
    Route(f"{GW}/environments", put_body, methods=["PUT"]),
    Route(f"{GW}/services", manager_view(catalog.gateway_routes), methods=["GET"]),
    Route(f"{GW}/services", put_services, methods=["PUT"]),
    Route("/v3/directory", public_directory, methods=["GET"]),
    Route("/v3/directory/{id}", public_directory_item, methods=["GET"]),
    *consumers.ROUTES,
]
