"""The portal refuses a provider token it must not trust with a 401 that says why: one signed
with a shared secret instead of the login realm's key, one not valid yet. The shared IdP's
realm page publishes the key that verifies its consumer tokens."""

from __future__ import annotations

import base64
import time

import httpx
import jwt
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests.sandbox.hostile_kit import enrol
from tui.sandbox.keys import LOGIN_REALM


def _gateways(sandbox, token: str) -> httpx.Response:
    return httpx.get(
        f"{sandbox.info.portal_url}/ds/api/v3/gateways",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )


def test_a_token_signed_with_a_shared_secret_is_refused(sandbox) -> None:
    claims = {"preferred_username": "mallory@idir", "exp": int(time.time()) + 300}
    forged = jwt.encode(claims, "guessed-secret-" * 3, algorithm="HS256")
    r = _gateways(sandbox, forged)
    assert (r.status_code, r.json()) == (
        401,
        {"code": "invalid_token", "message": "invalid algorithm"},
    )


def test_a_token_not_valid_yet_is_refused(sandbox) -> None:
    now = int(time.time())
    early = sandbox.ctx.keys.sign(
        LOGIN_REALM, {"preferred_username": "early@idir", "nbf": now + 3600, "exp": now + 7200}
    )
    r = _gateways(sandbox, early)
    assert r.status_code == 401
    assert r.json() == {"code": "invalid_token", "message": "The token is not yet valid (nbf)"}


def test_the_shared_idp_realm_page_publishes_the_key_of_its_tokens(sandbox) -> None:
    learner = enrol(sandbox, "realm")
    page = httpx.get(sandbox.ctx.shared_idp_base, timeout=15)
    assert page.status_code == 200
    realm = page.json()
    assert realm["token-service"] == f"{sandbox.ctx.shared_idp_base}/protocol/openid-connect"
    key = load_der_public_key(base64.b64decode(realm["public_key"]))
    claims = jwt.decode(learner.token(), key, algorithms=["RS256"], options={"verify_aud": False})  # type: ignore[arg-type]
    assert claims["azp"] == learner.client_id
