"""Target step alone: the sandbox check, custom hosts, and each way a host can be wrong."""

from __future__ import annotations

import httpx

from screens.target import TargetStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target
from tests.waiting import until
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target


def harness(session, services, sandbox, make=None):
    return StepHarness(
        TargetStep,
        session,
        services,
        target=sandbox_target(sandbox),
        make_services=make or (lambda t: build_services(t, secrets=SecretStore())),
    )


async def test_sandbox_is_checked_on_arrival_and_next_commits(session, services, sandbox):
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "an APS portal answers at" in body_text(app, "#target-result")
        assert app.step.check_action("next", ()) is True
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["target"]
    assert (session.target_kind, session.host, session.scheme) == (
        "sandbox",
        sandbox.info.portal_host,
        "http",
    )
    assert app.adopted == []  # same target: the services were kept


async def choose_custom(pilot, app, text: str, scheme_http: bool = False) -> None:
    await pilot.click("#kind-custom")
    await pilot.pause()
    if scheme_http:
        await pilot.click("#scheme-http")
    await pilot.click("#custom-host")
    await pilot.press(*text)
    await pilot.pause()


async def test_custom_host_with_scheme_is_refused_with_the_reason(session, services, sandbox):
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await choose_custom(pilot, app, "https://api.example")
        message = body_text(app, "#host-message")
        assert "without http:// or https://" in message
        await pilot.press("enter")
        await pilot.pause()
        assert app.step.check_action("next", ()) is None  # Next stays greyed out


async def test_custom_host_pointing_at_the_sandbox_switches_target(session, services, sandbox):
    made: list[Target] = []

    def make(target):
        made.append(target)
        return build_services(target, secrets=SecretStore())

    app = harness(session, services, sandbox, make)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await choose_custom(pilot, app, sandbox.info.portal_host, scheme_http=True)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "an APS portal answers at" in body_text(app, "#target-result")
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert made and made[-1].kind == "custom" and made[-1].scheme == "http"
    assert app.adopted == [made[-1]]
    assert session.target_kind == "custom" and session.host == sandbox.info.portal_host


async def refused_text(session, services, sandbox) -> str:
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await choose_custom(pilot, app, "127.0.0.1:9", scheme_http=True)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.step.check_action("next", ()) is None
        assert app.step.check_action("retry", ()) is True
        return body_text(app, "#error-text")


async def test_nothing_listening_is_named_refused_with_cause_and_fix(session, services, sandbox):
    text = await refused_text(session, services, sandbox)
    assert "127.0.0.1:9" in text and "Why:" in text and "Fix:" in text
    assert "refused" in text


async def test_a_web_server_that_is_not_aps_is_named_as_such(session, services, sandbox):
    upstream = sandbox.info.upstream_url.removeprefix("http://")
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await choose_custom(pilot, app, upstream, scheme_http=True)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "not an APS portal" in body_text(app, "#error-text")


def failing(exc: Exception):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


async def test_dns_and_tls_failures_are_explained(sandbox):
    cases = {
        "could not be found (DNS)": httpx.ConnectError("[Errno -2] Name or service not known"),
        "secure (TLS) connection": httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
        ),
    }
    for expected, exc in cases.items():
        session = Session()
        app = harness(session, None, sandbox, lambda t, exc=exc: mock_services(failing(exc), t))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.click("#kind-test")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert expected in body_text(app, "#error-text")
            assert app.step.check_action("retry", ()) is True
            assert app.step.check_action("next", ()) is None


async def test_switching_target_with_progress_asks_first(session, services, sandbox):
    session.steps_done = ["target", "login", "gateway"]
    session.gateway_id = "gw-abc12"
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await choose_custom(pilot, app, sandbox.info.portal_host, scheme_http=True)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "gw-abc12" in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("escape")  # keep the old target
        await pilot.pause()
        assert app.completed == [] and session.gateway_id == "gw-abc12"
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: app.completed, "the target step to complete")
    assert app.completed == ["target"]
    assert session.target_kind == "custom" and session.gateway_id == ""
    assert session.steps_done == ["target"]


def dash_dash_host_run(sandbox):
    """Target as `gwa-wizard --host <sandbox>` opens it, and the services it uses."""
    target = Target("custom", sandbox.info.portal_host, "http")
    services = build_services(target, secrets=SecretStore())
    session = Session(target_kind="custom", host=target.host, scheme="http")
    return StepHarness(TargetStep, session, services, target=target), services


async def test_keys_typed_as_soon_as_a_dash_dash_host_run_shows_reach_the_host_field(sandbox):
    """A browser learner's first keys, typed the moment Target appears (the test of a browser
    learner lost them to the radio buttons when the cursor moved only after the first paint)."""
    app, services = dash_dash_host_run(sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("z", "q")  # no wait: as fast as a person can
            host = app.step.query_one("#custom-host")
            assert app.focused is host
            # the field selects its text when it takes the focus, so typing replaces the host;
            # what matters is that no key went elsewhere first
            assert host.value == "zq"
    finally:
        await services.aclose()


async def test_a_host_given_with_dash_dash_host_starts_in_the_host_field(sandbox):
    # `gwa-wizard --host …`: the host is checked at once and Enter re-checks it; it never
    # toggles the (disabled) built-in sandbox choice.
    app, services = dash_dash_host_run(sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.focused is app.step.query_one("#custom-host")
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.step.kind == "custom"
            assert "an APS portal answers" in body_text(app, "#target-result")
    finally:
        await services.aclose()
