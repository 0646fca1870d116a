"""Clean up on the sandbox: inventory, the consumer blocks destroy, revoke, destroy, verify."""

from __future__ import annotations

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.cleanup import CleanupService, blocked_by_consumer, forget_consumer
from tui.services.consumer_token import ConsumerTokenService
from tui.services.credentials import CredentialsService, needs_handoff, secret_name
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


async def test_full_cleanup_in_the_only_order_that_works(world: World) -> None:
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "cleanup"
        )
        cleanup = CleanupService(client)
        inv = await cleanup.inventory(world.gateway_id, Session())
        assert inv.gateway_exists and inv.display_name == "Consumer tests"
        assert inv.services == (f"{world.service}-dev",)
        assert inv.products == (f"{world.service} API",)
        assert inv.consumers == (creds.client_id,) and inv.consumers_listed

        # Destroy first: refused, even with force, with the portal's own words.
        with pytest.raises(WizardError) as caught:
            await cleanup.destroy_gateway(world.gateway_id)
        assert caught.value.status == 422
        assert "1 consumer has access to products in this gateway." in caught.value.detail
        assert blocked_by_consumer(caught.value)
        assert "Revoke the consumer first" in caught.value.fix
        assert world.gateway_row() is not None

        await cleanup.revoke_consumer(world.gateway_id, creds.client_id)
        assert world.consumer_rows() == []
        check = await cleanup.check_revoked(world.api_url, creds)
        assert check.revoked and "refuses the credentials" in check.evidence

        await cleanup.destroy_gateway(world.gateway_id)
        assert await cleanup.verify_gone(world.gateway_id)
        assert world.gateway_row() is None
        after = await cleanup.inventory(world.gateway_id, Session())
        assert not after.gateway_exists and after.empty


async def test_a_refused_secret_alone_is_no_proof_of_revocation(world: World) -> None:
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "stale secret"
        )
        await client.request(
            "PUT",
            f"/ds/api/v3/gateways/{world.gateway_id}/consumers/{creds.client_id}",
            action="Regenerate the secret",
            params={"action": "regenerate"},
        )
        check = await CleanupService(client).check_revoked(world.api_url, creds)
    assert not check.revoked
    assert "unauthorized_client" in check.evidence
    assert "does not show the access is gone" in check.evidence


async def test_verify_gone_is_false_while_the_gateway_exists(world: World) -> None:
    async with world.api_client() as client:
        assert not await CleanupService(client).verify_gone(world.gateway_id)


async def test_inventory_falls_back_to_the_session_when_consumers_cannot_be_listed(
    world: World,
) -> None:
    world.drop_scope("CredentialIssuer.Generate")
    session = Session(client_id="8C1D2E3F-0A1B2C3D4E5")
    async with world.api_client() as client:
        inv = await CleanupService(client).inventory(world.gateway_id, session)
    assert inv.consumers == ("8C1D2E3F-0A1B2C3D4E5",) and not inv.consumers_listed
    session.consumer_revoked = True
    async with world.api_client() as client:
        inv = await CleanupService(client).inventory(world.gateway_id, session)
    assert inv.consumers == ()


async def test_revoke_on_live_is_a_handoff_to_the_consumers_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "Resource not found"})

    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(WizardError) as caught:
            await CleanupService(client).revoke_consumer("gw-1a2b3", "8C1D2E3F-0A1B2C3D4E5")
    assert needs_handoff(caught.value) and caught.value.code == "handoff"
    assert "Consumers" in caught.value.fix


