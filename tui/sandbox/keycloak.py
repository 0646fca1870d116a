"""The sandbox's Keycloak: the login realm (``/auth/realms/aps``) and the shared IdP realm.

Login realm (docs/contract.md#s4.2, #s4.4), issuer ``ctx.login_issuer``:

* ``GET  {issuer}/.well-known/openid-configuration`` and ``{issuer}/protocol/openid-connect/certs``
* ``POST {issuer}/protocol/openid-connect/auth/device`` — device authorization (PKCE S256)
* ``POST {issuer}/protocol/openid-connect/token`` — grants ``device_code``, ``refresh_token``
  (public client ``gwa-cli``) and ``client_credentials`` (service accounts)
* ``POST {issuer}/protocol/openid-connect/logout`` — ``client_id`` + ``refresh_token`` → 204
* ``GET/POST {issuer}/device`` — the verification page

The shared IdP realm lives in :mod:`shared_idp`; service accounts in :mod:`service_accounts`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import device_flow, login_grants, service_accounts, shared_idp, verification_page
from .context import LOGIN_CLIENT_ID, SandboxContext, context_of
from .keys import LOGIN_REALM
from .oauth import (
    client_credentials,
    duplicated_parameter,
    invalid_client,
    oauth_error,
    openid_configuration,
    read_form,
)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

SCHEMA = "\n".join((device_flow.SCHEMA, login_grants.SCHEMA, service_accounts.SCHEMA))


async def token_endpoint(request: Request, ctx: SandboxContext) -> JSONResponse:
    form = await read_form(request)
    grant = form.get("grant_type")
    if not grant:
        return oauth_error(400, "invalid_request", "Missing form parameter: grant_type")
    client_id, secret = client_credentials(request, form)
    if grant == "client_credentials":
        if client_id == LOGIN_CLIENT_ID:
            return oauth_error(
                400, "unauthorized_client", "Public client not allowed to retrieve service account"
            )
        return service_accounts.client_credentials_grant(
            ctx, client_id, secret, repeated=bool(form.repeated)
        )
    if client_id != LOGIN_CLIENT_ID:
        # service accounts only hold the client-credentials grant; anything else is refused
        if ctx.db.query_one("SELECT 1 FROM service_accounts WHERE client_id=?", (client_id,)):
            return oauth_error(400, "unauthorized_client", "Client not allowed for this grant")
        return invalid_client()
    if form.repeated:  # the login client is public: known is authenticated
        return duplicated_parameter()
    if grant == DEVICE_GRANT:
        return device_flow.device_grant(ctx, form)
    if grant == "refresh_token":
        return login_grants.refresh_grant(ctx, client_id, form.get("refresh_token", ""))
    return oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")


async def well_known(request: Request) -> JSONResponse:
    ctx = context_of(request)
    return JSONResponse(openid_configuration(ctx.login_issuer, ctx.login_issuer, device=True))


async def certs(request: Request) -> JSONResponse:
    return JSONResponse(context_of(request).keys.jwks(LOGIN_REALM))


async def device(request: Request) -> Response:
    return await device_flow.authorize(request, context_of(request))


async def token(request: Request) -> Response:
    return await token_endpoint(request, context_of(request))


async def logout(request: Request) -> Response:
    form = await read_form(request)
    client_id, _ = client_credentials(request, form)
    if client_id != LOGIN_CLIENT_ID:
        return invalid_client()
    if not login_grants.end_session(context_of(request), form.get("refresh_token", "")):
        return oauth_error(400, "invalid_grant", "Invalid refresh token")
    return Response(status_code=204)


async def verify_get(request: Request) -> Response:
    return await verification_page.show(request, context_of(request))


async def verify_post(request: Request) -> Response:
    return await verification_page.submit(request, context_of(request))


REALM = f"/realms/{LOGIN_REALM}"
OIDC = f"{REALM}/protocol/openid-connect"

# Mounted under /auth (``app.py``), with the shared IdP realm's routes.
ROUTES: list[BaseRoute] = [
    Route(f"{REALM}/.well-known/openid-configuration", well_known, methods=["GET"]),
    Route(f"{OIDC}/certs", certs, methods=["GET"]),
    Route(f"{OIDC}/auth/device", device, methods=["POST"]),
    Route(f"{OIDC}/token", token, methods=["POST"]),
    Route(f"{OIDC}/logout", logout, methods=["POST"]),
    Route(f"{REALM}/device", verify_get, methods=["GET"]),
    Route(f"{REALM}/device", verify_post, methods=["POST"]),
    *shared_idp.ROUTES,
]
