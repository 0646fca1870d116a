"""StepHarness: hosts one wizard step alone, with the session and services injected.

It implements the ``StepHost`` protocol of ``screens.host`` the way ``WizardApp`` does, but
records instead of navigating: ``completed`` lists the steps whose Next succeeded, ``backs``
counts Back presses, ``saves`` counts session saves, ``went`` the palette's jumps. With a
``store`` (a SessionStore), ``retire_session`` clears it as the app does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App

from screens.base import WizardStep
from screens.host import StepHost
from screens.leaving import quit_or_ask
from tui.app import WizardApp
from tui.options import default_state_dir
from tui.services.export import retire_session
from tui.services.session import Session, SessionStore
from tui.services.target import Target

APP_CSS = Path(__file__).resolve().parents[2] / "tui" / "app.tcss"


class StepHarness(App[None]):
    CSS_PATH = str(APP_CSS)
    # The wizard's own Quit key, so the footer (and its snapshots) is the one learners see.
    BINDINGS = WizardApp.BINDINGS

    def __init__(
        self,
        step_class: type[WizardStep],
        session: Session,
        services: Any,
        *,
        target: Target | None = None,
        workspace: Path | None = None,
        sandbox_upstream: str = "",
        make_services: Callable[[Target], Any] | None = None,
        state_dir: Path | None = None,
        store: SessionStore | None = None,
    ) -> None:
        super().__init__()
        self.step_class = step_class
        self.session = session
        self.services = services
        self.target = target
        self._workspace = workspace or Path.cwd()
        self.state_dir = state_dir or default_state_dir()  # under the test's own XDG_STATE_HOME
        self.store = store
        self.sandbox_upstream = sandbox_upstream
        self._make_services = make_services
        self.completed: list[str] = []
        self.backs = 0
        self.saves = 0
        self.adopted: list[Target] = []
        self.went: list[str] = []

    @property
    def workspace(self) -> Path:
        """As WizardApp: the folder chosen on screen (kept in the session), else the given one."""
        return Path(self.session.workspace) if self.session.workspace else self._workspace

    async def started(self) -> Any:
        """As WizardApp once started: the services given (a step alone starts nothing)."""
        return self.services

    @property
    def target_label(self) -> str:
        return self.target.label if self.target else ""

    def get_default_screen(self) -> WizardStep:
        return self.step_class(self.session, self.services)

    def on_mount(self) -> None:
        self.theme = "textual-dark"

    @property
    def step(self) -> WizardStep:
        screen = self.screen
        assert isinstance(screen, WizardStep), screen
        return screen

    async def complete_step(self, current: WizardStep) -> None:
        self.session.mark_done(current.STEP_ID)
        self.completed.append(current.STEP_ID)
        self.save_session()
        current.refresh_chrome()

    async def action_quit(self) -> None:
        quit_or_ask(self)  # as WizardApp does: unsaved edits ask first

    def go_back(self, current: WizardStep) -> None:
        self.backs += 1

    def can_goto(self, step_id: str) -> bool:
        return step_id in self.session.steps_done

    def goto(self, step_id: str) -> None:
        self.went.append(step_id)

    def save_session(self) -> None:
        self.saves += 1

    def retire_session(self) -> bool:
        if self.store is None:
            return False
        retire_session(self.store, self.session)
        return True

    def make_services(self, target: Target) -> Any:
        if self._make_services is None:
            raise AssertionError("this test did not expect a target switch")
        return self._make_services(target)

    async def adopt_target(self, target: Target, services: Any) -> None:
        self.adopted.append(target)
        self.target, self.services = target, services


def _implements_the_protocol(harness: StepHarness) -> StepHost:
    return harness  # mypy checks StepHarness against StepHost here
