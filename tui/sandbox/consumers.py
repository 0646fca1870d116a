"""Consumer credentials over REST (docs/contract.md#s16), the sandbox's stand-in for the Consumers page.

* ``POST /ds/api/v3/gateways/{gw}/consumers`` → **201** with the credential material;
* ``GET  …/consumers`` → the gateway's consumers (no secrets);
* ``PUT  …/consumers/{clientId}?action=regenerate`` → 200, a new secret;
* ``DELETE …/consumers/{clientId}`` → 200 ``true`` (revoke; the real portal does this in its
  web UI only).

All need ``CredentialIssuer.Generate`` on the gateway. The response carries ``clientId``,
``clientSecret``, ``tokenEndpoint`` and ``issuer`` at the top level, plus ``credential``: the
JSON *string* the portal's "Generate Secrets" returns (§12.2), so a client can read either.
The secret is in that answer only: the store keeps its digest (``client_secrets.py``).
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import client_secrets
from .context import SHARED_IDP_ISSUER, SandboxContext, context_of
from .portal_errors import (
    ISSUER_GENERATE,
    Problem,
    assertion,
    check_model,
    json_body,
    not_found,
    require_scope,
)
from .resources import find_environment, hex_id, issuer_client_id, shared_audience

SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    app_id      TEXT PRIMARY KEY,
    gateway_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  REAL NOT NULL
);
-- Clients registered disabled: the portal's access requests that wait for a provider's
-- approval (``approval: true``). The shared IdP refuses their token requests.
CREATE TABLE IF NOT EXISTS consumer_holds (
    client_id TEXT PRIMARY KEY
);
"""

ISSUE_MODEL = {
    "environmentAppId": "string",
    "application": ("model", {"name": "string", "description": "string", "appId": "string"}),
    "labels": ("map", "string"),
    "controls": "any",
}


def _credential(
    ctx: SandboxContext, client_id: str, env_app_id: str, app: tuple[str, str], secret: str
) -> dict[str, Any]:
    """The credential as the portal shows it: the only time the secret is ever answered.

    ``app`` is the application's (appId, name).
    """
    token_endpoint = ctx.shared_idp_token_endpoint
    credential = {
        "flow": "client-credentials",
        "clientId": client_id,
        "clientSecret": secret,
        "issuer": None,
        "tokenEndpoint": token_endpoint,
        "clientPublicKey": None,
        "clientPrivateKey": None,
    }
    return {
        "clientId": client_id,
        "clientSecret": secret,
        "tokenEndpoint": token_endpoint,
        "issuer": SHARED_IDP_ISSUER,
        "flow": "client-credentials",
        "environmentAppId": env_app_id,
        "application": {"appId": app[0], "name": app[1]},
        "credential": json.dumps(credential),
    }


def issue(
    ctx: SandboxContext, gateway_id: str, body: Any, *, enabled: bool = True
) -> dict[str, Any]:
    """Register the client and the Kong consumer; ``enabled=False`` registers it disabled."""
    check_model(body, ISSUE_MODEL, required=("environmentAppId",))
    env_app_id = body["environmentAppId"]
    application = body.get("application") or {}
    labels = body.get("labels") or {}
    with ctx.db.transaction() as conn:
        found = find_environment(conn, gateway_id, env_app_id)
        if found is None:
            raise assertion(f"Product environment {env_app_id} not found in this gateway")
        _product, env = found
        if env.get("flow") != "client-credentials" or not env.get("credentialIssuer"):
            raise assertion(
                "The sandbox issues credentials only for client-credentials environments "
                "with a credential issuer"
            )
        # the issuer is there: put_product names only an issuer of its gateway, and
        # delete_issuer refuses one that an environment uses
        issuer = conn.execute(
            "SELECT doc FROM issuers WHERE gateway_id=? AND name=?",
            (gateway_id, env["credentialIssuer"]),
        ).fetchone()
        issuer_doc = json.loads(issuer[0])
        if issuer_doc.get("inheritFrom") is None:
            raise assertion("Communication error with issuer")
        if application.get("appId"):
            app = conn.execute(
                "SELECT app_id, name FROM applications WHERE app_id=? AND gateway_id=?",
                (application["appId"], gateway_id),
            ).fetchone()
            if app is None:
                raise assertion(f"Application {application['appId']} not found")
            app_id, app_name = app
        else:
            app_name = (application.get("name") or "").strip()
            if not app_name:
                raise Problem(
                    422,
                    {
                        "code": "validation_error",
                        "message": "",
                        "fields": {"body.application.name": {"message": "'name' is required"}},
                    },
                )
            app_id = hex_id(11)
            # the description is accepted as the portal does, but nothing here shows it
            conn.execute(
                "INSERT INTO applications(app_id, gateway_id, name, created_at) VALUES (?,?,?,?)",
                (app_id, gateway_id, app_name, time.time()),
            )
        client_id = f"{env_app_id}-{app_id}"
        secret = str(uuid.uuid4())
        try:
            conn.execute(
                "INSERT INTO consumers(client_id, gateway_id, environment_app_id, "
                "application_app_id, client_secret, audience, kong_consumer_id, labels, "
                "created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    client_id,
                    gateway_id,
                    env_app_id,
                    app_id,
                    client_secrets.digest(secret),
                    shared_audience(issuer_client_id(issuer_doc), env["name"]),
                    str(uuid.uuid4()),
                    json.dumps(labels),
                    time.time(),
                ),
            )
        except sqlite3.IntegrityError:  # the client id (environment + application) is taken
            raise assertion("This application already has access.") from None
        if not enabled:
            conn.execute("INSERT OR IGNORE INTO consumer_holds(client_id) VALUES (?)", (client_id,))
    return _credential(ctx, client_id, env_app_id, (app_id, app_name), secret)


