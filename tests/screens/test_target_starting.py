"""The Target step as the wizard opens it at launch: before its embedded sandbox serves.

The learner can read it and use its keys at once; its check waits for the start-up
(``StepHost.started``) and its result shows when that arrives.
"""

from __future__ import annotations

import asyncio
from typing import Any

from screens.modals.help import HelpModal
from screens.target import TargetStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, sandbox_target
from tests.waiting import until
from tui.services.session import Session
from tui.services.target import Target


class StillStarting(StepHarness):
    """A host whose start-up ends when the test says so, with the services it then has."""

    def __init__(self, services: Any, sandbox: Any, given: Target | None = None) -> None:
        """``given``: the target of a ``--host`` run, known before the start-up ends."""
        session = Session(target_kind="sandbox")
        if given is not None:
            session = Session(target_kind=given.kind, host=given.host, scheme=given.scheme)
        super().__init__(TargetStep, session, None, target=given)
        self.started_services = services
        self.started_target = given or sandbox_target(sandbox)
        self.go = asyncio.Event()

    async def started(self) -> Any:
        await self.go.wait()
        self.target, self.services = self.started_target, self.started_services
        return self.services


def busy_text(app: StepHarness) -> str:
    return str(app.step.query_one("#step-busy").text)


async def test_target_is_usable_while_the_sandbox_starts_and_checks_it_once_started(
    services, sandbox
):
    app = StillStarting(services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "Starting the built-in APS sandbox" in busy_text(app), "busy")
        step = app.step
        assert step.kind == "sandbox" and not step.query_one("#kind-sandbox").disabled
        await pilot.press("ctrl+n")  # not checked yet: Next says so instead of going on
        assert app.completed == [] and not step.ready
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpModal), "the help")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is step, "back on Target")

        app.go.set()
        await until(pilot, lambda: step.ready, "the check")
        assert "an APS portal answers at" in body_text(app, "#target-result")
        assert busy_text(app) == ""
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.completed == ["target"], "Next")
    assert app.adopted == []  # the services the start-up made are the ones kept


async def test_choosing_a_custom_host_while_starting_drops_the_sandbox_check(services, sandbox):
    switched: list[Any] = []

    def make(target: Any) -> Any:
        switched.append(target)
        return services  # the sandbox's services stand in: only which target is asked matters

    app = StillStarting(services, sandbox)
    app._make_services = make
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "Starting" in busy_text(app), "busy")
        await pilot.click("#kind-custom")
        await until(pilot, lambda: app.step.kind == "custom", "the custom choice")
        assert switched == []  # nothing is asked of any host before the wizard has started
        assert busy_text(app) == ""  # the wait was for the sandbox's check, now not wanted
        app.go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.step.query_one("#step-error").shown  # no error for an untyped host
        await pilot.press(*"127.0.0.1:1")
        await until(pilot, lambda: "Press Enter" in body_text(app, "#host-message"), "the hint")
        assert not app.step.ready and switched == []  # a custom host is checked once submitted


async def test_a_run_with_dash_dash_host_waits_for_its_start_up_without_offering_a_sandbox(
    services, sandbox
):
    given = Target("custom", sandbox.info.portal_host, "http")
    app = StillStarting(services, sandbox, given)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: busy_text(app) == "Getting ready…", "busy")
        step = app.step
        choice = step.query_one("#kind-sandbox")
        assert choice.disabled and "not running" in str(choice.label)
        assert step.kind == "custom"
        app.go.set()
        await until(pilot, lambda: step.ready, "the check")
        assert f"an APS portal answers at http://{given.host}" in body_text(app, "#target-result")
