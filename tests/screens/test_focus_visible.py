"""Focus a keyboard learner can always see: every tab stop of every step is visible.

Each test walks the step with Tab, as a learner does, at 80×24 (where bodies overflow and
scroll, so there are the most stops), in the step's first state and in the states that add
fields (custom host, device code, gateway list, portal paste-back…). A stop whose cells are
drawn the same with and without the focus, or that has no cell on screen, fails the test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.containers import Vertical
from textual.widgets import Button

from screens.apply import ApplyStep
from screens.base import WizardStep
from screens.call import CallStep
from screens.cleanup import CleanupStep
from screens.credentials import CredentialsStep
from screens.gateway import GatewayStep
from screens.login import LoginStep
from screens.modals import ConfirmModal, HelpModal, QuizModal
from screens.modals.choice import ChoiceModal
from screens.review import ReviewStep
from screens.status import StatusStep
from screens.summary import SummaryScreen
from screens.target import TargetStep
from screens.template import TemplateStep
from screens.token import TokenStep
from screens.try_it import TryItStep
from tests.screens.consumer_kit import harness, settle, world_services, world_session
from tests.screens.focus_kit import invisible_stops, tab_stops
from tests.screens.harness import StepHarness
from tests.screens.step_kit import sandbox_target
from tests.services.consumer_world import build_world
from tests.waiting import until
from tui.lessons import quiz
from tui.services.bundle import build_services
from tui.services.credentials import CredentialsService, secret_name
from tui.services.secrets import SecretStore
from tui.services.session import Session

SMALL = (80, 24)

Act = Callable[[Any], Awaitable[None]]


async def nothing(pilot: Any) -> None:
    return None


async def custom_host(pilot: Any) -> None:
    await pilot.click("#kind-custom")
    await settle(pilot)


async def device_code(pilot: Any) -> None:
    pilot.app.screen.query_one("#start-device").press()
    await until(pilot, lambda: pilot.app.screen.challenge is not None, "a device code")


async def gateway_list(pilot: Any) -> None:
    await pilot.click("#mode-pick")
    await settle(pilot)


async def applied(pilot: Any) -> None:
    await pilot.press("ctrl+a")
    await settle(pilot)


PROVIDER: list[tuple[type, Act]] = [
    (TargetStep, nothing),
    (TargetStep, custom_host),
    (LoginStep, nothing),
    (LoginStep, device_code),
    (GatewayStep, nothing),
    (GatewayStep, gateway_list),
    (TemplateStep, nothing),
    (ReviewStep, nothing),
    (ApplyStep, nothing),
    (ApplyStep, applied),
    (StatusStep, nothing),
]


def _id(value: object) -> str:
    return getattr(value, "__name__", str(value))


@pytest.mark.parametrize(("step", "act"), PROVIDER, ids=_id)
async def test_every_provider_tab_stop_shows_its_focus(
    step: type, act: Act, with_file, session, sandbox, tmp_path
) -> None:
    services, _, _ = with_file
    app = StepHarness(
        step,
        session,
        services,
        target=sandbox_target(sandbox),
        workspace=tmp_path,
        sandbox_upstream=sandbox.info.upstream_url,
        make_services=lambda t: build_services(t, secrets=SecretStore()),
    )
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await settle(pilot)
        await act(pilot)
        assert await invisible_stops(pilot) == []


async def handoff(pilot: Any) -> None:
    await pilot.press("ctrl+l")
    await until(pilot, lambda: pilot.app.screen.query_one("#handoff-box").has_class("-shown"))
    await settle(pilot)


async def send(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def token(pilot: Any) -> None:
    await pilot.press("ctrl+g")
    await settle(pilot)


CONSUMER: list[tuple[type, Act]] = [
    (CredentialsStep, nothing),
    (CredentialsStep, handoff),
    (TokenStep, nothing),
    (TokenStep, token),
    (TryItStep, send),
    (CallStep, send),
    (CleanupStep, nothing),
    (SummaryScreen, nothing),
]


async def consumer_app(sandbox: Any, step: type) -> StepHarness:
    """The step on a published world, with a consumer issued and (for Call) a token."""
    world = build_world(sandbox)
    services = world_services(world)
    if step in (CredentialsStep, TryItStep):
        return harness(step, world, world_session(world), services)
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "focus"
        )
    session = world_session(
        world,
        client_id=creds.client_id,
        token_endpoint=creds.token_endpoint,
        credentials_source="rest",
        environment_app_id=world.environment_app_id,
    )
    await services.secrets.set(secret_name(session.host, creds.client_id), creds.client_secret)
    services.credentials.current = creds
    if step is CallStep:
        services.tokens.current = await services.tokens.request(creds)
    return harness(step, world, session, services)


@pytest.mark.parametrize(("step", "act"), CONSUMER, ids=_id)
async def test_every_consumer_tab_stop_shows_its_focus(step: type, act: Act, sandbox) -> None:
    app = await consumer_app(sandbox, step)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await settle(pilot)
        await act(pilot)
        assert await invisible_stops(pilot) == []


async def test_a_body_that_fits_is_no_tab_stop_and_one_that_overflows_is(session, sandbox) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(TargetStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        body = app.screen.query_one("#step-body")
        assert body not in await tab_stops(pilot)  # everything is on screen: nothing to scroll
        await pilot.resize_terminal(80, 14)
        await until(pilot, lambda: body.max_scroll_y > 0, "the body to overflow")
        assert body in await tab_stops(pilot)  # now the arrow keys must reach what is below


async def test_the_summary_scrolls_with_the_arrows_at_once(sandbox) -> None:
    app = await consumer_app(sandbox, SummaryScreen)
    async with app.run_test(size=SMALL) as pilot:
        body = app.screen.query_one("#summary-body")
        await until(pilot, lambda: app.screen.focused is body, "the report to take the focus")
        await pilot.press("down", "down")
        assert body.scroll_y > 0


# -- modals ---------------------------------------------------------------------------------


class ModalHost(StepHarness):
    """Target with a modal pushed on top."""

    def __init__(self, modal: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modal = modal

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(self.modal)


@pytest.mark.parametrize(
    "modal",
    [
        lambda: QuizModal(quiz.question_after("status")),
        lambda: ConfirmModal("Delete the gateway gw-1a2b3?", yes="Delete"),
        lambda: HelpModal("# Help\n\n" + "A line of help.\n\n" * 40),
        lambda: ChoiceModal(
            "You have unsaved edits.", [("save", "Save and go on"), ("discard", "Discard")]
        ),
    ],
    ids=["quiz", "confirm", "help", "choice"],
)
async def test_every_modal_tab_stop_shows_its_focus(modal, session, sandbox) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = ModalHost(modal(), TargetStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: not isinstance(app.screen, TargetStep), "the modal")
        await pilot.pause()
        assert await invisible_stops(pilot) == []


async def test_the_help_scrolls_with_the_arrows_at_once(session, sandbox) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(TargetStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpModal), "the help")
        scroll = app.screen.query_one("#help-scroll")
        await until(pilot, lambda: app.screen.focused is scroll, "the help text to take the focus")
        await pilot.press("down", "down")
        assert scroll.scroll_y > 0


class HidingStep(WizardStep):
    """A button alone in its box, then another: hiding the first leaves no sibling to focus."""

    STEP_ID = "apply"

    def compose_body(self):
        with Vertical(id="box"):
            yield Button("Start", id="start")
        yield Button("Next thing", id="next-thing")


async def test_hiding_the_focused_button_moves_the_focus_to_the_next_stop() -> None:
    app = StepHarness(HidingStep, Session(), None)
    async with app.run_test(size=(100, 30)) as pilot:
        start = app.screen.query_one("#start")
        start.focus()
        await pilot.pause()
        start.display = False  # as a step hides the button it has just used
        following = app.screen.query_one("#next-thing")
        await until(pilot, lambda: app.screen.focused is following, "the focus on the next stop")
        assert await invisible_stops(pilot) == []
