"""A restart loses nothing: sessions, refresh tokens, service accounts and keys persist."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from tests.sandbox.login_helpers import approve_with_form, oidc, poll, start_device
from tui.sandbox import device_flow
from tui.sandbox.context import SandboxConfig
from tui.sandbox.keys import LOGIN_REALM
from tui.sandbox.server import SandboxServer


def start(data_dir: Path) -> SandboxServer:
    server = SandboxServer(
        SandboxConfig(data_dir=data_dir, portal_port=0, data_plane_port=0, upstream_port=0)
    )
    server.start()
    return server


def test_sessions_and_service_accounts_survive_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    data_dir = tmp_path / "state"
    first = start(data_dir)
    try:
        device = start_device(first)
        approve_with_form(device, "olga")
        tokens = poll(first, device).json()
        account = httpx.post(
            f"{first.ctx.portal_url}/sandbox/service-accounts",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        ).json()
        old_jwks = httpx.get(oidc(first)["jwks_uri"]).json()
    finally:
        first.stop()

    second = start(data_dir)
    try:
        assert httpx.get(oidc(second)["jwks_uri"]).json() == old_jwks
        # a token issued before the restart still verifies
        second.ctx.keys.verify(LOGIN_REALM, tokens["access_token"])
        token_endpoint = oidc(second)["token_endpoint"]
        refreshed = httpx.post(
            token_endpoint,
            data={
                "client_id": "gwa-cli",
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
            },
        )
        assert refreshed.status_code == 200, refreshed.text
        claims = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
        assert claims["preferred_username"] == "olga"
        service = httpx.post(
            token_endpoint,
            data={
                "client_id": account["clientId"],
                "client_secret": account["clientSecret"],
                "grant_type": "client_credentials",
            },
        )
        assert service.status_code == 200
    finally:
        second.stop()
