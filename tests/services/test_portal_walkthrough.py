"""The portal walk-through: its URLs are real sandbox pages, its steps name the real buttons,
and the pasted values are checked by asking for a token."""

from __future__ import annotations

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.cleanup import CleanupService
from tui.services.credentials import ConsumerCredentials, CredentialsService, consumers_url
from tui.services.errors import WizardError
from tui.services.portal_walkthrough import cleanup_walkthrough, credentials_walkthrough
from tui.services.target import Target


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


def test_the_walkthrough_urls_open_real_portal_pages_on_the_sandbox(world: World) -> None:
    creds = credentials_walkthrough(world.target, gateway_id=world.gateway_id)
    clean = cleanup_walkthrough(world.target, gateway_id=world.gateway_id)
    for url in (creds.start_url, clean.start_url, consumers_url(world.target)):
        assert url.startswith(world.server.info.portal_url)
        page = httpx.get(url, follow_redirects=True, timeout=10)
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html")
        assert "Login with IDIR" in page.text  # signed out: the sign-in page, not a 404
        assert creds.start_url in creds.steps[0]


def test_the_credentials_steps_name_the_real_pages_and_buttons() -> None:
    target = Target.sandbox("127.0.0.1:8460")
    walk = credentials_walkthrough(
        target,
        gateway_id="gw-1a2b3",
        gateway_name="Ada's Gateway",
        product="my-svc API",
        service="my-svc",
        username="ada",
    )
    text = walk.numbered()
    assert text.startswith("1. Open http://127.0.0.1:8460/manager/gateways/list")
    for words in (
        "your wizard username ada",
        "Login with IDIR",
        "Ada's Gateway (gw-1a2b3)",
        "Preview in Directory",
        "title my-svc, then Request Access beside my-svc API",
        "Create Application",
        "Application Name",
        "choose dev, then click Request Access & Continue",
        "Generate Secrets",
        "Client ID, Client Secret and Token Endpoint",
    ):
        assert words in text
    assert "Approve" not in text


def test_with_approval_the_button_reads_request_access_and_the_provider_approves() -> None:
    walk = credentials_walkthrough(
        Target.sandbox("127.0.0.1:8460"), gateway_id="gw-1a2b3", approval=True
    )
    text = walk.numbered()
    assert "then click Request Access." in text
    assert "Request Access & Continue" not in text
    assert "Review on the request, then Approve" in text


def test_the_cleanup_steps_name_the_consumers_page_menu_and_dialog() -> None:
    walk = cleanup_walkthrough(
        Target.test(), gateway_id="gw-1a2b3", client_id="8C1D2E3F-0A1B2C3D4E5"
    )
    text = walk.numbered()
    assert walk.start_url == "https://api-gov-bc-ca.test.api.gov.bc.ca/manager/gateways/list"
    for words in (
        "Login with IDIR (the same account",
        "the Consumers card",
        "row of 8C1D2E3F-0A1B2C3D4E5, click … (the actions menu), then Delete Consumer...",
        "'Delete 8C1D2E3F-0A1B2C3D4E5 Consumer?' click Yes, Delete",
        "ctrl+k",
    ):
        assert words in text


async def test_verify_gets_a_token_for_good_values_and_refuses_a_wrong_secret(
    world: World,
) -> None:
    async with world.api_client() as client:
        service = CredentialsService(client)
        creds = await service.issue(world.gateway_id, world.environment_app_id, "verify")
        token = await service.verify(creds)
        assert token.claims["azp"] == creds.client_id
        wrong = ConsumerCredentials(
            creds.client_id, "00000000-0000-4000-8000-000000000000", creds.token_endpoint
        )
        with pytest.raises(WizardError) as caught:
            await service.verify(wrong)
        assert caught.value.status == 401
        # A known client with a wrong secret: Keycloak says unauthorized_client (docs/sandbox-quirks.md).
        assert caught.value.code == "unauthorized_client"


async def test_consumer_listed_turns_false_once_the_consumer_is_deleted(world: World) -> None:
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "listed"
        )
        cleanup = CleanupService(client)
        assert await cleanup.consumer_listed(world.gateway_id, creds.client_id) is True
        await cleanup.revoke_consumer(world.gateway_id, creds.client_id)
        assert await cleanup.consumer_listed(world.gateway_id, creds.client_id) is False
