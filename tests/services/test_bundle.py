"""The Services bundle wires one client, the secret store and the login as token source."""

from __future__ import annotations

from tests.services.provider_kit import sandbox_target, unique_user
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore


async def test_bundle_logs_in_and_uses_the_login_for_every_call(sandbox) -> None:
    store = SecretStore()
    services = build_services(sandbox_target(sandbox), secrets=store)
    try:
        assert services.client.tokens is services.login
        assert services.secrets is store and services.login.secrets is store
        for name in ("gateways", "apply", "status", "probe", "credentials", "tokens", "cleanup"):
            assert getattr(services, name).client is services.client
        assert await services.login.current_user() is None

        user = unique_user()
        challenge = await services.login.start_device()
        await services.login.approve_on_sandbox(challenge, user)
        assert (await services.login.poll_once(challenge)).state == "done"
        gateway = await services.gateways.create(None)
        assert gateway.display_name == f"{user}'s Gateway"
        assert await services.gateways.get(gateway.gateway_id) == gateway
        assert await services.clipboard.copy("x") in (True, False)
    finally:
        await services.aclose()
    assert services.client._http.is_closed


def test_warm_up_is_safe_without_a_keyring_and_tls_context_is_shared() -> None:
    from tui.services.bundle import warm_up
    from tui.services.http import shared_ssl_context

    warm_up()  # the fail keyring of the test environment must not make it raise
    assert shared_ssl_context() is shared_ssl_context()
    assert SecretStore().backend == "memory"
