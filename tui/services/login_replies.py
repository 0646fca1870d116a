"""Reading the login server's (Keycloak's) answers: OAuth error codes, token bodies, error
pages, each turned into a value or a :class:`WizardError` with cause and fix. No textual."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from .errors import WizardError, error_from_response

# Keycloak token endpoint errors (docs/contract.md#s3.4): why and fix, keyed by the OAuth error code.
TOKEN_ERROR_HINTS: dict[str, tuple[str, str]] = {
    # invalid_client: no such client (or disabled); unauthorized_client: a known client with
    # the wrong secret, or one that may not use this grant (docs/sandbox-quirks.md).
    "invalid_client": (
        "The login server does not know this client id (mistyped, or the account was removed).",
        "Copy the client id again (no quotes or spaces) and retry.",
    ),
    "unauthorized_client": (
        "The login server knows this client but refuses its secret (mistyped or regenerated), "
        "or the client may not use this kind of login.",
        "Copy the client secret again (no quotes or spaces), or use credentials issued for this "
        "purpose, and retry.",
    ),
    "invalid_grant": (
        "The saved login (refresh token) has expired or was revoked.",
        "Log in again on the Login step.",
    ),
    "unsupported_grant_type": (
        "The login server does not support this kind of login.",
        "Check the host; report it to the APS team if it persists.",
    ),
    "code_challenge": (
        "The login server rejected the PKCE code challenge.",
        "Start the login again; report it if it persists.",
    ),
    "invalid_request": (
        "The login server rejected the request as malformed.",
        "Start the login again; report it if it persists.",
    ),
}


def json_body(response: httpx.Response, action: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WizardError(
            what=f"{action} failed: the login server's answer was not JSON",
            why="A proxy or web page may have answered instead of the login server.",
            fix="Check the host and retry.",
        )
    return data


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def oauth_error(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("error") or "") if isinstance(data, dict) else ""


def token_error(response: httpx.Response, action: str) -> WizardError:
    return error_from_response(
        response.status_code,
        response.headers.get("content-type", ""),
        response.text,
        action=action,
        hints=TOKEN_ERROR_HINTS,
    )


def expired_code() -> WizardError:
    return WizardError(
        what="The login code expired",
        why="The code was not approved within its lifetime (expired_token).",
        fix="Start the login again and approve the new code promptly.",
        status=400,
        code="expired_token",
    )


def page_message(html: str) -> str:
    """A short readable message from an error page (or JSON body)."""
    try:
        data = json.loads(html)
        if isinstance(data, dict):
            for key in ("error_description", "message", "error"):
                if isinstance(data.get(key), str):
                    return data[key]
    except ValueError:
        pass
    for pattern in (r"<p[^>]*class=\"[^\"]*error[^\"]*\"[^>]*>(.*?)</p>", r"<h1[^>]*>(.*?)</h1>"):
        match = re.search(pattern, html, re.S | re.I)
        if match:
            text = re.sub(r"<[^>]+>", "", match.group(1))
            return " ".join(text.split())[:200]
    return ""
