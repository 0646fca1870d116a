"""Helpers for the end-to-end tests: the whole app driven with keys, as a learner would."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from screens.base import WizardStep
from tests.waiting import until as wait_for
from tui.app import WizardApp
from tui.options import WizardOptions

SERVICE = "e2e-svc"


def options_in(root: Path) -> WizardOptions:
    return WizardOptions(data_dir=root / "data", state_dir=root / "state", workspace=root / "work")


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
        # A Button ignores Enter while its 0.2 s press effect lasts (a double press is one).
        answer = app.screen.query_one("#quiz-answer")
        await wait_for(pilot, lambda: not answer.has_class("-active"), "the press effect to end")
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


async def drive_to_template(pilot: Pilot) -> None:
    """Target → Template with keys only: logged in, a gateway made, Template shown."""
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


async def drive_provider_flow(pilot: Pilot, service: str = SERVICE) -> None:
    """Target → Status with keys only; returns with the Status step done and Try it shown."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    await drive_to_template(pilot)

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
