"""End to end: the wizard's portal walk-through, with Playwright doing the clicks in the
sandbox's pages and the values pasted into the wizard (Pilot) coming from the page."""

from __future__ import annotations

import asyncio

import pytest

from screens.cleanup import CleanupStep
from screens.credentials import CredentialsStep
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.services.consumer_world import build_world
from tests.web.browser import (
    chromium_missing,
    delete_consumer,
    follow_walkthrough,
    learner,
    request_credentials,
)
from tui.services.credentials import secret_name

pytestmark = pytest.mark.skipif(
    chromium_missing(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


async def paste(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = text
    await pilot.pause()


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: urls.append(url) or True)
    return urls


async def test_credentials_walkthrough_takes_the_values_the_portal_page_shows(
    sandbox, opened, no_clipboard
) -> None:
    world = build_world(sandbox, username=learner())
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")  # the walk-through, the tutorial's own way
        await pilot.pause()
        steps = text_of(app, "#handoff-steps")
        start = f"{sandbox.info.portal_url}/manager/gateways/list"
        assert f"1. Open {start}" in steps and "Generate Secrets" in steps
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert opened == [start]
        assert no_clipboard == [start]  # the URL is copied too

        shown = await asyncio.to_thread(
            follow_walkthrough,
            opened[0],
            world.username,
            lambda page, base: request_credentials(
                page, base, world.gateway_id, world.service, "wizard-app"
            ),
        )
        await paste(pilot, "#paste-id", shown["Client ID"])
        await paste(pilot, "#paste-secret", shown["Client Secret"])
        await paste(pilot, "#paste-url", shown["Token Endpoint"])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step.ready
        result = text_of(app, "#creds")
        assert shown["Client ID"] in result and "gave a token" in result
        assert shown["Client Secret"] not in result
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["credentials"]
    assert session.client_id == shown["Client ID"]
    assert session.credentials_source == "handoff"
    stored = await services.secrets.get(secret_name(session.host, session.client_id))
    assert stored == shown["Client Secret"]
    await services.aclose()


async def test_pasted_values_the_token_endpoint_refuses_are_not_kept(sandbox, opened) -> None:
    world = build_world(sandbox, username=learner())
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await paste(pilot, "#paste-id", "8C1D2E3F-0A1B2C3D4E5")
        await paste(pilot, "#paste-secret", "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f")
        await paste(pilot, "#paste-url", sandbox.info.shared_idp_token_endpoint)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.step.ready
        assert app.step.query_one("#step-error").shown
        error = text_of(app, "#error-text")
        assert "Get a token failed" in error and "client" in error
    assert session.client_id == ""
    await services.aclose()


async def test_cleanup_on_the_consumers_page_is_checked_by_the_wizard(sandbox, opened) -> None:
    world = build_world(sandbox, username=learner())
    with world.raw() as c:
        issued = c.post(
            f"/ds/api/v3/gateways/{world.gateway_id}/consumers",
            json={"environmentAppId": world.environment_app_id, "application": {"name": "x"}},
        ).json()
    session = world_session(
        world,
        client_id=issued["clientId"],
        token_endpoint=issued["tokenEndpoint"],
        credentials_source="handoff",
        environment_app_id=world.environment_app_id,
    )
    session.mark_done("credentials")
    services = world_services(world)
    await services.secrets.set(
        secret_name(session.host, issued["clientId"]), issued["clientSecret"]
    )
    app = harness(CleanupStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+u")  # the Consumers page, as the tutorial does it
        await pilot.pause()
        text = text_of(app, "#handoff-text")
        assert "Delete Consumer..." in text and "Yes, Delete" in text
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert opened == [f"{sandbox.info.portal_url}/manager/gateways/list"]

        # Before the delete the check says the consumer is still there.
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert "still" in text_of(app, "#error-text")

        await asyncio.to_thread(
            follow_walkthrough,
            opened[0],
            world.username,
            lambda page, base: delete_consumer(page, base, world.gateway_id, issued["clientId"]),
        )
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert session.consumer_revoked
        assert issued["clientId"] not in text_of(app, "#inventory")
    assert world.consumer_rows() == []
    await services.aclose()
