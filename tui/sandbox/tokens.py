"""Provider (login realm) access tokens: issue and verify, shared by Keycloak, portal and gwa-api.

Access tokens are RS256 JWTs signed with the login realm key. The portal identifies the caller
by ``preferred_username`` (falling back to ``clientId`` for service accounts, docs/contract.md#s4.4).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from .context import LOGIN_CLIENT_ID, SandboxContext
from .keys import LOGIN_REALM, now

ACCESS_TOKEN_LIFETIME = 300  # seconds, Keycloak's default; keep <= 32767 (gwa decodes int16)


@dataclass(frozen=True)
class TokenProblem(Exception):
    """Why a bearer token was refused. ``kind`` is one of: missing, bad_scheme, expired, invalid."""

    kind: str
    message: str


def issue_provider_token(
    ctx: SandboxContext,
    username: str,
    *,
    client_id: str = LOGIN_CLIENT_ID,
    lifetime: int = ACCESS_TOKEN_LIFETIME,
    session_state: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    issued = now()
    claims: dict[str, Any] = {
        "exp": issued + lifetime,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "iss": ctx.login_issuer,
        "aud": ["account"],
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-user:{username}")),
        "typ": "Bearer",
        "azp": client_id,
        "session_state": session_state or secrets.token_hex(16),
        "scope": "profile email",
        "preferred_username": username,
        "name": username,
    }
    if extra:
        claims.update(extra)
    return ctx.keys.sign(LOGIN_REALM, claims)


def bearer_from_header(value: str | None) -> str:
    """Extract the token from an Authorization header, or raise TokenProblem."""
    if not value:
        raise TokenProblem("missing", "No authorization token was found")
    parts = value.split(" ")
    if len(parts) != 2 or not parts[1]:
        raise TokenProblem("bad_format", "Format is Authorization: Bearer [token]")
    if parts[0].lower() != "bearer":
        raise TokenProblem("bad_scheme", "Format is Authorization: Bearer [token]")
    return parts[1]


def verify_provider_token(ctx: SandboxContext, token: str) -> dict[str, Any]:
    """Check signature (login realm JWKS, RS256 only) and expiry; return the claims."""
    try:
        return ctx.keys.verify(LOGIN_REALM, token)
    except jwt.ExpiredSignatureError as exc:
        raise TokenProblem("expired", "jwt expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenProblem("invalid", "invalid signature") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise TokenProblem("invalid", "invalid algorithm") from exc
    except jwt.DecodeError as exc:
        raise TokenProblem("invalid", "jwt malformed") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenProblem("invalid", str(exc) or "invalid token") from exc


def username_of(claims: dict[str, Any]) -> str:
    return str(claims.get("preferred_username") or claims.get("clientId") or claims.get("sub"))
