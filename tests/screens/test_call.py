"""Call: 200 with a UUID finishes the tutorial; every gateway refusal is explained."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from screens.call import CallStep
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.screens.harness import StepHarness
from tests.screens.step_kit import mock_services
from tests.services.consumer_world import World, build_world
from tui.sandbox.context import SHARED_IDP_ISSUER
from tui.sandbox.keys import SHARED_IDP_REALM
from tui.sandbox.server import SandboxServer
from tui.services.consumer_token import ConsumerToken, decode
from tui.services.credentials import ConsumerCredentials, CredentialsService
from tui.services.session import Session
from tui.services.target import Target


@pytest.fixture
async def issued(sandbox: SandboxServer) -> tuple[World, ConsumerCredentials]:
    world = build_world(sandbox)
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "call-step"
        )
    return world, creds


def wrap(raw: str) -> ConsumerToken:
    header, claims = decode(raw)
    return ConsumerToken(raw, 300, time.time(), header, claims)


def minted(world: World, creds: ConsumerCredentials, **changes: Any) -> ConsumerToken:
    issued_at = int(time.time())
    claims = {
        "iss": SHARED_IDP_ISSUER,
        "aud": [f"ap-{world.gateway_id}-default-dev"],
        "azp": creds.client_id,
        "iat": issued_at,
        "exp": issued_at + 300,
        "typ": "Bearer",
    }
    claims.update(changes)
    return wrap(world.server.ctx.keys.sign(SHARED_IDP_REALM, claims))


def call_app(world: World, creds: ConsumerCredentials):
    session = world_session(
        world,
        client_id=creds.client_id,
        token_endpoint=creds.token_endpoint,
        credentials_source="rest",
    )
    services = world_services(world)
    return harness(CallStep, world, session, services), session, services


async def test_200_with_uuid_marks_the_tutorial_done(issued) -> None:
    world, creds = issued
    app, session, services = call_app(world, creds)
    token = await services.tokens.request(creds)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "Token: expires in" in text_of(app, "#token-state")
        await pilot.press("ctrl+s")
        await settle(pilot)
        exchange = text_of(app, "#exchange")
        assert "Authorization: Bearer" in exchange and "(masked)" in exchange
        assert token.access_token not in exchange
        assert "← 200 OK" in exchange and '"uuid"' in exchange
        # The JSON body keeps its shape: every line indented alike under the status line.
        body_lines = exchange.split("← 200 OK", 1)[1].splitlines()[1:]
        json_lines = [line for line in body_lines if line.strip() and ":" in line]
        assert json_lines and all(line.startswith("  ") for line in body_lines if line.strip())
        verdict = text_of(app, "#verdict")
        assert verdict.startswith("✓ 200 OK with UUID")
        assert "you protected an API" in text_of(app, "#done")
        assert "call" in session.steps_done and app.saves >= 1
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["call"]
    await services.aclose()


async def test_expired_token_is_explained_and_leads_back_to_token(issued) -> None:
    world, creds = issued
    app, session, services = call_app(world, creds)
    past = int(time.time()) - 900
    services.tokens.current = minted(world, creds, iat=past, exp=past + 300)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "Token: expired" in text_of(app, "#token-state")
        await pilot.press("ctrl+s")
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        assert "✗ 401 Token claims invalid" in verdict and "token expired" in verdict
        assert "exp time has passed" in verdict and "fresh token" in verdict
        assert "ctrl+g to get a new token" in text_of(app, "#done")
        assert not app.step.ready and "call" not in session.steps_done
        await pilot.press("ctrl+g")
        await pilot.pause()
    assert app.backs == 1
    await services.aclose()


@pytest.mark.parametrize(
    ("change", "message", "fix"),
    [
        ({"aud": ["ap-gw-00000-default-dev"]}, "Token audience not allowed", "allowed_aud"),
        (
            {"iss": "https://test.loginproxy.gov.bc.ca/auth/realms/apigw"},
            "Token issuer not allowed",
            "token endpoint",
        ),
        (
            {"azp": "00000000-00000000000"},
            "Unable to find consumer 00000000-00000000000 for token",
            "Request access again",
        ),
        ("tamper", "Invalid token signature", "do not edit"),
    ],
)
async def test_gateway_refusals_from_the_sandbox_are_explained(
    issued, change, message, fix
) -> None:
    world, creds = issued
    app, _, services = call_app(world, creds)
    if change == "tamper":
        good = minted(world, creds)
        head, body, sig = good.access_token.split(".")
        services.tokens.current = wrap(f"{head}.{body}.{sig[:-6]}AAAAAA")
    else:
        services.tokens.current = minted(world, creds, **change)
    if "azp" in change:
        app.session.client_id = change["azp"]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        assert f"✗ 401 {message}" in verdict
        assert "Why:" in verdict and fix in verdict
        assert not app.step.ready
    await services.aclose()


@pytest.mark.parametrize(
    ("status", "message", "fix"),
    [
        (401, "Multiple tokens provided", "once"),
        (403, "Invalid algorithm", "Keycloak"),
        (403, "Unable to get public key for issuer", "APS team"),
        (403, "Access token does not have the required scope/role: x", "Access Manager"),
    ],
)
async def test_refusals_the_sandbox_cannot_produce_are_explained(status, message, fix) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer ")
        return httpx.Response(status, json={"message": message})

    target = Target.sandbox("127.0.0.1:8460")
    services = mock_services(handler, target)
    claims = {"azp": "8C1D2E3F-0A1B2C3D4E5", "exp": int(time.time()) + 300}
    services.tokens.current = ConsumerToken("h.c.s", 300, time.time(), {"alg": "RS256"}, claims)
    session = Session(
        host=target.host,
        scheme="http",
        client_id="8C1D2E3F-0A1B2C3D4E5",
        api_url="http://svc-dev-api-gov-bc-ca.localhost:8461/uuid",
    )
    app = StepHarness(CallStep, session, services, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        assert f"✗ {status} {message}" in verdict and fix in verdict
    await services.aclose()


async def test_without_a_token_the_learner_is_sent_to_token(issued) -> None:
    world, creds = issued
    app, _, services = call_app(world, creds)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "No token in memory" in text_of(app, "#token-state")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.step.query_one("#exchange").has_class("-shown")
        await pilot.press("ctrl+g")
        await pilot.pause()
    assert app.backs == 1
    await services.aclose()
