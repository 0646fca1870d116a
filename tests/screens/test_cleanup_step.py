"""Clean up: inventory, destroy refused while a consumer exists, revoke, confirm, verify."""

from __future__ import annotations

import pytest

from screens.cleanup import CleanupStep
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.cleanup import CleanupService
from tui.services.credentials import ConsumerCredentials, CredentialsService, secret_name


@pytest.fixture
async def issued(sandbox: SandboxServer) -> tuple[World, ConsumerCredentials]:
    world = build_world(sandbox)
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "cleanup-step"
        )
    return world, creds


async def cleanup_app(world: World, creds: ConsumerCredentials):
    session = world_session(
        world,
        client_id=creds.client_id,
        token_endpoint=creds.token_endpoint,
        credentials_source="rest",
    )
    services = world_services(world)
    await services.secrets.set(secret_name(session.host, creds.client_id), creds.client_secret)
    return harness(CleanupStep, world, session, services), session, services


async def test_consumer_first_then_gateway_then_verified(issued, tmp_path) -> None:
    from tui.services.session import SessionStore

    world, creds = issued
    app, session, services = await cleanup_app(world, creds)
    app.store = SessionStore(tmp_path / "session.json")  # what WizardApp has
    app.store.save(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        inventory = text_of(app, "#inventory")
        assert f"Consumers  {creds.client_id}" in inventory
        assert f"Services   {world.service}-dev" in inventory
        assert f"Products   {world.service} API" in inventory
        assert f"Gateway    {world.gateway_id} (Consumer tests)" in inventory
        assert not app.step.ready

        # Destroy first: the portal refuses while the consumer exists, and we show why.
        await pilot.press("ctrl+d")
        await pilot.pause()
        question = str(app.screen.query_one("#confirm-question").content)
        assert f"Destroy gateway {world.gateway_id} (Consumer tests)?" in question
        assert f"Gateway ID    {world.gateway_id}" in question
        await pilot.press("y")
        await settle(pilot)
        error = text_of(app, "#error-text")
        assert "1 consumer has access to products in this gateway." in error
        assert "Revoke the consumer first" in error
        assert world.gateway_row() is not None and not app.step.ready

        await pilot.press("ctrl+e")
        await settle(pilot)
        assert world.consumer_rows() == []
        assert session.consumer_revoked
        assert await services.secrets.get(secret_name(session.host, creds.client_id)) is None
        assert "Consumers  none" in text_of(app, "#inventory")
        assert "✓ 1. Revoke" in text_of(app, "#plan")

        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert world.gateway_row() is None
        result = text_of(app, "#result")
        assert f"Gateway {world.gateway_id} destroyed and verified gone" in result
        assert "unset CID CSC URL TOKEN" in result
        assert "saved progress was cleared" in result and app.store.load() is None
        assert "✓ 3. Verify" in text_of(app, "#plan")
        assert app.step.ready
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["cleanup"]
    await services.aclose()


async def test_cancelling_the_confirmation_destroys_nothing(issued) -> None:
    world, creds = issued
    app, _, services = await cleanup_app(world, creds)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert world.gateway_row() is not None
        assert not app.step.query_one("#error-text").content
    await services.aclose()


async def test_portal_handoff_then_checked_with_a_fresh_token(issued) -> None:
    world, creds = issued
    world.drop_scope("CredentialIssuer.Generate")  # like a live portal: no revoke over REST
    app, session, services = await cleanup_app(world, creds)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "(from this session)" in text_of(app, "#inventory")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert app.step.query_one("#handoff-box").has_class("-shown")
        text = text_of(app, "#handoff-text")
        assert f"{world.target.base_url}/manager/consumers" in text
        assert "… (the actions menu), then Delete Consumer..." in text
        assert "Yes, Delete" in text and "Unable to find consumer" in text

        # Not deleted yet: the check says so.
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert "The consumer still has access" in text_of(app, "#error-text")
        assert "200" in text_of(app, "#error-text")

        # The learner deletes it in the portal (here: straight in the sandbox's store).
        with world.server.ctx.db.transaction() as conn:
            conn.execute("DELETE FROM consumers WHERE client_id=?", (creds.client_id,))
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert session.consumer_revoked
        assert "✓ 1. Revoke" in text_of(app, "#plan")
    await services.aclose()


async def test_clean_up_deletes_the_owner_only_secrets_file(issued, tmp_path) -> None:
    from tui.services.secrets import access_token_name

    world, creds = issued
    app, session, services = await cleanup_app(world, creds)
    secrets_path = tmp_path / "secrets.json"
    services.secrets.use_file(secrets_path)  # the learner chose the file at Login
    await services.secrets.set(access_token_name(session.host), "provider-token")
    assert creds.client_secret in secrets_path.read_text()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert world.gateway_row() is None
        assert not secrets_path.exists()  # neither the tokens nor the revoked secret remain
        assert f"The owner-only secrets file {secrets_path} was deleted" in text_of(app, "#result")
        # This run stays logged in (in memory) for the summary.
        assert await services.secrets.get(access_token_name(session.host)) == "provider-token"
    await services.aclose()


def test_f1_names_the_consumers_page_menu_and_dialog() -> None:
    from screens.cleanup import CleanupStep

    help_text = CleanupStep.HELP
    for words in (
        "Gateways",
        "Consumers",
        "/manager/consumers",
        "**…**",
        "Delete Consumer...",
        "Yes, Delete",
        "Consumer deleted",
        "ctrl+u",
        "ctrl+k",
    ):
        assert words in help_text, words


async def test_extra_consumers_and_gateways_made_in_this_session_are_cleaned_up_too(
    issued,
) -> None:
    from tui.services.gateway import GatewaysService

    world, creds = issued
    async with world.api_client() as client:
        extra = await GatewaysService(client).create("Made twice")
        second = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "pressed-again"
        )
    app, session, services = await cleanup_app(world, creds)
    session.created_gateways = [world.gateway_id, extra.gateway_id]
    session.issued_consumers = [creds.client_id, second.client_id]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        inventory = text_of(app, "#inventory")
        assert creds.client_id in inventory and second.client_id in inventory
        assert f"Also made in this session: {extra.gateway_id}" in inventory
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert world.consumer_rows() == []  # both consumers, not only the one in use
        await pilot.press("ctrl+d")
        await pilot.pause()
        question = str(app.screen.query_one("#confirm-question").content)
        assert f"destroyed too: {extra.gateway_id}" in question
        await pilot.press("y")
        await settle(pilot)
        assert f"(and {extra.gateway_id}) destroyed" in text_of(app, "#result")
        # The header no longer shows the destroyed gateway as if it were current.
        assert f"Gateway: {world.gateway_id} (destroyed)" in text_of(app, "#wizard-header")
    async with world.api_client() as client:
        gone = CleanupService(client)
        assert await gone.verify_gone(extra.gateway_id)
        assert await gone.verify_gone(world.gateway_id)
    await services.aclose()


async def test_destroy_pressed_twice_asks_once(issued) -> None:
    world, creds = issued
    app, _, services = await cleanup_app(world, creds)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert len(app.screen_stack) == 2  # the step and one question
        await pilot.press("escape")
        await settle(pilot)
        assert not app.step.query_one("#destroy").disabled  # a "no" gives the button back
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
    await services.aclose()
