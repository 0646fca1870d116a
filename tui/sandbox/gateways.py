"""Portal gateways (§5), route availability (§6.2) and organizations (§10)."""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import activity, quotas
from .context import SandboxContext, context_of
from .portal_errors import (
    CREATOR_SCOPES,
    NAMESPACE_MANAGE,
    Problem,
    check_model,
    graphql_failure,
    json_body,
    portal_user,
    require_scope,
    validation_failed,
)

GATEWAY_ID = re.compile(r"^[a-z][a-z0-9-]{3,13}[a-z0-9]$")
DISPLAY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-()_ .'/]{2,29}$")
ID_MESSAGE = (
    "Gateway ID must be between 5 and 15 lowercase alpha-numeric characters and start with a "
    "letter."
)
NAME_MESSAGE = (
    "Display name must be between 3 and 30 characters, starting with an alpha-numeric "
    'character, and can only use special characters "-()_ .\'/".'
)
PERM_DOMAINS = [".api.gov.bc.ca"]

ORGANIZATIONS: dict[str, dict[str, Any]] = {
    "ministry-of-citizens-services": {
        "title": "Ministry of Citizens' Services",
        "description": "Citizens' Services",
        "orgUnits": [
            {"name": "databc", "title": "DataBC", "description": "Data Systems and Services"},
            {
                "name": "digital-office",
                "title": "Digital Office",
                "description": "Office of the Chief Information Officer",
            },
        ],
    },
    "ministry-of-health": {
        "title": "Ministry of Health",
        "description": "Health",
        "orgUnits": [
            {"name": "planning-and-innovation", "title": "Planning and Innovation"},
        ],
    },
    "ministry-of-transportation-and-infrastructure": {
        "title": "Ministry of Transportation and Infrastructure",
        "description": "Transportation",
        "orgUnits": [{"name": "highways", "title": "Highways"}],
    },
}


def org_unit_exists(org: str, unit: str) -> bool:
    found = ORGANIZATIONS.get(org)
    return found is not None and any(u["name"] == unit for u in found["orgUnits"])


def org_ref(org: str) -> dict[str, str]:
    return {"name": org, "title": ORGANIZATIONS[org]["title"]}


def unit_ref(org: str, unit: str) -> dict[str, str]:
    """A unit that ``org_unit_exists`` let in (gateways and datasets are checked first)."""
    titles = {u["name"]: u["title"] for u in ORGANIZATIONS[org]["orgUnits"]}
    return {"name": unit, "title": titles[unit]}


# -- gateways ---------------------------------------------------------------------------------
def _new_gateway_id() -> str:
    """The portal's made-up id: ``gw-`` and five hex digits (about a million of them)."""
    return f"gw-{secrets.token_hex(3)[:5]}"


def create_gateway(ctx: SandboxContext, username: str, body: Any) -> dict[str, str]:
    check_model(body, {"gatewayId": "string", "displayName": "string"})
    given_id = body.get("gatewayId")
    gateway_id = given_id or _new_gateway_id()
    given_name = body.get("displayName")
    # The default ("janis@idir's Gateway") is not held to the rule; a given name is.
    display_name = given_name or f"{username}'s Gateway"
    problems = []
    if not GATEWAY_ID.match(gateway_id):
        problems.append(ID_MESSAGE)
    if given_name and not DISPLAY_NAME.match(given_name):
        problems.append(NAME_MESSAGE)
    if problems:
        raise graphql_failure("Unable to create Gateway", *problems)
    with ctx.db.transaction() as conn:
        taken = "SELECT 1 FROM gateways WHERE gateway_id=?"
        while conn.execute(taken, (gateway_id,)).fetchone():
            if given_id:
                raise graphql_failure("Unable to create Gateway", "Namespace already exists")
            gateway_id = _new_gateway_id()  # a made-up id is never someone else's
        quotas.check_gateways_per_user(ctx.config, conn, username)
        conn.execute(
            "INSERT INTO gateways(gateway_id, display_name, owner, created_at) VALUES (?,?,?,?)",
            (gateway_id, display_name, username, time.time()),
        )
        conn.executemany(
            "INSERT INTO permissions(gateway_id, username, scope) VALUES (?,?,?)",
            [(gateway_id, username, scope) for scope in CREATOR_SCOPES],
        )
        activity.record(conn, gateway_id, username, "created", "gateway", gateway_id)
    return {"gatewayId": gateway_id, "displayName": display_name}


