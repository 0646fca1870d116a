"""What the login realm refuses (docs/contract.md#s4.4): a service account is held to the
client-credentials grant, and only the CLI's own client ends a session, with a live token."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.login_helpers import oidc
from tui.sandbox.keycloak import DEVICE_GRANT
from tui.sandbox.tokens import issue_provider_token


def service_account(sandbox, username: str) -> dict:
    token = issue_provider_token(sandbox.ctx, username)
    created = httpx.post(
        f"{sandbox.ctx.portal_url}/sandbox/service-accounts",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize("grant", ["refresh_token", DEVICE_GRANT])
def test_a_service_account_holds_only_the_client_credentials_grant(sandbox, grant) -> None:
    account = service_account(sandbox, "sam@idir")
    response = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={
            "client_id": account["clientId"],
            "client_secret": account["clientSecret"],
            "grant_type": grant,
            "refresh_token": "x",
            "device_code": "x",
        },
    )
    assert (response.status_code, response.json()) == (
        400,
        {"error": "unauthorized_client", "error_description": "Client not allowed for this grant"},
    )


def test_only_the_cli_client_ends_a_session_and_only_with_a_live_token(sandbox) -> None:
    logout = f"{sandbox.ctx.login_issuer}/protocol/openid-connect/logout"
    stranger = httpx.post(logout, data={"client_id": "someone", "refresh_token": "x"})
    assert stranger.status_code == 401
    assert stranger.json()["error"] == "invalid_client"
    garbage = httpx.post(logout, data={"client_id": "gwa-cli", "refresh_token": "not-a-token"})
    assert (garbage.status_code, garbage.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid refresh token"},
    )


def test_an_unknown_grant_is_named_unsupported(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["token_endpoint"], data={"client_id": "gwa-cli", "grant_type": "password"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"},
    )
