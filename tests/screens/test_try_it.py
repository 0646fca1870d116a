"""Try it: the anonymous call, the 401 explained as success, and each other answer."""

from __future__ import annotations

import socket

import pytest

from screens.try_it import TryItStep
from tests.screens.consumer_kit import harness, settle, text_of, world_services, world_session
from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


async def run_try(world: World, **session_fields):
    session = world_session(world, **session_fields)
    services = world_services(world)
    app = harness(TryItStep, world, session, services)
    return app, session, services


async def test_401_is_success_and_next_completes(world: World) -> None:
    app, session, services = await run_try(world)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.step.check_action("next", ()) is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        exchange = text_of(app, "#exchange")
        assert f"→ GET {world.api_url}" in exchange
        assert "← 401 Unauthorized" in exchange
        assert '{"message":"Unauthorized"}' in exchange
        verdict = text_of(app, "#verdict")
        assert "✓ 401" in verdict and "your API is protected" in verdict
        assert "exactly what we want" in verdict
        assert "Next: Get credentials" in verdict and "Next: Next" not in verdict
        assert app.step.ready
        await pilot.press("ctrl+n")
        await pilot.pause()
    await services.aclose()
    assert app.completed == ["try_it"]


async def test_wrong_host_is_explained_and_not_ready(world: World) -> None:
    app, _, services = await run_try(world, api_url=world.api_url.replace("-dev-api", "-api"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        assert "✗ 404 no Route matched with those values" in verdict
        assert "-dev" in verdict and "Fix:" in verdict
        assert not app.step.ready
        await pilot.press("ctrl+n")
        await pilot.pause()
    await services.aclose()
    assert app.completed == []


async def test_anonymous_call_never_reaches_a_broken_upstream(sandbox: SandboxServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    world = build_world(sandbox, upstream=f"http://127.0.0.1:{port}")
    # Anonymous calls stop at the plugin, so the upstream is only reached with a token;
    # here the answer must still be the protective 401.
    app, _, services = await run_try(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "✓ 401" in text_of(app, "#verdict")
    await services.aclose()


async def test_unreachable_gateway_is_explained(world: World) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/uuid"
    app, _, services = await run_try(world, api_url=url)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "← no answer" in text_of(app, "#exchange")
        verdict = text_of(app, "#verdict")
        assert "did not reach the gateway" in verdict
        assert not app.step.ready
    await services.aclose()


async def test_without_an_api_url_there_is_nothing_to_send(world: World) -> None:
    app, _, services = await run_try(world, api_url="")
    async with app.run_test(size=(100, 30)) as pilot:
        assert "finish the Status step" in text_of(app, "#api-url")
        assert app.step.check_action("send", ()) is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.step.query_one("#exchange").has_class("-shown")
    await services.aclose()


async def test_upstream_rewrite_is_blamed_on_the_upstream() -> None:
    import httpx

    from tests.screens.harness import StepHarness
    from tests.screens.step_kit import mock_services
    from tui.services.session import Session
    from tui.services.target import Target

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"message": "The upstream server is currently unavailable"})

    target = Target.sandbox("127.0.0.1:8460")
    services = mock_services(handler, target)
    session = Session(
        host=target.host, scheme="http", api_url="http://svc-dev-api-gov-bc-ca.localhost:8461/uuid"
    )
    app = StepHarness(TryItStep, session, services, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        assert "✗ 503 The upstream server is currently unavailable" in verdict
        assert "Authentication is not the problem" in verdict
        assert not app.step.ready
    await services.aclose()


@pytest.mark.parametrize(
    ("step_name", "needles"),
    [
        ("try_it", ('401 `{"message":"Unauthorized"}`', "curl ")),
        ("credentials", ("Request Access", "Generate Secrets", "export CID=")),
        ("token", ("client-credentials grant", "grant_type=client_credentials")),
        ("call", ("jwt-keycloak", "Authorization: Bearer $TOKEN")),
        (
            "cleanup",
            ("1 consumer has access to products in this gateway.", "gwa gateway destroy --force"),
        ),
    ],
)
async def test_f1_help_explains_each_consumer_step(world: World, step_name, needles) -> None:
    from screens.modals import HelpModal
    from screens.steps import screen_for

    session, services = world_session(world), world_services(world)
    app = harness(screen_for(step_name), world, session, services)
    async with app.run_test(size=(100, 30)) as pilot:
        markdown = app.step.help_markdown()
        for needle in needles:
            assert needle in markdown
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
    await services.aclose()