def list_gateways(ctx: SandboxContext, username: str) -> list[dict[str, str]]:
    rows = ctx.db.query(
        "SELECT DISTINCT g.gateway_id, g.display_name FROM gateways g "
        "JOIN permissions p ON p.gateway_id = g.gateway_id WHERE p.username = ? "
        "ORDER BY g.display_name, g.gateway_id",
        (username,),
    )
    return [{"gatewayId": r["gateway_id"], "displayName": r["display_name"]} for r in rows]


def namespace_object(ctx: SandboxContext, username: str, gateway_id: str) -> dict[str, Any]:
    row = ctx.db.query_one("SELECT * FROM gateways WHERE gateway_id=?", (gateway_id,))
    if row is None:  # the permission check passed, so this is a race with destroy
        raise Problem(404, {"message": "Resource not found"})
    scopes = ctx.db.query(
        "SELECT scope FROM permissions WHERE gateway_id=? AND username=? ORDER BY scope",
        (gateway_id, username),
    )
    org = ctx.db.query_one("SELECT * FROM gateway_orgs WHERE gateway_id=?", (gateway_id,))
    return {
        "name": gateway_id,
        "displayName": row["display_name"],
        "scopes": [{"name": s["scope"]} for s in scopes],
        "permDomains": PERM_DOMAINS,
        "permDataPlane": "sandbox-dp",
        "permProtectedNs": "deny",
        "permRoutePaths": [],
        "org": org_ref(org["org"]) if org else None,
        "orgUnit": unit_ref(org["org"], org["org_unit"]) if org else None,
        "orgUpdatedAt": org["updated_at"] if org else None,
        "orgEnabled": bool(org["enabled"]) if org else None,
        "orgAdmins": [],
    }


def _plural(n: int, one: str, many: str) -> str:
    """``one`` for a single thing, else ``many`` after the count."""
    return one if n == 1 else f"{n} {many}"


# what a gateway's destruction removes, children before the gateway itself
_GATEWAY_TABLES = (
    "kong_services",
    "products",
    "issuers",
    "applications",
    "permissions",
    "gateway_orgs",
    "gateways",
)


def destroy_gateway(ctx: SandboxContext, gateway_id: str, force: bool) -> None:
    with ctx.db.transaction() as conn:
        consumers = conn.execute(
            "SELECT COUNT(*) FROM consumers WHERE gateway_id=?", (gateway_id,)
        ).fetchone()[0]
        if consumers:
            raise graphql_failure(
                "Unable to delete gateway",
                _plural(
                    consumers,
                    "1 consumer has access to products in this gateway.",
                    "consumers have access to products in this gateway.",
                ),
            )
        services = conn.execute(
            "SELECT COUNT(*) FROM kong_services WHERE gateway_id=?", (gateway_id,)
        ).fetchone()[0]
        if services and not force:
            raise graphql_failure(
                "Unable to delete gateway",
                _plural(
                    services,
                    "1 service has been configured in this gateway.",
                    "services have been configured in this gateway.",
                ),
            )
        for table in _GATEWAY_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE gateway_id=?", (gateway_id,))


# -- availability -----------------------------------------------------------------------------
def _suggestion(name: str) -> dict[str, Any]:
    return {
        "serviceName": name,
        "names": [name, f"{name}-dev", f"{name}-test"],
        "hosts": [
            f"{name}.api.gov.bc.ca",
            f"{name}.dev.api.gov.bc.ca",
            f"{name}.test.api.gov.bc.ca",
            f"{name}-api-gov-bc-ca.dev.api.gov.bc.ca",
            f"{name}-api-gov-bc-ca.test.api.gov.bc.ca",
        ],
    }