async def test_the_cleanup_sequence_runs_without_the_ui(world: World) -> None:

    async with world.api_client() as client:
        credentials = CredentialsService(client)
        creds = await credentials.issue(world.gateway_id, world.environment_app_id, "sequence")
        secrets, tokens = SecretStore(), ConsumerTokenService(client)
        session = Session(host=world.target.host, client_id=creds.client_id, api_url=world.api_url)
        await secrets.set(secret_name(session.host, creds.client_id), creds.client_secret)
        await tokens.request(creds)
        cleanup = CleanupService(client)

        inv = await cleanup.inventory(world.gateway_id, session)
        assert await cleanup.revoke_consumers(world.gateway_id, inv.consumers) is None
        assert world.consumer_rows() == []
        await forget_consumer(session, credentials, secrets, tokens)
        assert session.consumer_revoked and tokens.current is None
        assert await secrets.get(secret_name(session.host, creds.client_id)) is None

        await cleanup.destroy_and_verify(world.gateway_id)
        assert world.gateway_row() is None
        assert (await cleanup.inventory(world.gateway_id, session)).empty


async def test_confirming_a_portal_delete_says_why_when_the_consumer_still_gets_in(
    world: World,
) -> None:

    async with world.api_client() as client:
        credentials = CredentialsService(client)
        creds = await credentials.issue(world.gateway_id, world.environment_app_id, "confirm")
        session = Session(
            host=world.target.host,
            client_id=creds.client_id,
            token_endpoint=creds.token_endpoint,
            api_url=world.api_url,
        )
        cleanup = CleanupService(client)
        with pytest.raises(WizardError) as unknown:  # no secret kept: nothing to check with
            await cleanup.confirm_revoked(session, credentials, SecretStore())
        assert "without the client secret" in unknown.value.what
        assert not unknown.value.retryable

        secrets = SecretStore()
        await secrets.set(secret_name(session.host, creds.client_id), creds.client_secret)
        with pytest.raises(WizardError) as still:
            await cleanup.confirm_revoked(session, credentials, secrets)
        assert still.value.what == "The consumer still has access" and still.value.retryable

        await cleanup.revoke_consumer(world.gateway_id, creds.client_id)
        evidence = await cleanup.confirm_revoked(session, credentials, secrets)
    assert "refuses the credentials" in evidence


async def test_a_destroy_the_portal_refuses_is_not_reported_as_gone(world: World) -> None:
    async with world.api_client() as client:
        await CredentialsService(client).issue(world.gateway_id, world.environment_app_id, "x")
        with pytest.raises(WizardError) as caught:
            await CleanupService(client).destroy_and_verify(world.gateway_id)
    assert blocked_by_consumer(caught.value) and world.gateway_row() is not None


async def test_extra_gateways_of_the_session_are_found_and_destroyed_with_their_consumers(
    world: World,
) -> None:
    from tui.services.gateway import GatewaysService

    async with world.api_client() as client:
        extra = await GatewaysService(client).create("Created twice")
        gone_already = await GatewaysService(client).create("Destroyed earlier")
        cleanup = CleanupService(client)
        await cleanup.destroy_and_verify(gone_already.gateway_id)
        session = Session(
            gateway_id=world.gateway_id,
            created_gateways=[world.gateway_id, extra.gateway_id, gone_already.gateway_id],
        )
        # Only the ones that still exist, never the current one.
        assert await cleanup.extra_gateways(session) == (extra.gateway_id,)
        inv = await cleanup.inventory(world.gateway_id, session)
        assert inv.extra_gateways == (extra.gateway_id,) and not inv.empty
        await cleanup.destroy_extras(inv.extra_gateways)
        assert await cleanup.verify_gone(extra.gateway_id)
        assert not await cleanup.verify_gone(world.gateway_id)  # the current one is step 2's


async def test_every_consumer_issued_in_the_session_is_listed_when_the_portal_cannot_list(
    world: World,
) -> None:
    world.drop_scope("CredentialIssuer.Generate")
    session = Session(client_id="AAA-1", issued_consumers=["AAA-0", "AAA-1"])
    async with world.api_client() as client:
        inv = await CleanupService(client).inventory(world.gateway_id, session)
    assert inv.consumers == ("AAA-0", "AAA-1") and not inv.consumers_listed
