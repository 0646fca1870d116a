"""Clean up on the sandbox: inventory, the consumer blocks destroy, revoke, destroy, verify."""

from __future__ import annotations

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.cleanup import CleanupService, blocked_by_consumer
from tui.services.credentials import CredentialsService, needs_handoff
from tui.services.errors import WizardError
from tui.services.http import ApiClient
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
