"""The consumer's access token: the tutorial's client-credentials request, decoded for display.

The consumer authenticates *directly* to the token endpoint (Keycloak) with its Client ID and
Client Secret; the gateway is not involved. The answer is a short-lived RS256 JWT. We decode
its header and claims only to show them (no signature check: the gateway does that), and keep
the token in memory only.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import WizardError

CLAIM_HELP: dict[str, str] = {
    "iss": "Issuer: the Keycloak realm that signed the token. The gateway accepts only the "
    "issuers listed in the plugin's allowed_iss.",
    "aud": "Audience: who the token is meant for. The shared IdP adds ap-<gateway>-default-dev, "
    "which the plugin's allowed_aud requires, so a token for another gateway is refused.",
    "azp": "Authorized party: the client that asked for the token, i.e. your Client ID. The "
    "gateway looks up the consumer whose custom ID equals this value.",
    "exp": "Expiry time (seconds since 1970). After it the gateway answers 401 'token expired'; "
    "consumer tokens last minutes, so fetch a new one when it runs out.",
    "iat": "Issued at: when Keycloak created the token.",
    "typ": "Token type: Bearer, sent as 'Authorization: Bearer <token>'.",
    "sub": "Subject: the service account of your client.",
}
EXPLAINED_CLAIMS = ("iss", "aud", "azp", "exp")

TOKEN_HINTS: dict[str, tuple[str, str]] = {
    # Keycloak answers invalid_client for a client it does not know (or a disabled one) and
    # unauthorized_client for a known client with the wrong secret (docs/sandbox-quirks.md).
    "invalid_client": (
        "Keycloak does not know this Client ID: it is mistyped (a stray space or quote when "
        "pasting), the access was revoked, or the client is still disabled because the request "
        "awaits approval.",
        "Check the Client ID on the Credentials step (paste it again, or issue new credentials) "
        "and retry.",
    ),
    "unauthorized_client": (
        "Keycloak knows this Client ID but refuses the Client Secret: it is mistyped (a stray "
        "space or quote when pasting) or it was regenerated since.",
        "Check the Client Secret on the Credentials step (paste it again, or issue new "
        "credentials) and retry.",
    ),
    "unsupported_grant_type": (
        "grant_type is misspelt; Keycloak knows only its fixed grant names.",
        "Send grant_type=client_credentials exactly.",
    ),
    "invalid_request": (
        "The token endpoint could not read the request: it must be form-encoded "
        "(application/x-www-form-urlencoded), with client_id and client_secret present.",
        "Send the fields as a form, as the curl command shows.",
    ),
}


@dataclass(frozen=True)
class ConsumerToken:
    access_token: str = field(repr=False)
    expires_in: int
    obtained_at: float
    header: dict[str, Any]
    claims: dict[str, Any]
    token_type: str = "Bearer"
    scope: str = ""

    @property
    def expires_at(self) -> float:
        exp = self.claims.get("exp")
        if isinstance(exp, int | float):
            return float(exp)
        return self.obtained_at + self.expires_in


def _b64_json(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a JWT, without checking the signature (display only)."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise WizardError(
            "This is not a JWT",
            "A JWT has three dot-separated parts (header.claims.signature).",
            "Request a new token; do not edit or quote it.",
            retryable=False,
        )
    try:
        return _b64_json(parts[0]), _b64_json(parts[1])
    except (ValueError, UnicodeError) as exc:
        raise WizardError(
            "This JWT cannot be decoded",
            f"Its header or claims are not base64url JSON ({exc}).",
            "Request a new token; do not edit or quote it.",
            retryable=False,
        ) from exc


def seconds_left(token: ConsumerToken, now: float | None = None) -> int:
    """Whole seconds until the token expires (0 once it has)."""
    current = time.time() if now is None else now
    return max(0, int(token.expires_at - current))


def format_countdown(seconds: int) -> str:
    if seconds <= 0:
        return "expired"
    return f"{seconds // 60}:{seconds % 60:02d}"


def claim_value(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name in ("exp", "iat", "nbf") and isinstance(value, int | float):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value))
        return f"{int(value)} ({stamp})"
    return "" if value is None else str(value)


def audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [str(a) for a in aud]
    return []


class ConsumerTokenService:
    """Requests consumer tokens from a token endpoint with the client-credentials grant."""

    def __init__(self, client: Any) -> None:
        self.client = client
        # The last token obtained this run: kept in memory only, never stored or logged.
        self.current: ConsumerToken | None = None

    def forget(self) -> None:
        self.current = None

    async def request(self, credentials: Any) -> ConsumerToken:
        """``credentials`` needs ``client_id``, ``client_secret`` and ``token_endpoint``.

        The new token also becomes :attr:`current`.
        """
        endpoint = credentials.token_endpoint
        form = {
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "grant_type": "client_credentials",
            "scopes": "openid",  # the tutorial's field; Keycloak ignores it
        }
        try:
            response = await self.client.request(
                "POST",
                endpoint,
                action="Get a token",
                data=form,
                auth=False,
                expect=(200,),
                hints=TOKEN_HINTS,
            )
        except WizardError as exc:
            if exc.status is None:
                raise WizardError(
                    what=f"The token endpoint {endpoint} could not be reached",
                    why=(exc.why + " " if exc.why else "")
                    + "The token request goes straight to Keycloak at the Token Endpoint URL, "
                    "not through the gateway.",
                    fix="Check the Token Endpoint you were given (an https URL ending "
                    "/protocol/openid-connect/token) and your network, then retry.",
                    detail=exc.detail,
                ) from exc
            raise
        obtained = time.time()
        try:
            data = response.json()
        except ValueError:
            data = None
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise WizardError(
                "The token endpoint answered 200 but sent no access_token",
                "The URL is probably not a Keycloak token endpoint (in a shell, TOKEN would "
                "now be the literal null).",
                "Check the Token Endpoint value on the Credentials step.",
            )
        header, claims = decode(token)
        expires_in = data.get("expires_in")
        self.current = ConsumerToken(
            access_token=token,
            expires_in=int(expires_in) if isinstance(expires_in, int | float) else 300,
            obtained_at=obtained,
            header=header,
            claims=claims,
            token_type=str(data.get("token_type") or "Bearer"),
            scope=str(data.get("scope") or ""),
        )
        return self.current
