"""OAuth 2.0 plumbing shared by the sandbox's two Keycloak realms.

Keycloak reads its endpoints' parameters from an ``application/x-www-form-urlencoded`` body
and answers errors as ``{"error": …, "error_description": …}`` (docs/contract.md#s3.4). Client
credentials may come in the form or as HTTP Basic auth.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

INVALID_CLIENT = "Invalid client or Invalid client credentials"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=NO_STORE
    )


def invalid_client() -> JSONResponse:
    """Keycloak's answer for a client it does not know (or a disabled one)."""
    return oauth_error(401, "invalid_client", INVALID_CLIENT)


def wrong_client_secret() -> JSONResponse:
    """Keycloak's answer for a known confidential client with a wrong or missing secret.

    Same description as :func:`invalid_client`, but the code is ``unauthorized_client``
    (``ClientIdAndSecretAuthenticator`` reports a failed secret that way; see
    ``docs/sandbox-quirks.md``).
    """
    return oauth_error(401, "unauthorized_client", INVALID_CLIENT)


class FormFields(dict[str, str]):
    """A request's form fields, the first value of each name winning.

    ``repeated`` names the fields sent more than once, blank values counted: Keycloak's token
    endpoint refuses such a request once the client is authenticated (``400 invalid_request``,
    "duplicated parameter"; docs/contract.md#s3.4).
    """

    repeated: frozenset[str] = frozenset()


def duplicated_parameter() -> JSONResponse:
    return oauth_error(400, "invalid_request", "duplicated parameter")


async def read_form(request: Request) -> FormFields:
    """The request's form fields; a body of another type, or of none named, reads as no fields
    at all (Keycloak's form reading checks the media type: no ``Content-Type``, no form)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    pairs: list[tuple[str, str]]
    if content_type == "multipart/form-data":
        form = await request.form()
        pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    elif content_type == "application/x-www-form-urlencoded":
        body = await request.body()
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            pairs = []
    else:
        pairs = []
    fields = FormFields()
    seen: set[str] = set()
    repeated: set[str] = set()
    for key, value in pairs:
        if key in seen:
            repeated.add(key)
        seen.add(key)
        fields.setdefault(key, value)
    fields.repeated = frozenset(repeated)
    return fields


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """``(client_id, client_secret)`` from HTTP Basic auth, else from the form."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", None
        client_id, sep, secret = decoded.partition(":")
        if sep:
            return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret")


def token_json(
    access_token: str,
    *,
    expires_in: int,
    refresh_token: str | None = None,
    refresh_expires_in: int = 0,
    session_state: str | None = None,
    scope: str = "profile email",
) -> JSONResponse:
    """Keycloak's token response (docs/contract.md#s4.4), field order as Keycloak writes it."""
    body: dict[str, object] = {
        "access_token": access_token,
        "expires_in": expires_in,
        "refresh_expires_in": refresh_expires_in,
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    body["token_type"] = "Bearer"
    body["not-before-policy"] = 0
    if session_state is not None:
        body["session_state"] = session_state
    body["scope"] = scope
    return JSONResponse(body, headers=NO_STORE)


def openid_configuration(issuer: str, base: str, *, device: bool) -> dict[str, object]:
    """A realm's discovery document. ``issuer`` is what its tokens carry; ``base`` is where
    the realm is actually served (they differ for the shared IdP)."""
    oidc = f"{base}/protocol/openid-connect"
    grants = ["client_credentials", "refresh_token"]
    if device:
        grants.append("urn:ietf:params:oauth:grant-type:device_code")
    doc: dict[str, object] = {
        "issuer": issuer,
        "authorization_endpoint": f"{oidc}/auth",
        "token_endpoint": f"{oidc}/token",
        "jwks_uri": f"{oidc}/certs",
        "end_session_endpoint": f"{oidc}/logout",
        "grant_types_supported": grants,
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email"],
        "code_challenge_methods_supported": ["S256"],
    }
    if device:
        doc["device_authorization_endpoint"] = f"{oidc}/auth/device"
    return doc
