"""The whole login against the real sandbox on loopback: device flow with PKCE, approval via
the verification form, polling states, refresh (an older token keeps working until logout), refresh-on-401, client credentials,
current user, logout."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from urllib.parse import parse_qs

import httpx
import pytest

from tests.services.provider_kit import sandbox_target, unique_user
from tui.sandbox import device_flow
from tui.sandbox.tokens import issue_provider_token
from tui.services.device_login import PollResult
from tui.services.device_poll import PollSchedule
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.login import LoginService
from tui.services.login_tokens import jwt_claims
from tui.services.secrets import SecretStore, access_token_name, refresh_token_name


@pytest.fixture
async def login(sandbox):
    client = ApiClient(sandbox_target(sandbox))
    service = LoginService(client, SecretStore())
    client.tokens = service
    yield service
    await client.aclose()


async def device_login(login: LoginService, user: str) -> None:
    challenge = await login.start_device()
    await login.approve_on_sandbox(challenge, user)
    result = await login.poll_once(challenge)
    assert result.state == "done" and result.tokens is not None


async def test_full_device_login_then_refresh(login: LoginService, sandbox) -> None:
    user = unique_user()
    challenge = await login.start_device()
    assert challenge.verification_uri.startswith(sandbox.info.login_issuer)
    assert len(challenge.user_code) >= 8 and challenge.interval >= 1
    assert len(challenge.code_verifier) == 43
    assert challenge.seconds_left() > 0

    await login.approve_on_sandbox(challenge, user)
    result = await login.poll_once(challenge)
    assert result.state == "done"
    tokens = result.tokens
    assert tokens is not None and tokens.refresh_token
    assert jwt_claims(tokens.access_token)["preferred_username"] == user
    assert 0 < tokens.expires_in <= 32767

    # stored under the documented names, and the login works against the portal
    host = sandbox.info.portal_host
    assert await login.secrets.get(access_token_name(host)) == tokens.access_token
    assert await login.secrets.get(refresh_token_name(host)) == tokens.refresh_token
    assert await login.current_user() == user

    renewed = await login.refresh()
    assert renewed.access_token != tokens.access_token
    assert jwt_claims(renewed.access_token)["preferred_username"] == user
    assert await login.access_token() == renewed.access_token
    assert await login.current_user() == user


async def test_pending_then_slow_down_when_polling_too_fast(login: LoginService) -> None:
    challenge = await login.start_device()
    first = await login.poll_once(challenge)
    assert (first.state, first.tokens, first.interval) == ("pending", None, challenge.interval)
    second = await login.poll_once(challenge)
    assert second.state == "slow_down"
    assert second.interval == challenge.interval + 5


async def test_denied_on_the_page_is_access_denied(login: LoginService) -> None:
    challenge = await login.start_device()
    page = await login.client.send_raw(
        "POST",
        challenge.verification_uri,
        data={"user_code": challenge.user_code, "username": "someone", "action": "deny"},
    )
    assert page.status_code == 200
    with pytest.raises(WizardError) as info:
        await login.poll_once(challenge)
    assert info.value.code == "access_denied"
    assert "Start the login again" in info.value.fix


async def test_approval_form_rejects_a_bad_username_and_a_stale_code(login: LoginService) -> None:
    challenge = await login.start_device()
    with pytest.raises(WizardError) as info:
        await login.approve_on_sandbox(challenge, "no spaces allowed")
    assert info.value.status == 400
    assert "username" in info.value.why.lower()
    await login.approve_on_sandbox(challenge, unique_user())
    with pytest.raises(WizardError) as info:
        await login.approve_on_sandbox(challenge, unique_user())
    assert "already been used" in info.value.why


async def test_passcode_is_required_when_the_sandbox_has_one(tmp_path) -> None:
    from tui.sandbox.context import SandboxConfig
    from tui.sandbox.server import SandboxServer

    server = SandboxServer(
        SandboxConfig(
            data_dir=tmp_path / "sb",
            portal_port=0,
            data_plane_port=0,
            upstream_port=0,
            passcode="k1ass",
        )
    )
    server.start()
    try:
        client = ApiClient(sandbox_target(server))
        login = LoginService(client, SecretStore())
        client.tokens = login
        challenge = await login.start_device()
        with pytest.raises(WizardError) as info:
            await login.approve_on_sandbox(challenge, "alice", passcode="wrong")
        assert info.value.status == 403
        assert "passcode" in info.value.why
        await login.approve_on_sandbox(challenge, "alice", passcode="k1ass")
        assert (await login.poll_once(challenge)).state == "done"
        assert await login.current_user() == "alice"
        await client.aclose()
    finally:
        server.stop()


async def test_device_request_uses_pkce_s256_and_gwa_cli(sandbox) -> None:
    """Record what goes over the wire while still talking to the real sandbox."""
    seen: list[tuple[str, bytes]] = []
    real = httpx.AsyncHTTPTransport()

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((request.url.path, await request.aread()))
            return await real.handle_async_request(request)

    client = ApiClient(sandbox_target(sandbox), transport=Spy())
    login = LoginService(client, SecretStore())
    challenge = await login.start_device()
    await login.approve_on_sandbox(challenge, unique_user())
    await login.poll_once(challenge)
    await client.aclose()

    device = parse_qs(next(b for p, b in seen if p.endswith("/auth/device")).decode())
    assert device["client_id"] == ["gwa-cli"]
    assert device["code_challenge_method"] == ["S256"]
    expected = (
        base64.urlsafe_b64encode(hashlib.sha256(challenge.code_verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    assert device["code_challenge"] == [expected]
    poll = parse_qs(next(b for p, b in seen if p.endswith("/token")).decode())
    assert poll["grant_type"] == ["urn:ietf:params:oauth:grant-type:device_code"]
    assert poll["code_verifier"] == [challenge.code_verifier]
    page = httpx.URL(challenge.verification_uri).path
    approve = parse_qs(next(b for p, b in seen if p == page).decode())
    assert approve["user_code"] == [challenge.user_code]
    assert set(approve) == {"user_code", "username", "action"}


async def test_expired_access_token_is_refreshed_on_401_and_request_resent(login, sandbox) -> None:
    user = unique_user()
    await device_login(login, user)
    host = sandbox.info.portal_host
    stale = issue_provider_token(sandbox.ctx, user, lifetime=-60)
    await login.secrets.set(access_token_name(host), stale)
    login._loaded = False  # re-read the store, as a new run would
    from tui.services.gateway import GatewaysService

    created = await GatewaysService(login.client).create("Refresh Test")
    assert created.display_name == "Refresh Test"
    assert await login.access_token() != stale


async def test_an_older_refresh_token_renews_until_the_session_is_logged_out(
    login, sandbox
) -> None:
    await device_login(login, unique_user())
    host = sandbox.info.portal_host
    old_refresh = await login.secrets.get(refresh_token_name(host))
    await login.refresh()
    await login.secrets.set(refresh_token_name(host), old_refresh)
    assert (await login.refresh()).access_token  # Keycloak's default: no single-use rotation
    ended = httpx.post(
        f"{sandbox.ctx.login_issuer}/protocol/openid-connect/logout",
        data={"client_id": "gwa-cli", "refresh_token": old_refresh},
    )
    assert ended.status_code == 204
    with pytest.raises(WizardError) as info:
        await login.refresh()
    assert info.value.code == "invalid_grant"
    assert "Session not active" in (info.value.detail or "") + info.value.why
    assert "Log in again" in info.value.fix


async def test_no_login_means_no_current_user_and_logout_forgets(login, sandbox) -> None:
    assert await login.current_user() is None
    await device_login(login, unique_user())
    assert await login.current_user() is not None
    await login.logout()
    assert await login.access_token() is None
    assert await login.secrets.get(refresh_token_name(sandbox.info.portal_host)) is None
    assert await login.current_user() is None
    with pytest.raises(WizardError, match="cannot be renewed"):
        await login.refresh()


async def test_client_credentials_login_for_a_service_account(login, sandbox) -> None:
    # a provider creates a service account through the sandbox's stand-in for the portal page
    await device_login(login, unique_user())
    response = await login.client.request(
        "POST",
        "/sandbox/service-accounts",
        action="Create a service account",
        json={},
        expect=(200, 201),
    )
    account = response.json()
    secret = account.get("client_secret") or account.get("clientSecret")
    client_id = account.get("client_id") or account.get("clientId")
    tokens = await login.client_credentials(client_id, secret)
    assert tokens.access_token and not tokens.refresh_token
    assert await login.current_user()
    with pytest.raises(WizardError) as info:
        await login.client_credentials(client_id, "not-the-secret")
    assert info.value.status == 401 and info.value.code == "unauthorized_client"
    assert "knows this client but refuses its secret" in info.value.why
    assert "not-the-secret" not in json.dumps(info.value.__dict__, default=str)


async def test_wait_for_approval_returns_the_tokens_of_the_approving_user(
    login: LoginService,
) -> None:
    user = unique_user("wait")
    challenge = await login.start_device()
    await login.approve_on_sandbox(challenge, user)
    schedule = PollSchedule(challenge.interval)
    schedule.check_soon()  # approved already: no need to wait a whole interval first
    tokens = await login.wait_for_approval(challenge, schedule)
    assert jwt_claims(tokens.access_token)["preferred_username"] == user
    assert schedule.polls == 1
    assert await login.current_user() == user


async def test_wait_for_approval_polls_while_pending_and_never_too_fast(
    login: LoginService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandbox asks for 1 s between polls instead of its usual 5: still a wait the client
    # must honour (a poll sooner than 0.75 s answers slow_down), without 5 s of the suite.
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 1)
    user = unique_user("slow")
    challenge = await login.start_device()
    assert challenge.interval == 1
    schedule = PollSchedule(challenge.interval)
    schedule.check_soon()
    seen: list[str] = []
    approvals: list[asyncio.Task[None]] = []

    async def approve_then_hurry() -> None:
        await login.approve_on_sandbox(challenge, user)
        schedule.check_soon()  # as the screen does after approving: at the earliest allowed

    def on_poll(result: PollResult) -> None:
        seen.append(result.state)
        if not approvals:
            approvals.append(asyncio.create_task(approve_then_hurry()))

    tokens = await login.wait_for_approval(challenge, schedule, on_poll=on_poll)
    await approvals[0]
    # One pending answer, then the tokens: the sandbox never had to say slow_down.
    assert seen == ["pending"] and schedule.polls == 2
    assert schedule.interval == challenge.interval
    assert jwt_claims(tokens.access_token)["preferred_username"] == user


async def test_wait_for_approval_ends_with_the_reason_when_denied(login: LoginService) -> None:
    challenge = await login.start_device()
    await login.client.send_raw(
        "POST",
        challenge.verification_uri,
        data={"user_code": challenge.user_code, "username": "someone", "action": "deny"},
    )
    schedule = PollSchedule(challenge.interval)
    schedule.check_soon()
    with pytest.raises(WizardError) as info:
        await login.wait_for_approval(challenge, schedule)
    assert info.value.code == "access_denied" and schedule.polls == 1
