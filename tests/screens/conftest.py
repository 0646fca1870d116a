"""Fixtures for step tests: services pointed at the real sandbox, steady cursors, helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from textual.widgets import Input, TextArea

from tests.screens.step_kit import log_in, sandbox_target, unique_user
from tui.sandbox.server import SandboxServer
from tui.services.bundle import Services, build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursors, so snapshots and waits are deterministic."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None, raising=False)


@pytest.fixture(autouse=True)
def no_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """pyperclip has no clipboard in CI; record what would have been copied instead."""
    copied: list[str] = []

    async def fake_copy(text: str) -> bool:
        copied.append(text)
        return False

    monkeypatch.setattr("tui.services.clipboard.copy", fake_copy)
    return copied


@pytest.fixture
async def services(sandbox: SandboxServer) -> AsyncIterator[Services]:
    bundle = build_services(sandbox_target(sandbox), secrets=SecretStore())
    yield bundle
    await bundle.aclose()


@pytest.fixture
async def logged_in(services: Services) -> tuple[Services, str]:
    user = unique_user()
    await log_in(services, user)
    return services, user


@pytest.fixture
def session(sandbox: SandboxServer) -> Session:
    return Session(target_kind="sandbox", host=sandbox.info.portal_host, scheme="http")


@pytest.fixture
async def with_gateway(logged_in, session: Session) -> tuple[Services, str, str]:
    """Logged in, with a real gateway made current in the session."""
    services, user = logged_in
    gateway = await services.gateways.create(f"{user} gw")
    session.username = user
    session.gateway_id = gateway.gateway_id
    session.gateway_display_name = gateway.display_name
    session.steps_done = ["target", "login", "gateway"]
    return services, user, gateway.gateway_id


@pytest.fixture
async def with_file(with_gateway, session: Session, sandbox: SandboxServer, tmp_path):
    """Logged in, a gateway, and the tutorial's file written in ``tmp_path``."""
    from tui.services.templates import generate_config

    services, user, gateway_id = with_gateway
    service = f"svc-{user}"
    text = generate_config(
        "client-credentials-shared-idp", service, sandbox.info.upstream_url, gateway_id
    )
    (tmp_path / "gw-config-client-cred.yaml").write_text(text)
    session.service = service
    session.upstream = sandbox.info.upstream_url
    session.out_file = "gw-config-client-cred.yaml"
    session.steps_done += ["template", "review"]
    return services, user, gateway_id