def _taken(ctx: SandboxContext) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    hosts: set[str] = set()
    for row in ctx.db.query("SELECT name, doc FROM kong_services"):
        names.add(row["name"])
        doc = json.loads(row["doc"])
        for route in doc.get("routes") or []:
            if isinstance(route.get("name"), str):
                names.add(route["name"])
            hosts.update(h for h in route.get("hosts") or [] if isinstance(h, str))
    return names, hosts


def availability(ctx: SandboxContext, gateway_id: str, service: str) -> dict[str, Any]:
    names, hosts = _taken(ctx)

    def free(candidate: str) -> bool:
        s = _suggestion(candidate)
        return not (names & set(s["names"]) or hosts & set(s["hosts"]))

    candidates = [service, f"{gateway_id}-{service}"]
    candidates += [f"{gateway_id}-{n}-{service}" for n in range(3, 100)]
    for index, candidate in enumerate(candidates):
        if free(candidate):
            return {"available": index == 0, "suggestion": _suggestion(candidate)}
    return {"available": False, "suggestion": _suggestion(candidates[-1])}


# -- routes (mounted under /ds/api) ----------------------------------------------------------
async def gateways_endpoint(request: Request) -> Response:
    ctx = context_of(request)
    username = portal_user(ctx, request)
    if request.method == "GET":
        return JSONResponse(list_gateways(ctx, username))
    body = await json_body(request)
    return JSONResponse(create_gateway(ctx, username, body))


async def gateway_endpoint(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    username = require_scope(ctx, request, gateway_id, NAMESPACE_MANAGE)
    if request.method == "GET":
        return JSONResponse(namespace_object(ctx, username, gateway_id))
    force = request.query_params.get("force", "false").lower() == "true"
    destroy_gateway(ctx, gateway_id, force)
    return JSONResponse(True)


async def check_availability(request: Request) -> Response:
    service = request.query_params.get("serviceName")
    gateway_id = request.query_params.get("gatewayId")
    fields = {}
    for name, value in (("serviceName", service), ("gatewayId", gateway_id)):
        if not value:
            fields[name] = {"message": f"'{name}' is required"}
    if fields:
        raise validation_failed("", fields)
    return JSONResponse(availability(context_of(request), str(gateway_id), str(service)))


def _organization(ctx: SandboxContext, name: str) -> dict[str, Any] | None:
    """A built-in organization with what ``PUT /organizations/{org}`` changed on it."""
    org = ORGANIZATIONS.get(name)
    if org is None:
        return None
    row = ctx.db.query_one("SELECT doc FROM org_overrides WHERE org=?", (name,))
    return {**org, **json.loads(row["doc"])} if row else org


async def organizations(request: Request) -> Response:
    ctx = context_of(request)
    out = []
    for name in sorted(ORGANIZATIONS):
        org = _organization(ctx, name) or {}
        out.append({"name": name, "title": org.get("title"), "description": org.get("description")})
    return JSONResponse(out)


async def organization(request: Request) -> Response:
    org = _organization(context_of(request), request.path_params["org"])
    if org is None:
        raise validation_failed(
            "Validation Failed", {"org": {"message": "Organization not found."}}
        )
    return JSONResponse({"orgUnits": org["orgUnits"]})


ROUTES = [
    Route("/v3/gateways", gateways_endpoint, methods=["GET", "POST"]),
    Route("/v3/gateways/{gw}", gateway_endpoint, methods=["GET", "DELETE"]),
    Route("/v3/routes/availability", check_availability, methods=["GET"]),
    Route("/v3/organizations", organizations, methods=["GET"]),
    Route("/v3/organizations/{org}", organization, methods=["GET"]),
]
