"""Token: the request, the decoded claims, the live countdown, fresh tokens, explained errors."""

from __future__ import annotations

import socket

import pytest

from screens.token import TokenStep
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.services.consumer_world import World, build_world
from tests.waiting import until
from tui.sandbox.context import SHARED_IDP_ISSUER
from tui.sandbox.server import SandboxServer
from tui.services.credentials import ConsumerCredentials, CredentialsService, secret_name


@pytest.fixture
async def issued(sandbox: SandboxServer) -> tuple[World, ConsumerCredentials]:
    world = build_world(sandbox)
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "token-step"
        )
    return world, creds


async def prepared(
    world: World,
    creds: ConsumerCredentials,
    *,
    secret: str | None = None,
    endpoint: str | None = None,
):
    session = world_session(
        world,
        client_id=creds.client_id,
        token_endpoint=endpoint or creds.token_endpoint,
        credentials_source="rest",
    )
    services = world_services(world)
    if secret != "":
        await services.secrets.set(
            secret_name(session.host, creds.client_id), secret or creds.client_secret
        )
    return harness(TokenStep, world, session, services), services


async def test_token_is_decoded_masked_and_counts_down(issued, monkeypatch) -> None:
    world, creds = issued
    clock: list[float] = []
    import time

    monkeypatch.setattr("screens.token.now", lambda: clock[0] if clock else time.time())
    app, services = await prepared(world, creds)
    async with app.run_test(size=(100, 30)) as pilot:
        assert not app.step.ready
        command = text_of(app, "#command")
        assert '"$URL"' in command and "client_secret=$CSC" in command
        assert creds.client_secret not in command
        await pilot.press("ctrl+g")
        await settle(pilot)
        token = services.tokens.current
        assert token is not None and app.step.ready
        claims = text_of(app, "#jwt-claims")
        assert f"iss  {SHARED_IDP_ISSUER}" in claims
        assert f"ap-{world.gateway_id}-default-dev" in claims
        assert f"azp  {creds.client_id}" in claims
        assert "exp  " in claims and "UTC" in claims
        for explained in ("iss: Issuer", "aud: Audience", "azp: Authorized party", "exp: Expiry"):
            assert explained in claims
        assert "alg RS256" in text_of(app, "#jwt-header")
        raw = text_of(app, "#token-raw")
        assert token.access_token not in raw and "(masked)" in raw
        assert "Expires in 4:5" in text_of(app, "#countdown") or "Expires in 5:00" in text_of(
            app, "#countdown"
        )

        # The countdown is driven by a timer: move the clock and let it tick.
        clock.append(token.expires_at - 65)
        await until(pilot, lambda: "Expires in 1:05" in text_of(app, "#countdown"), "a tick")
        clock[0] = token.expires_at + 1
        await until(pilot, lambda: "Expired: press ctrl+g" in text_of(app, "#countdown"), "expiry")
        assert app.step.query_one("#countdown").has_class("-expired")

        # A key gets a fresh token, and the countdown starts again.
        clock.clear()
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert services.tokens.current is not token
        assert "Expires in" in text_of(app, "#countdown")

        await pilot.press("ctrl+t")
        assert services.tokens.current.access_token in text_of(app, "#token-raw")
        await pilot.press("ctrl+t")
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["token"]
    assert services.tokens.current.access_token not in str(app.session.to_dict())
    await services.aclose()


async def test_wrong_secret_is_unauthorized_client_explained(issued) -> None:
    world, creds = issued
    app, services = await prepared(world, creds, secret="0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot)
        error = text_of(app, "#error-text")
        assert "unauthorized_client" in error
        assert "refuses the Client Secret" in error and "Credentials step" in error
        assert not app.step.ready
    await services.aclose()


async def test_unreachable_token_endpoint_is_explained(issued) -> None:
    world, creds = issued
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/auth/realms/apigw/protocol/openid-connect/token"
    app, services = await prepared(world, creds, endpoint=endpoint)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot)
        error = text_of(app, "#error-text")
        assert f"127.0.0.1:{port}" in error and "could not be reached" in error
        assert "not through the gateway" in error
        assert "ctrl+r" in error  # retry offered
        assert not app.step.ready
    await services.aclose()


async def test_missing_secret_sends_the_learner_back(issued) -> None:
    world, creds = issued
    app, services = await prepared(world, creds, secret="")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot)
        error = text_of(app, "#error-text")
        assert "No client credentials" in error and "ctrl+b" in error
    await services.aclose()