def enable(ctx: SandboxContext, client_id: str) -> None:
    """A provider approved the request: the client may now get tokens."""
    with ctx.db.transaction() as conn:
        conn.execute("DELETE FROM consumer_holds WHERE client_id=?", (client_id,))


def is_enabled(ctx: SandboxContext, client_id: str) -> bool:
    held = ctx.db.query_one("SELECT 1 FROM consumer_holds WHERE client_id=?", (client_id,))
    return held is None


# Every consumer's application is in its gateway: ``issue`` registers or finds it there, and
# only a gateway's destruction removes applications, together with its consumers.
_CONSUMERS_WITH_APPLICATIONS = (
    "SELECT c.client_id, c.environment_app_id, c.application_app_id, a.name, c.labels "
    "FROM consumers c JOIN applications a ON a.app_id = c.application_app_id "
)


def listing(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    rows = ctx.db.query(
        _CONSUMERS_WITH_APPLICATIONS + "WHERE c.gateway_id=? ORDER BY c.created_at", (gateway_id,)
    )
    return [
        {
            "clientId": client_id,
            "environmentAppId": env_app_id,
            "application": {"appId": app_id, "name": app_name},
            "labels": json.loads(labels),
        }
        for client_id, env_app_id, app_id, app_name, labels in rows
    ]


def regenerate(ctx: SandboxContext, gateway_id: str, client_id: str) -> dict[str, Any]:
    with ctx.db.transaction() as conn:
        found = conn.execute(
            _CONSUMERS_WITH_APPLICATIONS + "WHERE c.client_id=? AND c.gateway_id=?",
            (client_id, gateway_id),
        ).fetchone()
        if found is None:
            raise not_found()
        _client_id, env_app_id, app_id, app_name, _labels = found
        secret = str(uuid.uuid4())
        conn.execute(
            "UPDATE consumers SET client_secret=? WHERE client_id=?",
            (client_secrets.digest(secret), client_id),
        )
    return _credential(ctx, client_id, env_app_id, (app_id, app_name), secret)


def revoke(ctx: SandboxContext, gateway_id: str, client_id: str) -> None:
    with ctx.db.transaction() as conn:
        gone = conn.execute(
            "DELETE FROM consumers WHERE client_id=? AND gateway_id=?", (client_id, gateway_id)
        ).rowcount
        if not gone:
            raise not_found()
        conn.execute("DELETE FROM consumer_holds WHERE client_id=?", (client_id,))


async def consumers_endpoint(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    require_scope(ctx, request, gateway_id, ISSUER_GENERATE)
    if request.method == "GET":
        return JSONResponse(listing(ctx, gateway_id))
    body = await json_body(request)
    return JSONResponse(issue(ctx, gateway_id, body), status_code=201)


async def consumer_endpoint(request: Request) -> Response:
    ctx = context_of(request)
    gateway_id = request.path_params["gw"]
    client_id = request.path_params["client_id"]
    require_scope(ctx, request, gateway_id, ISSUER_GENERATE)
    if request.method == "DELETE":
        revoke(ctx, gateway_id, client_id)
        return JSONResponse(True)
    action = request.query_params.get("action")
    if action != "regenerate":
        raise Problem(
            422,
            {
                "code": "validation_error",
                "message": "",
                "fields": {
                    "action": {
                        "message": "should be one of the following; ['regenerate']",
                        "value": action,
                    }
                },
            },
        )
    return JSONResponse(regenerate(ctx, gateway_id, client_id))


# Mounted under /ds/api.
ROUTES = [
    Route("/v3/gateways/{gw}/consumers", consumers_endpoint, methods=["GET", "POST"]),
    Route("/v3/gateways/{gw}/consumers/{client_id}", consumer_endpoint, methods=["PUT", "DELETE"]),
]
