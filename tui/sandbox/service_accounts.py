"""Service accounts: confidential clients of the login realm (``gwa login --client-id X
--client-secret Y``, docs/contract.md#s4.4).

The real portal hands these out per gateway on its web pages; the sandbox offers a small
HTTP stand-in, sandbox-only and not part of the APS contract:

* ``POST /sandbox/service-accounts`` with a provider bearer token and an optional JSON body
  ``{"gatewayId": "gw-1a2b3"}`` → **201**
  ``{"clientId", "clientSecret", "tokenEndpoint", "username", "gatewayId", "scopes"}``.
  With ``gatewayId`` the caller must hold ``Namespace.Manage`` on it (else 403), and the
  account receives the caller's scopes on that gateway.
* ``GET /sandbox/service-accounts`` → 200 list of the caller's accounts (no secrets).
* ``DELETE /sandbox/service-accounts/{clientId}`` → 200 ``true`` (owner only, else 404).

Tokens for an account carry ``preferred_username = service-account-<clientId>`` and
``clientId``, as Keycloak's do. Only a SHA-256 of each secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import tokens
from .context import SandboxContext, context_of, is_safe_name
from .oauth import duplicated_parameter, invalid_client, token_json, wrong_client_secret

SCHEMA = """
CREATE TABLE IF NOT EXISTS service_accounts (
    client_id     TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    username      TEXT NOT NULL,
    owner         TEXT NOT NULL,
    gateway_id    TEXT,
    created_at    REAL NOT NULL
);
"""
NAMESPACE_MANAGE = "Namespace.Manage"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def client_credentials_grant(
    ctx: SandboxContext, client_id: str, client_secret: str | None, *, repeated: bool = False
) -> JSONResponse:
    """A service account's token; ``repeated``: a form field was sent twice, refused once the
    client is authenticated, as Keycloak does."""
    row = ctx.db.query_one("SELECT * FROM service_accounts WHERE client_id=?", (client_id,))
    if row is None:
        return invalid_client()
    if client_secret is None or not hmac.compare_digest(
        _digest(client_secret), row["secret_sha256"]
    ):
        return wrong_client_secret()
    if repeated:
        return duplicated_parameter()
    access = tokens.issue_provider_token(
        ctx,
        row["username"],
        client_id=client_id,
        extra={"clientId": client_id, "name": row["username"]},
    )
    return token_json(access, expires_in=tokens.ACCESS_TOKEN_LIFETIME)


def _caller(ctx: SandboxContext, request: Request) -> str | JSONResponse:
    """The provider's username, or the portal's 401 (docs/contract.md#s3.2)."""
    try:
        token = tokens.bearer_from_header(request.headers.get("authorization"))
        claims = tokens.verify_provider_token(ctx, token)
    except tokens.TokenProblem as problem:
        code = {
            "missing": "credentials_required",
            "bad_scheme": "credentials_bad_scheme",
            "bad_format": "credentials_bad_format",
        }.get(problem.kind, "invalid_token")
        return JSONResponse({"code": code, "message": problem.message}, status_code=401)
    return tokens.username_of(claims)


async def create(request: Request) -> JSONResponse:
    ctx = context_of(request)
    caller = _caller(ctx, request)
    if isinstance(caller, JSONResponse):
        return caller
    body = await request.body()
    try:
        data = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"message": "Syntax Error Parsing JSON"}, status_code=422)
    if not isinstance(data, dict) or set(data) - {"gatewayId"}:
        return JSONResponse({"message": 'The body may only hold "gatewayId"'}, status_code=422)
    gateway_id = data.get("gatewayId")
    scopes: list[str] = []
    if gateway_id is not None:
        if not isinstance(gateway_id, str) or not is_safe_name(gateway_id):
            return JSONResponse({"message": "gatewayId must be a gateway id"}, status_code=422)
        held = [
            r["scope"]
            for r in ctx.db.query(
                "SELECT scope FROM permissions WHERE gateway_id=? AND username=?",
                (gateway_id, caller),
            )
        ]
        if NAMESPACE_MANAGE not in held:
            return JSONResponse(
                {
                    "code": "permission_denied",
                    "message": f"Missing required scope: {gateway_id}:{NAMESPACE_MANAGE}",
                },
                status_code=403,
            )
        scopes = sorted(held)
    client_id = f"sa-{gateway_id or 'sandbox'}-{uuid.uuid4().hex[:12]}"
    username = f"service-account-{client_id}"
    secret = str(uuid.uuid4())
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO service_accounts(client_id, secret_sha256, username, owner,"
            " gateway_id, created_at) VALUES (?,?,?,?,?,?)",
            (client_id, _digest(secret), username, caller, gateway_id, time.time()),
        )
        for scope in scopes:
            conn.execute(
                "INSERT OR IGNORE INTO permissions(gateway_id, username, scope) VALUES (?,?,?)",
                (gateway_id, username, scope),
            )
    return JSONResponse(
        {
            "clientId": client_id,
            "clientSecret": secret,
            "tokenEndpoint": f"{ctx.login_issuer}/protocol/openid-connect/token",
            "username": username,
            "gatewayId": gateway_id,
            "scopes": scopes,
        },
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


async def listing(request: Request) -> JSONResponse:
    ctx = context_of(request)
    caller = _caller(ctx, request)
    if isinstance(caller, JSONResponse):
        return caller
    rows = ctx.db.query(
        "SELECT client_id, username, gateway_id FROM service_accounts WHERE owner=?"
        " ORDER BY created_at",
        (caller,),
    )
    return JSONResponse(
        [
            {
                "clientId": r["client_id"],
                "username": r["username"],
                "gatewayId": r["gateway_id"],
            }
            for r in rows
        ]
    )


async def delete(request: Request) -> JSONResponse:
    ctx = context_of(request)
    caller = _caller(ctx, request)
    if isinstance(caller, JSONResponse):
        return caller
    client_id = request.path_params["client_id"]
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT username FROM service_accounts WHERE client_id=? AND owner=?",
            (client_id, caller),
        ).fetchone()
        if row is None:
            return JSONResponse({"message": "Resource not found"}, status_code=404)
        conn.execute("DELETE FROM service_accounts WHERE client_id=?", (client_id,))
        conn.execute("DELETE FROM permissions WHERE username=?", (row["username"],))
    return JSONResponse(True)


# Mounted under /sandbox (``app.py``).
ROUTES = [
    Route("/service-accounts", create, methods=["POST"]),
    Route("/service-accounts", listing, methods=["GET"]),
    Route("/service-accounts/{client_id}", delete, methods=["DELETE"]),
]
