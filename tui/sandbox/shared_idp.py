"""The shared IdP realm (``/auth/realms/apigw``) that issues consumer tokens.

Consumers are the rows of the shared ``consumers`` table (written by the portal when it
issues credentials). ``POST …/protocol/openid-connect/token`` with ``client_id``,
``client_secret`` (form or HTTP Basic) and ``grant_type=client_credentials`` answers an
RS256 token signed with the realm key whose ``iss`` is exactly :data:`SHARED_IDP_ISSUER`
(what the template's ``allowed_iss`` names), ``aud`` holding the consumer's audience
(``ap-<gw>-default-dev``) and ``azp`` = the client id (docs/contract.md#s12.2 item 5). Other form
fields, such as the tutorial's ``scopes=openid``, are ignored. An unknown client answers
401 ``invalid_client``; a known one with a wrong or missing secret 401 ``unauthorized_client``
(both ``Invalid client or Invalid client credentials``), as Keycloak does. Only a digest of
each secret is stored (``client_secrets.py``).
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import client_secrets
from .context import SHARED_IDP_ISSUER, SandboxContext, context_of
from .keys import SHARED_IDP_REALM, now
from .oauth import (
    client_credentials,
    duplicated_parameter,
    invalid_client,
    oauth_error,
    openid_configuration,
    read_form,
    token_json,
    wrong_client_secret,
)

TOKEN_LIFETIME = 300  # seconds


def issue_consumer_token(ctx: SandboxContext, client_id: str, audience: str) -> str:
    issued = now()
    claims = {
        "exp": issued + TOKEN_LIFETIME,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "iss": SHARED_IDP_ISSUER,
        "aud": [audience],
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-consumer:{client_id}")),
        "typ": "Bearer",
        "azp": client_id,
        "scope": "profile email",
        "clientId": client_id,
        "preferred_username": f"service-account-{client_id.lower()}",
    }
    return ctx.keys.sign(SHARED_IDP_REALM, claims)


async def token(request: Request, ctx: SandboxContext) -> JSONResponse:
    form = await read_form(request)
    grant = form.get("grant_type")
    if not grant:
        return oauth_error(400, "invalid_request", "Missing form parameter: grant_type")
    client_id, secret = client_credentials(request, form)
    row = ctx.db.query_one(
        "SELECT client_id, client_secret, audience FROM consumers WHERE client_id=?",
        (client_id,),
    )
    if row is None:
        return invalid_client()
    if not client_secrets.matches(secret, str(row["client_secret"])):
        return wrong_client_secret()
    if ctx.db.query_one("SELECT 1 FROM consumer_holds WHERE client_id=?", (client_id,)):
        # A disabled client (access pending approval): Keycloak answers as for a bad client.
        return invalid_client()
    if form.repeated:
        return duplicated_parameter()
    if grant != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
    access = issue_consumer_token(ctx, row["client_id"], row["audience"])
    return token_json(access, expires_in=TOKEN_LIFETIME)


async def well_known(request: Request) -> JSONResponse:
    ctx = context_of(request)
    return JSONResponse(openid_configuration(SHARED_IDP_ISSUER, ctx.shared_idp_base, device=False))


async def certs(request: Request) -> JSONResponse:
    return JSONResponse(context_of(request).keys.jwks(SHARED_IDP_REALM))


async def token_endpoint(request: Request) -> JSONResponse:
    return await token(request, context_of(request))


async def realm(request: Request) -> JSONResponse:
    ctx = context_of(request)
    return JSONResponse(
        {
            "realm": SHARED_IDP_REALM,
            "public_key": _public_key_b64(ctx),
            "token-service": f"{ctx.shared_idp_base}/protocol/openid-connect",
            "account-service": f"{ctx.shared_idp_base}/account",
            "tokens-not-before": 0,
        }
    )


REALM = f"/realms/{SHARED_IDP_REALM}"
OIDC = f"{REALM}/protocol/openid-connect"

# Mounted under /auth (``app.py``, through ``keycloak.ROUTES``).
ROUTES = [
    Route(REALM, realm, methods=["GET"]),
    Route(f"{REALM}/.well-known/openid-configuration", well_known, methods=["GET"]),
    Route(f"{OIDC}/certs", certs, methods=["GET"]),
    Route(f"{OIDC}/token", token_endpoint, methods=["POST"]),
]


def _public_key_b64(ctx: SandboxContext) -> str:
    pem = ctx.keys.public_pem(SHARED_IDP_REALM).decode()
    return "".join(line for line in pem.splitlines() if "-----" not in line)
