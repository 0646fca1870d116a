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


async def next_step(pilot: Pilot, app: WizardApp, current: str, following: str) -> None:
    await wait_for(pilot, lambda: app.screen.ready, f"{current} to be ready")
    await pilot.press("ctrl+n")
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
    await wait_for(pilot, lambda: on_step(app, "try_it"), "the step after Status")
