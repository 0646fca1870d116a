"""Fixtures for provider service tests: clients against the real sandbox on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.services.provider_kit import StaticTokens, sandbox_target, unique_user
from tui.services.http import ApiClient
from tui.services.secrets import SecretStore


@pytest.fixture
def memory_secrets() -> SecretStore:
    store = SecretStore()
    assert store.backend == "memory"  # conftest forces the fail keyring
    return store


@pytest.fixture
async def anon_client(sandbox) -> AsyncIterator[ApiClient]:
    """A client against the shared sandbox with no login."""
    client = ApiClient(sandbox_target(sandbox))
    yield client
    await client.aclose()


@pytest.fixture
async def user_client(sandbox) -> AsyncIterator[ApiClient]:
    """A client logged in as a fresh user, with a token minted by the sandbox (test-only
    shortcut; the device flow itself is tested in test_login_sandbox.py)."""
    from tui.sandbox.tokens import issue_provider_token

    user = unique_user()
    client = ApiClient(
        sandbox_target(sandbox), tokens=StaticTokens(issue_provider_token(sandbox.ctx, user))
    )
    client.username = user  # type: ignore[attr-defined]
    yield client
    await client.aclose()
