"""Credentials: REST issue, the 403 hand-off with paste-back checks, masking, copy, resume."""

from __future__ import annotations

import asyncio
import re

import pytest
from textual import events

from screens.credentials import CredentialsStep
from screens.credentials_secret import MASK
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.services.consumer_world import World, build_world
from tests.waiting import until
from tui.sandbox import client_secrets
from tui.sandbox import consumers as sandbox_consumers
from tui.sandbox.server import SandboxServer
from tui.services.credentials import secret_name


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


def stored_digest(world: World) -> str:
    """What the sandbox keeps of the issued secret: its digest, never the secret itself."""
    rows = world.server.ctx.db.query(
        "SELECT client_secret FROM consumers WHERE gateway_id=?", (world.gateway_id,)
    )
    assert len(rows) == 1
    return rows[0]["client_secret"]


def revealed_secret(text: str, world: World) -> str:
    """The secret shown on screen, checked against the sandbox's stored digest."""
    found = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
    assert len(found) == 1, text
    assert client_secrets.digest(found[0]) == stored_digest(world)
    return found[0]


async def paste_into(pilot, selector: str, text: str) -> None:
    """Empty a field and paste ``text`` into it, as the learner pastes what the portal showed
    (one Paste event through the app to the focused field; typing it key by key costs the
    test ~70 ms a character and says nothing more)."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = ""
    if text:
        pilot.app.post_message(events.Paste(text))
        await until(pilot, lambda: widget.value == text, f"the paste into {selector}")


async def test_rest_issue_masks_reveals_copies_and_commits(world: World, no_clipboard) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        info = text_of(app, "#env-info")
        assert f"Product: {world.service} API" in info and "Environment: dev" in info
        assert world.environment_app_id in info and "no approval needed" in info
        await pilot.press("ctrl+g")
        await settle(pilot)
        shown = text_of(app, "#creds")
        exports = text_of(app, "#exports")
        assert f"{world.environment_app_id}-" in shown and MASK in shown
        assert "/auth/realms/apigw/protocol/openid-connect/token" in shown
        assert "memory only" in shown  # no keyring in tests
        await pilot.press("ctrl+t")
        secret = revealed_secret(text_of(app, "#creds"), world)
        assert secret not in shown and secret not in exports
        await pilot.press("ctrl+t")
        assert secret not in text_of(app, "#creds")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert no_clipboard == [secret] and app.clipboard == secret
        assert app.step.ready
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["credentials"]
    assert session.client_id.startswith(world.environment_app_id + "-")
    assert session.environment_app_id == world.environment_app_id
    assert session.credentials_source == "rest"
    assert session.token_endpoint.endswith("/protocol/openid-connect/token")
    assert secret not in str(session.to_dict())
    assert await services.secrets.get(secret_name(session.host, session.client_id)) == secret
    await services.aclose()


async def test_403_hands_off_and_checks_pasted_values(world: World, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    world.drop_scope("CredentialIssuer.Generate")
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.step.query_one("#handoff-box").has_class("-shown")
        why = text_of(app, "#handoff-why")
        assert "403" in why and "Missing required scope" in why
        steps = text_of(app, "#handoff-steps")
        base = world.target.base_url
        assert f"{base}/manager/gateways/list" in steps
        for click in (
            world.gateway_id,
            "Preview in Directory",
            "Request Access",
            "Create Application",
            "Request Access & Continue",
            "Generate Secrets",
        ):
            assert click in steps
        assert world.consumer_rows() == []
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert opened == [f"{base}/manager/gateways/list"]

        # Wrong shapes: each field says what is wrong, nothing is kept.
        await paste_into(pilot, "#paste-id", "my-app")
        await paste_into(pilot, "#paste-secret", "abc")
        await paste_into(pilot, "#paste-url", "https://example.org/auth")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "8 hex characters" in text_of(app, "#paste-id-msg")
        assert "36 characters" in text_of(app, "#paste-secret-msg")
        assert "/protocol/openid-connect/token" in text_of(app, "#paste-url-msg")
        assert not app.step.ready

        # Right shapes the Token Endpoint refuses: checked with a token request, not kept.
        await paste_into(pilot, "#paste-id", "8C1D2E3F-0A1B2C3D4E5")
        await paste_into(pilot, "#paste-secret", "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f")
        await paste_into(pilot, "#paste-url", world.server.info.shared_idp_token_endpoint)
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#paste-id-msg") == "✓"
        assert "invalid_client" in text_of(app, "#error-text")
        assert not app.step.ready

        # The values the portal showed (made here in the sandbox's store, as Generate Secrets
        # does); a stray space is forgiven, then Enter in the last field.
        issued = sandbox_consumers.issue(
            world.server.ctx,
            world.gateway_id,
            {"environmentAppId": world.environment_app_id, "application": {"name": "web"}},
        )
        secret = issued["clientSecret"]
        await paste_into(pilot, "#paste-id", issued["clientId"] + " ")
        await paste_into(pilot, "#paste-secret", secret)
        await paste_into(pilot, "#paste-url", issued["tokenEndpoint"])
        await pilot.press("enter")
        await settle(pilot)
        assert app.step.ready
        assert "gave a token" in text_of(app, "#creds")
        assert secret not in text_of(app, "#creds")
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["credentials"]
    assert session.client_id == issued["clientId"]
    assert session.credentials_source == "handoff"
    assert await services.secrets.get(secret_name(session.host, session.client_id)) == secret
    await services.aclose()


async def test_learner_can_choose_the_portal_without_trying_rest(world: World) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.step.query_one("#handoff-box").has_class("-shown")
        assert "The tutorial's way" in text_of(app, "#handoff-why")
        assert "1. Open" in text_of(app, "#handoff-steps")
    await services.aclose()
    assert world.consumer_rows() == []


async def test_empty_application_name_is_refused(world: World) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await paste_into(pilot, "#app-name", "")
        await pilot.press("enter")
        await settle(pilot)
        assert "Give the application a name" in text_of(app, "#app-name-msg")
        assert not app.step.ready
    await services.aclose()
    assert world.consumer_rows() == []


async def test_credentials_from_earlier_are_shown_on_resume(world: World) -> None:
    session, services = world_session(world), world_services(world)
    session.client_id = "8C1D2E3F-0A1B2C3D4E5"
    session.token_endpoint = world.server.info.shared_idp_token_endpoint
    session.credentials_source = "rest"
    await services.secrets.set(
        secret_name(session.host, session.client_id), "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
    )
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = text_of(app, "#creds")
        assert "from earlier" in shown and "8C1D2E3F-0A1B2C3D4E5" in shown
        assert "0b6f3c1e" not in shown
        assert app.step.ready
    await services.aclose()


async def test_generate_pressed_at_once_still_issues(world: World) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+g")  # before the environment lookup has finished
        await settle(pilot)
        assert app.step.ready
        assert "Environment: dev" in text_of(app, "#env-info")
    await services.aclose()
    assert len(world.consumer_rows()) == 1


async def test_live_portal_without_permission_wants_an_https_token_endpoint() -> None:
    import httpx

    from tests.screens.harness import StepHarness
    from tests.screens.step_kit import mock_services
    from tui.services.session import Session
    from tui.services.target import Target

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(
                200,
                json=[
                    {
                        "name": "my-svc API",
                        "appId": "A1B2C3D4E5F6",
                        "environments": [
                            {"name": "dev", "appId": "8C1D2E3F", "flow": "client-credentials"}
                        ],
                    }
                ],
            )
        return httpx.Response(
            403,
            json={
                "code": "permission_denied",
                "message": "Missing required scope: gw-1a2b3:CredentialIssuer.Generate",
            },
        )

    target = Target.test()
    services = mock_services(handler, target)
    session = Session(target_kind="test", host=target.host, gateway_id="gw-1a2b3", service="my-svc")
    app = StepHarness(CredentialsStep, session, services, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        steps = text_of(app, "#handoff-steps")
        assert "https://api-gov-bc-ca.test.api.gov.bc.ca/manager/gateways/list" in steps
        await paste_into(pilot, "#paste-id", "8C1D2E3F-0A1B2C3D4E5")
        await paste_into(pilot, "#paste-secret", "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f")
        await paste_into(
            pilot,
            "#paste-url",
            "http://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token",
        )
        await pilot.press("enter")
        await pilot.pause()
        assert "https://" in text_of(app, "#paste-url-msg")
        assert not app.step.ready
    await services.aclose()


def test_f1_names_the_portal_pages_and_buttons_of_the_walkthrough() -> None:
    help_text = CredentialsStep.HELP
    for words in (
        "My Gateways",
        "/manager/gateways/list",
        "Login with IDIR",
        "Products",
        "Preview in Directory",
        "Your Products",
        "Request Access",
        "Create Application",
        "Application Name",
        "API Environment",
        "Request Access & Continue",
        "Generate Secrets",
        "Client ID",
        "Client Secret",
        "Token Endpoint",
        "Copy",
        "My Access",
    ):
        assert words in help_text, words


async def test_a_newly_issued_secret_is_masked_everywhere_on_screen(world: World) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        secret = services.credentials.current.client_secret
        assert secret and MASK in text_of(app, "#creds")
        creds = app.screen.query_one("#creds")

        def on_screen() -> str:
            # the credentials in view, wherever the focus scrolled the step (a picture of the
            # screen shows only what is in view)
            creds.scroll_visible(animate=False, immediate=True)
            return app.export_screenshot()

        assert secret not in on_screen()
        await pilot.press("ctrl+t")  # shown only on request
        await until(pilot, lambda: secret in on_screen(), "the secret shown")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: secret not in on_screen(), "the secret hidden")
    await services.aclose()


async def test_issue_pressed_three_times_quickly_issues_one_consumer(world: World) -> None:
    session, services = world_session(world), world_services(world)
    app = harness(CredentialsStep, world, session, services)
    real_issue, gate, calls = services.credentials.issue, asyncio.Event(), []

    async def gated_issue(*args: object) -> object:  # the real issue, held until the presses end
        calls.append(args)
        await gate.wait()
        return await real_issue(*args)

    services.credentials.issue = gated_issue  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g", "ctrl+g", "ctrl+g")  # impatient, as a learner is
        await until(pilot, lambda: len(calls) == 1, "the issue to start")
        assert app.step.query_one("#issue").disabled  # greyed out while it runs
        gate.set()
        await settle(pilot)
        assert "✓ Credentials" in text_of(app, "#creds")
        assert not app.step.query_one("#issue").disabled  # usable again afterwards
        assert any("being generated" in n.message for n in app._notifications)
    rows = world.server.ctx.db.query(
        "SELECT client_id FROM consumers WHERE gateway_id=?", (world.gateway_id,)
    )
    assert len(rows) == 1
    # Recorded (and saved) at once, so Clean up knows every consumer this session made.
    assert session.issued_consumers == [rows[0]["client_id"]] and app.saves >= 1
    await services.aclose()
