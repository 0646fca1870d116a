"""A refresh token stops working when its time is up or its record is gone, with Keycloak's
``invalid_grant`` words; a logout with a token the realm never issued is refused, not a 204."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.sandbox.login_helpers import approve_with_form, oidc, poll, start_device
from tui.sandbox import device_flow


@pytest.fixture
def tokens(sandbox, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    device = start_device(sandbox)
    assert approve_with_form(device, "refresh-user").status_code == 200
    response = poll(sandbox, device)
    assert response.status_code == 200, response.text
    return response.json()


def _refresh(sandbox, refresh_token: str) -> httpx.Response:
    return httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={
            "client_id": "gwa-cli",
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
        timeout=15,
    )


def _jti(refresh_token: str) -> str:
    return jwt.decode(refresh_token, options={"verify_signature": False})["jti"]


def test_an_expired_refresh_token_is_not_active(sandbox, tokens):
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE login_refresh_tokens SET expires_at=0 WHERE jti=?",
            (_jti(tokens["refresh_token"]),),
        )
    r = _refresh(sandbox, tokens["refresh_token"])
    assert (r.status_code, r.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Token is not active"},
    )


def test_a_refresh_token_whose_record_is_gone_is_invalid(sandbox, tokens):
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "DELETE FROM login_refresh_tokens WHERE jti=?", (_jti(tokens["refresh_token"]),)
        )
    r = _refresh(sandbox, tokens["refresh_token"])
    assert (r.status_code, r.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid refresh token"},
    )


@pytest.mark.parametrize("bad", ["garbage", "a.b.c"])
def test_a_logout_with_a_token_the_realm_never_issued_is_refused(sandbox, tokens, bad):
    out = httpx.post(
        f"{sandbox.ctx.login_issuer}/protocol/openid-connect/logout",
        data={"client_id": "gwa-cli", "refresh_token": bad},
        timeout=15,
    )
    assert (out.status_code, out.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid refresh token"},
    )
    assert _refresh(sandbox, tokens["refresh_token"]).status_code == 200  # no session ended
