"""The portal's DELETEs of a gateway's authorization profiles, products and environments.

* ``DELETE /gateways/{gw}/issuers/{name}`` (CredentialIssuer.Admin) → 200 BatchResult
  ``deleted``; refused (400 ``delete-failed``) while a product environment uses it.
* ``DELETE /gateways/{gw}/products/{appId}`` (Namespace.Manage) → 200 BatchResult
  ``deleted``; refused while a consumer has access to one of its environments.
* ``DELETE /gateways/{gw}/environments/{appId}?force=`` (Namespace.Manage) → 204; with
  consumers it needs ``force=true``, which revokes them too.

Unknown names answer 404: a BatchResult ``not-found`` for the first two, the portal's
``Resource not found`` for the environment. Rows are read with the helpers of
``resources.py``; this module writes only the deletes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity
from .context import context_of
from .portal_errors import (
    ISSUER_ADMIN,
    NAMESPACE_MANAGE,
    Problem,
    not_found,
    require_scope,
    validation_failed,
)
from .resources import find_environment


def delete_failed(reason: str) -> Problem:
    """A refused DELETE: HTTP 400 with the failing BatchResult (as a failed PUT answers)."""
    return Problem(
        400, {"status": 400, "result": "delete-failed", "reason": reason, "childResults": []}
    )


def _deleted(record_id: str) -> dict[str, Any]:
    return {"status": 200, "result": "deleted", "id": record_id, "childResults": []}


def _not_found(what: str) -> Problem:
    return Problem(404, {"status": 404, "result": "not-found", "reason": what, "childResults": []})


def _consumers_of(conn: sqlite3.Connection, gateway_id: str, env_app_ids: list[str]) -> int:
    if not env_app_ids:
        return 0
    marks = ",".join("?" for _ in env_app_ids)
    return conn.execute(
        f"SELECT COUNT(*) FROM consumers WHERE gateway_id=? AND environment_app_id IN ({marks})",
        (gateway_id, *env_app_ids),
    ).fetchone()[0]


def _plural(n: int, thing: str) -> str:
    return (
        f"1 consumer has access to this {thing}"
        if n == 1
        else (f"{n} consumers have access to this {thing}")
    )


async def delete_issuer(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id, name = request.path_params["gw"], request.path_params["name"]
    username = require_scope(ctx, request, gateway_id, ISSUER_ADMIN)
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT id FROM issuers WHERE gateway_id=? AND name=?", (gateway_id, name)
        ).fetchone()
        if row is None:
            raise _not_found(name)
        for product in conn.execute("SELECT doc FROM products WHERE gateway_id=?", (gateway_id,)):
            for env in json.loads(product["doc"]).get("environments", []):
                if env.get("credentialIssuer") == name:
                    raise delete_failed(
                        f"Authorization Profile is in use by environment {env.get('appId')}"
                    )
        conn.execute("DELETE FROM issuers WHERE gateway_id=? AND name=?", (gateway_id, name))
        activity.record(conn, gateway_id, username, "deleted", "authorization profile", name)
    return JSONResponse(_deleted(row["id"]))


async def delete_product(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id, app_id = request.path_params["gw"], request.path_params["appId"]
    username = require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT id, name, doc FROM products WHERE gateway_id=? AND app_id=?",
            (gateway_id, app_id),
        ).fetchone()
        if row is None:
            raise _not_found(app_id)
        envs = [e.get("appId") for e in json.loads(row["doc"]).get("environments", [])]
        held = _consumers_of(conn, gateway_id, [e for e in envs if isinstance(e, str)])
        if held:
            raise delete_failed(_plural(held, "product"))
        conn.execute("DELETE FROM products WHERE id=?", (row["id"],))
        activity.record(conn, gateway_id, username, "deleted", "product", row["name"])
    return JSONResponse(_deleted(row["id"]))


async def delete_environment(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id, app_id = request.path_params["gw"], request.path_params["appId"]
    username = require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    raw_force = request.query_params.get("force", "false").lower()
    if raw_force not in ("true", "false", ""):
        raise validation_failed(
            "", {"force": {"message": "invalid boolean value", "value": raw_force}}
        )
    with ctx.db.transaction() as conn:
        found = find_environment(conn, gateway_id, app_id)
        if found is None:
            raise not_found()
        product, _env = found
        held = _consumers_of(conn, gateway_id, [app_id])
        if held and raw_force != "true":
            raise validation_failed(
                "Unable to delete product environment",
                {"d0": {"message": _plural(held, "environment")}},
            )
        conn.execute(
            "DELETE FROM consumers WHERE gateway_id=? AND environment_app_id=?",
            (gateway_id, app_id),
        )
        row = conn.execute("SELECT doc FROM products WHERE id=?", (product["id"],)).fetchone()
        doc = json.loads(row["doc"])
        doc["environments"] = [e for e in doc.get("environments", []) if e.get("appId") != app_id]
        conn.execute("UPDATE products SET doc=? WHERE id=?", (json.dumps(doc), product["id"]))
        activity.record(conn, gateway_id, username, "deleted", "environment", app_id)
    return Response(status_code=204)


GW = "/v3/gateways/{gw}"

# Mounted under /ds/api (``portal.ROUTES``).
ROUTES = [
    Route(f"{GW}/issuers/{{name}}", delete_issuer, methods=["DELETE"]),
    Route(f"{GW}/products/{{appId}}", delete_product, methods=["DELETE"]),
    Route(f"{GW}/environments/{{appId}}", delete_environment, methods=["DELETE"]),
]
