"""The tokens a login gets (docs/contract.md#s4.3, #s4.4), and what they say.

:class:`Tokens` is read from the token endpoint's answer by :func:`read_tokens` (device
flow, client credentials and refresh alike). :func:`jwt_claims` and
:func:`username_from_token` read a token's payload for display only: the signature is not
checked, so nothing is trusted on their word.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import WizardError
from .login_replies import as_int, json_body


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_in: int = 0
    refresh_expires_in: int = 0
    token_type: str = "Bearer"
    obtained_at: float = field(default_factory=time.time)


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, without checking the signature (for display only)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def username_from_token(token: str) -> str | None:
    claims = jwt_claims(token)
    for key in ("preferred_username", "clientId", "name"):
        value = claims.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def read_tokens(response: httpx.Response, action: str) -> Tokens:
    """The tokens in a token endpoint's 200 answer; WizardError when it has no access token."""
    data = json_body(response, action)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise WizardError(
            what=f"{action} failed: no access token in the answer",
            why="The login server answered 200 without an access_token.",
            fix="Retry; report it to the APS team if it persists.",
        )
    return Tokens(
        access_token=access,
        refresh_token=str(data.get("refresh_token") or ""),
        expires_in=as_int(data.get("expires_in")),
        refresh_expires_in=as_int(data.get("refresh_expires_in")),
        token_type=str(data.get("token_type") or "Bearer"),
    )
