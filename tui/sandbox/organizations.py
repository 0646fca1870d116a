"""Organization administration (``/ds/api/v3/organizations/{org}/…``, ``/roles``).

The portal protects these with scopes on the organization's UMA resource, which a learner
does not hold: ``Dataset.Manage`` (the org's datasets), ``GroupAccess.Manage`` (the org
itself, its roles and members) and ``Namespace.Assign`` (which gateways belong to it). In
the sandbox an org's members and their roles live in ``org_members``; ``PUT …/access`` sets
them, and the roles grant the scopes (``ROLES``). Nobody holds a role until someone with
``GroupAccess.Manage`` adds them, so by default these answer the portal's 403.
``GET /organizations`` and ``GET /organizations/{org}`` stay in ``gateways.py``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity
from . import resources as batch
from .context import SandboxContext, context_of
from .gateways import ORGANIZATIONS, org_unit_exists
from .portal_deletes import delete_failed
from .portal_errors import Problem, check_model, json_body, not_found, portal_user

SCHEMA = """
CREATE TABLE IF NOT EXISTS org_members (
    org      TEXT NOT NULL,
    username TEXT NOT NULL,
    roles    TEXT NOT NULL,
    PRIMARY KEY (org, username)
);
CREATE TABLE IF NOT EXISTS org_overrides (
    org TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gateway_orgs (
    gateway_id TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    org_unit   TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
"""

DATASET_MANAGE = "Dataset.Manage"
GROUP_ACCESS_MANAGE = "GroupAccess.Manage"
NAMESPACE_ASSIGN = "Namespace.Assign"
ROLES: list[dict[str, Any]] = [
    {
        "name": "organization-admin",
        "permissions": [{"scopes": [GROUP_ACCESS_MANAGE, NAMESPACE_ASSIGN, DATASET_MANAGE]}],
    },
    {"name": "data-custodian", "permissions": [{"scopes": [DATASET_MANAGE]}]},
    {"name": "api-owner", "permissions": [{"scopes": [NAMESPACE_ASSIGN]}]},
]
ROLE_NAMES = [r["name"] for r in ROLES]
ORG_MODEL = {
    "extForeignKey": "string",
    "name": "string",
    "sector": "string",
    "title": "string",
    "description": "string",
    "extSource": "string",
    "extRecordHash": "string",
    "tags": ("array", "string"),
    "orgUnits": ("array", "any"),
}
MEMBERSHIP_MODEL = {
    "name": "string",
    "parent": "string",
    "members": ("array", ("model", {"member": ("model", {"id": "string", "email": "string"}), "roles": ("array", ("enum", ROLE_NAMES))})),
}  # fmt: skip


def scopes_of(ctx: SandboxContext, org: str, username: str) -> set[str]:
    row = ctx.db.query_one(
        "SELECT roles FROM org_members WHERE org=? AND username=?", (org, username)
    )
    names = set(json.loads(row["roles"])) if row else set()
    return {s for r in ROLES if r["name"] in names for p in r["permissions"] for s in p["scopes"]}


def require_org_scope(request: Request, scope: str) -> tuple[SandboxContext, str, str]:
    """Authenticate and check ``scope`` on the org (unknown org → the same 403)."""
    ctx = context_of(request)
    org = request.path_params["org"]
    username = portal_user(ctx, request)
    if org not in ORGANIZATIONS or scope not in scopes_of(ctx, org, username):
        raise Problem(
            403, {"code": "permission_denied", "message": f"Missing required scope: {org}:{scope}"}
        )
    return ctx, org, username


# -- datasets of an organization --------------------------------------------------------------
def _org_datasets(ctx: SandboxContext, org: str) -> list[dict[str, Any]]:
    docs = [json.loads(r["doc"]) for r in ctx.db.query("SELECT doc FROM datasets ORDER BY name")]
    return [d for d in docs if d.get("organization") == org]


async def org_datasets(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, DATASET_MANAGE)
    return JSONResponse(_org_datasets(ctx, org))


async def org_dataset(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, DATASET_MANAGE)
    name = request.path_params["name"]
    found = [d for d in _org_datasets(ctx, org) if d.get("name") == name]
    if not found:
        raise not_found()
    return JSONResponse(found[0])


async def put_org_dataset(request: Request) -> Response:
    ctx, org, username = require_org_scope(request, DATASET_MANAGE)
    body = await json_body(request)
    if isinstance(body, dict):
        body = {**body, "organization": org}
    with ctx.db.transaction() as conn:
        name = body.get("name") if isinstance(body, dict) else None
        cursor = conn.execute("SELECT gateway_id, doc FROM datasets WHERE name=?", (name,))
        row = cursor.fetchone() if isinstance(name, str) else None
        if row is not None and json.loads(row["doc"]).get("organization") != org:
            raise batch.failed(True, "Dataset belongs to another organization")
        return JSONResponse(batch.put_dataset(conn, row["gateway_id"] if row else "", body))


async def delete_org_dataset(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, DATASET_MANAGE)
    name = request.path_params["name"]
    with ctx.db.transaction() as conn:
        row = conn.execute("SELECT id, doc FROM datasets WHERE name=?", (name,)).fetchone()
        if row is None or json.loads(row["doc"]).get("organization") != org:
            raise Problem(
                404, {"status": 404, "result": "not-found", "reason": name, "childResults": []}
            )
        used = [
            r["name"]
            for r in conn.execute("SELECT name, doc FROM products")
            if json.loads(r["doc"]).get("dataset") == name
        ]
        if used:
            raise delete_failed(f"Dataset is used by product {used[0]}")
        conn.execute("DELETE FROM datasets WHERE name=?", (name,))
    return JSONResponse({"status": 200, "result": "deleted", "id": row["id"], "childResults": []})


# -- the organization, its roles and members --------------------------------------------------
async def put_organization(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, GROUP_ACCESS_MANAGE)
    body = await json_body(request)
    check_model(body, ORG_MODEL)
    doc = batch.compact({k: v for k, v in body.items() if k != "name"})
    with ctx.db.transaction() as conn:
        row = conn.execute("SELECT doc FROM org_overrides WHERE org=?", (org,)).fetchone()
        before = json.loads(row["doc"]) if row else {}
        merged = {**before, **doc}
        result = "no-change" if merged == before else "updated"
        conn.execute(
            "INSERT OR REPLACE INTO org_overrides(org, doc) VALUES (?,?)", (org, json.dumps(merged))
        )
    return JSONResponse({"status": 200, "result": result, "id": org, "childResults": []})


async def org_roles(request: Request) -> Response:
    _, org, _ = require_org_scope(request, GROUP_ACCESS_MANAGE)
    return JSONResponse({"name": org, "roles": ROLES})


async def org_access(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, GROUP_ACCESS_MANAGE)
    rows = ctx.db.query("SELECT * FROM org_members WHERE org=? ORDER BY username", (org,))
    members = [{"member": {"email": r["username"]}, "roles": json.loads(r["roles"])} for r in rows]
    return JSONResponse({"name": org, "members": members})


async def put_org_access(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, GROUP_ACCESS_MANAGE)
    body = await json_body(request)
    check_model(body, MEMBERSHIP_MODEL)
    with ctx.db.transaction() as conn:
        for entry in body.get("members") or []:
            member = entry.get("member") or {}
            who = member.get("email") or member.get("id")
            if not who:
                continue
            roles = sorted(set(entry.get("roles") or []))
            if roles:
                conn.execute(
                    "INSERT OR REPLACE INTO org_members(org, username, roles) VALUES (?,?,?)",
                    (org, who, json.dumps(roles)),
                )
            else:
                conn.execute("DELETE FROM org_members WHERE org=? AND username=?", (org, who))
    return Response(status_code=204)


async def roles(request: Request) -> Response:
    return JSONResponse(ROLES)


# -- gateways of an organization --------------------------------------------------------------
def gateway_org(ctx: SandboxContext, gateway_id: str) -> sqlite3.Row | None:
    return ctx.db.query_one("SELECT * FROM gateway_orgs WHERE gateway_id=?", (gateway_id,))


async def org_gateways(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, NAMESPACE_ASSIGN)
    rows = ctx.db.query("SELECT * FROM gateway_orgs WHERE org=? ORDER BY gateway_id", (org,))
    return JSONResponse(
        [
            {
                "name": r["gateway_id"],
                "orgUnit": r["org_unit"],
                "enabled": bool(r["enabled"]),
                "updatedAt": r["updated_at"],
            }
            for r in rows
        ]
    )


def _enable(value: str | None) -> bool:
    if value is None or value == "":
        return True
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Problem(
        422,
        {
            "code": "validation_error",
            "message": "",
            "fields": {"enable": {"message": "invalid boolean value", "value": value}},
        },
    )


async def assign_gateway(request: Request) -> Response:
    ctx, org, username = require_org_scope(request, NAMESPACE_ASSIGN)
    unit, gateway_id = request.path_params["orgUnit"], request.path_params["gatewayId"]
    enabled = _enable(request.query_params.get("enable"))
    if not org_unit_exists(org, unit):
        raise Problem(422, {"message": f"Organization Unit not found: {unit}"})
    with ctx.db.transaction() as conn:
        if conn.execute("SELECT 1 FROM gateways WHERE gateway_id=?", (gateway_id,)).fetchone():
            conn.execute(
                "INSERT OR REPLACE INTO gateway_orgs(gateway_id, org, org_unit, enabled,"
                " updated_at) VALUES (?,?,?,?,?)",
                (gateway_id, org, unit, int(enabled), time.time() * 1000),
            )
            activity.record(conn, gateway_id, username, "assigned", "gateway", gateway_id)
        else:
            raise not_found()
    return JSONResponse({"result": "assigned" if enabled else "disabled"})


async def unassign_gateway(request: Request) -> Response:
    ctx, org, username = require_org_scope(request, NAMESPACE_ASSIGN)
    gateway_id = request.path_params["gatewayId"]
    with ctx.db.transaction() as conn:
        gone = conn.execute(
            "DELETE FROM gateway_orgs WHERE gateway_id=? AND org=? AND org_unit=?",
            (gateway_id, org, request.path_params["orgUnit"]),
        ).rowcount
        if not gone:
            raise not_found()
        activity.record(conn, gateway_id, username, "unassigned", "gateway", gateway_id)
    return JSONResponse({"result": "unassigned"})


async def org_activity(request: Request) -> Response:
    ctx, org, _ = require_org_scope(request, NAMESPACE_ASSIGN)
    first, skip = activity.page(request.query_params)
    ids = [
        r["gateway_id"]
        for r in ctx.db.query("SELECT gateway_id FROM gateway_orgs WHERE org=?", (org,))
    ]
    return JSONResponse(activity.listing(ctx.db, ids, first, skip))


ORG = "/v3/organizations/{org}"

# Mounted under /ds/api (``portal.ROUTES``).
ROUTES = [
    Route("/v3/roles", roles, methods=["GET"]),
    Route(ORG, put_organization, methods=["PUT"]),
    Route(f"{ORG}/datasets", org_datasets, methods=["GET"]),
    Route(f"{ORG}/datasets", put_org_dataset, methods=["PUT"]),
    Route(f"{ORG}/datasets/{{name}}", org_dataset, methods=["GET"]),
    Route(f"{ORG}/datasets/{{name}}", delete_org_dataset, methods=["DELETE"]),
    Route(f"{ORG}/roles", org_roles, methods=["GET"]),
    Route(f"{ORG}/access", org_access, methods=["GET"]),
    Route(f"{ORG}/access", put_org_access, methods=["PUT"]),
    Route(f"{ORG}/gateways", org_gateways, methods=["GET"]),
    Route(f"{ORG}/activity", org_activity, methods=["GET"]),
    Route(f"{ORG}/{{orgUnit}}/gateways/{{gatewayId}}", assign_gateway, methods=["PUT"]),
    Route(f"{ORG}/{{orgUnit}}/gateways/{{gatewayId}}", unassign_gateway, methods=["DELETE"]),
]
