"""The whole wizard, keyboard only, from Target to Status against its embedded sandbox.

``drive_provider_flow`` is shared: the consumer-half e2e test continues from where it stops,
and ``tests/benchmarks/bench_startup.py`` measures event-loop stalls while it runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.pilot import Pilot

from screens.base import WizardStep
from tui.app import WizardApp
from tui.options import WizardOptions

SERVICE = "e2e-svc"


def options_in(root: Path) -> WizardOptions:
    return WizardOptions(data_dir=root / "data", state_dir=root / "state", workspace=root / "work")


async def wait_for(pilot: Pilot, condition, what: str, timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (workers finish, screens change)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            screen = pilot.app.screen
            raise AssertionError(f"timed out waiting for {what} (on {type(screen).__name__})")
        await pilot.pause(0.05)


def on_step(app: WizardApp, step_id: str) -> bool:
    screen = app.screen
    return isinstance(screen, WizardStep) and step_id == screen.STEP_ID


def quiz_shown(app: WizardApp) -> bool:
    from screens.modals import QuizModal

    return isinstance(app.screen, QuizModal)


async def pass_quiz(pilot: Pilot, app: WizardApp, answer: str | None = None) -> None:
    """Answer the Check-your-understanding question shown (its key), or skip it (None)."""
    await wait_for(pilot, lambda: quiz_shown(app), "the question")
    if answer is None:
        await pilot.press("escape")
    else:
        # Keyboard only: the choices have the focus, the first one highlighted.
        await pilot.press(*["down"] * (ord(answer) - ord("a")), "enter")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#quiz-answer"), "Answer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.picked is not None, "the feedback")
        await pilot.press("enter")  # Continue
    await wait_for(pilot, lambda: not quiz_shown(app), "the question to close")


async def next_step(pilot: Pilot, app: WizardApp, current: str, following: str) -> None:
    """Next, skipping a Check-your-understanding question when one is asked."""
    await wait_for(pilot, lambda: app.screen.ready, f"{current} to be ready")
    await pilot.press("ctrl+n")
    await wait_for(
        pilot, lambda: on_step(app, following) or quiz_shown(app), f"the {following} step"
    )
    if quiz_shown(app):
        await pass_quiz(pilot, app)
        await wait_for(pilot, lambda: on_step(app, following), f"the {following} step")


async def drive_provider_flow(pilot: Pilot, service: str = SERVICE) -> None:
    """Target → Status with keys only; returns with the Status step done and Try it shown."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    await wait_for(pilot, lambda: on_step(app, "target"), "the Target step")
    await next_step(pilot, app, "target", "login")  # the sandbox is checked on arrival

    await pilot.press("enter")  # "Start the login" has the focus
    await wait_for(pilot, lambda: app.screen.challenge is not None, "the user code")
    await pilot.press("ctrl+l")  # approve on the sandbox, as the browser would
    await next_step(pilot, app, "login", "gateway")

    await pilot.press("enter")  # create with the suggested display name
    await next_step(pilot, app, "gateway", "template")

    await pilot.press(*service)
    await wait_for(pilot, lambda: app.screen.available_for == service, "the name check")
    await pilot.press("enter")  # write the file
    await next_step(pilot, app, "template", "review")

    await wait_for(pilot, lambda: app.screen.loaded, "the file in Review")
    await next_step(pilot, app, "review", "apply")

    await pilot.press("enter")  # "Apply the file" has the focus
    await next_step(pilot, app, "apply", "status")

    await wait_for(pilot, lambda: app.screen.ready, "the status")
    await pilot.press("ctrl+n")
    await pass_quiz(pilot, app)  # Check your understanding: skipped here
    await wait_for(pilot, lambda: on_step(app, "try_it"), "the step after Status")


async def test_target_to_status_keyboard_only(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot)
        session = app.session
        sandbox = app.sandbox
        assert sandbox is not None
        db = sandbox.ctx.db
        gateway_id = session.gateway_id
        # The sandbox's own records: the gateway, one Kong service, issuer, dataset, product.
        gateway = db.query_one("SELECT * FROM gateways WHERE gateway_id=?", (gateway_id,))
        assert gateway is not None and gateway["display_name"] == f"{session.username}'s Gateway"
        services = db.query("SELECT name FROM kong_services WHERE gateway_id=?", (gateway_id,))
        assert [r["name"] for r in services] == [f"{SERVICE}-dev"]
        assert db.query_one("SELECT 1 FROM issuers WHERE gateway_id=?", (gateway_id,))
        assert db.query_one("SELECT 1 FROM datasets WHERE name=?", (f"{SERVICE}-dataset",))
        assert db.query_one("SELECT 1 FROM products WHERE gateway_id=?", (gateway_id,))
        assert len(session.published) == 4
        status = await app.services.status.services(gateway_id)
        assert [(s.name, s.status) for s in status] == [(f"{SERVICE}-dev", "UP")]
        assert session.api_url.endswith("/uuid") and ".localhost:" in session.api_url
        assert (options.resolved_workspace / "gw-config-client-cred.yaml").exists()
    # The session was saved after each step, with no secret in it.
    saved = json.loads((options.resolved_state_dir / "session.json").read_text())
    assert saved["steps_done"] == [
        "target",
        "login",
        "gateway",
        "template",
        "review",
        "apply",
        "status",
    ]
    assert saved["current_step"] == "try_it"
    assert "token" not in json.dumps(saved).lower().replace("token_endpoint", "")
    assert app.sandbox is None  # stopped on exit


async def test_resume_rechecks_reality(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot, "resume-svc")
        gateway_id = app.session.gateway_id
    # Run again: tokens were in memory only (no keyring), so the login is to do again;
    # the gateway still exists in the sandbox's data folder.
    again = WizardApp(options)
    async with again.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: again.ready_event.is_set(), "the resumed step")
        assert on_step(again, "login")
        assert "login" not in again.session.steps_done
        assert again.session.gateway_id == gateway_id
        assert any("Login step is to do again" in n.message for n in again._notifications)
        # Log in again; the gateway check now passes and later steps stay done.
        await pilot.press("enter")
        await wait_for(pilot, lambda: again.screen.challenge is not None, "the user code")
        await pilot.press("ctrl+l")
        # Everything after Login was still true, so Next goes on where the learner was.
        await next_step(pilot, again, "login", "try_it")
        assert "apply" in again.session.steps_done


async def test_missing_consumer_steps_never_crash(tmp_path: Path, monkeypatch) -> None:
    import screens

    monkeypatch.setitem(screens.STEP_CLASSES, "try_it", "screens.not_built.TryItStep")
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot, "missing-svc")
        text = str(app.screen.query_one("#unavailable-text").content)
        assert "not available in this build" in text
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: on_step(app, "status"), "back to Status")


async def test_back_keeps_the_earlier_step_and_next_returns(tmp_path: Path) -> None:
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: on_step(app, "target"), "the Target step")
        await next_step(pilot, app, "target", "login")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.challenge is not None, "the user code")
        await pilot.press("ctrl+l")
        await next_step(pilot, app, "login", "gateway")
        login_screen = app.screen_stack[-2]
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: on_step(app, "login"), "back at Login")
        assert app.screen is login_screen and app.screen.ready  # same screen, result kept
        assert "Successfully logged in" in str(app.screen.query_one("#login-result").content)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: on_step(app, "gateway"), "the Gateway step again")
        assert app.session.steps_done == ["target", "login"]
