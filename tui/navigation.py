"""Moving between the steps: Next, Back, the palette's jumps, and saving where the learner is.

:class:`StepNavigation` is a mixin of :class:`tui.app.WizardApp` (the part of the
``StepHost`` protocol, ``screens/host.py``, that moves between steps).
:meth:`~StepNavigation.complete_step` marks a step done, asks the step's quiz question once
per session (``tui.lessons.quiz``), saves the session atomically and pushes the next step not
done yet (or the summary); :meth:`~StepNavigation.go_back` pops back, so the earlier step
keeps its widget state; :meth:`~StepNavigation.goto` jumps to a step done already. Steps
call these through ``WizardStep.host``.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Any

from textual import work

from screens.base import WizardStep

from .lessons import quiz
from .services.errors import WizardError
from .start_up import settle_heap
from .steps import STEP_IDS, next_step

if TYPE_CHECKING:
    from textual.app import App

    from .services.bundle import Services
    from .services.session import Session, SessionStore
    from .services.target import Target

    _AppBase = App[int]
else:
    _AppBase = object  # at run time a plain mixin: WizardApp's CSS types stay its own


class StepNavigation(_AppBase):
    """Next, Back and jumps between steps for :class:`tui.app.WizardApp`."""

    if TYPE_CHECKING:  # set by WizardApp.__init__ and its start-up
        session: Session
        services: Services | None
        target: Target | None
        store: SessionStore

    def build_step(self, step_id: str) -> WizardStep:
        # Every step module: imported in a thread once the first step has done its check
        # (tui.start_up.warm_up_rest), and awaited in a thread before Next shows the following step.
        from screens.steps import screen_for

        assert self.services is not None
        return screen_for(step_id)(self.session, self.services)

    def save_session(self) -> None:
        try:
            self.store.save(self.session)
        except OSError as exc:
            self.notify(f"Could not save your progress: {exc}", severity="error")

    async def complete_step(self, current: WizardStep) -> None:
        question = quiz.question_after(current.STEP_ID)
        if question is not None and not quiz.answered(self.session.answers, question):
            # Check your understanding first (once per session, skippable), then go on.
            from screens.modals.quiz import QuizModal

            async def answered(key: str | None) -> None:
                self.record_answer(question, key)
                await self._advance(current)

            self.push_screen(QuizModal(question), callback=answered)
            return
        await self._advance(current)

    def record_answer(self, question: quiz.Question, key: str | None) -> None:
        """Keep the answer in the session (and the report); on a class sandbox, send it to
        the class board too."""
        row = quiz.record(question, key)
        self.session.record_answer(row)
        self.save_session()
        if key is not None and self.target is not None and self.target.kind == "custom":
            self.send_answer(row)

    @work(group="answers", exit_on_error=False)
    async def send_answer(self, row: dict[str, Any]) -> None:
        """Send to a class sandbox's board; a real portal (no board) is not an error."""
        from .services.answers import AnswersService

        if self.services is None:
            return
        try:
            await AnswersService(self.services.client).send(row)
        except WizardError as error:
            if error.status not in (404, 405):
                self.notify(
                    f"Your answer is kept here, but the class board did not take it: {error.what}",
                    severity="warning",
                )

    async def _advance(self, current: WizardStep) -> None:
        self.session.mark_done(current.STEP_ID)
        following = self.following_step(current.STEP_ID)
        if following is None:
            self.save_session()
            from screens.summary import SummaryScreen

            await self.push_screen(SummaryScreen(self.session, self.services))
            return
        self.session.current_step = following
        self.save_session()
        await asyncio.to_thread(importlib.import_module, "screens.steps")  # see build_step
        await self.push_screen(self.build_step(following))
        self.call_after_refresh(settle_heap)  # the new step's widgets live on: see there

    def following_step(self, step_id: str) -> str | None:
        """The next step not done yet (steps still done after a revisit are skipped)."""
        later = STEP_IDS[STEP_IDS.index(step_id) + 1 :]
        return next((s for s in later if s not in self.session.steps_done), next_step(step_id))

    def go_back(self, current: WizardStep) -> None:
        index = STEP_IDS.index(current.STEP_ID)
        if index == 0:
            return
        previous = STEP_IDS[index - 1]
        self.session.current_step = previous
        self.save_session()
        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if isinstance(below, WizardStep) and previous == below.STEP_ID:
            self.pop_screen()
        else:
            self.switch_screen(self.build_step(previous))

    def goto(self, step_id: str) -> None:
        """Jump to a step already done (or the first one not done); used by the palette."""
        if not self.can_goto(step_id):
            self.notify("Finish the earlier steps first.", severity="warning")
            return
        self.session.current_step = step_id
        self.save_session()
        self.switch_screen(self.build_step(step_id))

    def can_goto(self, step_id: str) -> bool:
        if self.services is None:
            return False
        done = set(self.session.steps_done)
        first_open = next((s for s in STEP_IDS if s not in done), STEP_IDS[-1])
        return step_id in done or step_id == first_open
