"""``WizardStep``: the base class of every wizard step (provider and consumer halves).

A step is a :class:`textual.screen.Screen` that gets the learner's :class:`Session` and the
:class:`Services` bundle injected, does its real operation in a worker, and writes what it
learned into the session in :meth:`WizardStep.commit`. The host app (``tui.app.WizardApp``, or
``tests/screens/harness.StepHarness`` in tests) owns navigation and saving.

API (stable; later changes are additive only)
=============================================

Class attributes a step sets::

    STEP_ID: str            # one of tui.steps.STEP_IDS, also the worker group name
    HELP: str               # Markdown for F1: what the step does and why (our own words)
    KEY_TERMS: tuple[tuple[str, str], ...]   # (term, meaning) pairs shown under "Key terms"
    AUTO_FOCUS: str | None  # Textual's: selector of the widget that gets focus first

Constructor: ``Step(session, services)``; keep both as ``self.session`` / ``self.services``.

Layout: the base composes the header (target / user / gateway / service), the sidebar (steps
with marks), the step title, a scrolling body, a busy line, an error panel and the footer.
A step only implements :meth:`compose_body` (yield its widgets). Its CSS goes in the step's
own ``DEFAULT_CSS`` nested under its class name.

Readiness and navigation:

* ``self.ready`` (reactive bool, default False). Next (``ctrl+n``, binding id ``wizard.next``)
  is greyed out until it is True. Set it from validation or when the operation succeeded.
* ``async commit()`` hook: write results into ``self.session`` (only here). Raise
  ``WizardError`` to stay on the step and show the error. After it returns, the host marks
  the step done, saves the session atomically and shows the next step.
* Back (``ctrl+b``, ``wizard.back``) returns to the previous step with its widget state.
* ``F1`` (``wizard.help``) opens :meth:`help_markdown` (HELP + KEY_TERMS + the equivalent
  command from the step's builder in ``tui.steps.STEPS``).
* Retry (``ctrl+r``, ``wizard.retry``) is enabled while an error with a retry is shown.

Workers and errors (``screens/step_operations.py``, one of the step's bases, with an
example): declare workers as ``@work(exclusive=True, group="<step id>", exit_on_error=False)``
and wrap the service call in :meth:`operation`, which shows the busy line and turns a
``WizardError`` into the error panel with Retry; :meth:`set_busy`, :meth:`show_error`,
:meth:`clear_error`.

Width classes (``-narrow`` below 100 columns, ``-wide`` from 100), the scroll to the focus
after the first layout, and focus kept on a stop when its widget is hidden or disabled
(:meth:`keep_focus_after`): ``screens/step_layout.py``, the step's other base.

Other helpers: :meth:`copy_text` (OSC 52 and the clipboard service; a missing clipboard is a
notice), :meth:`equivalent_command`, :meth:`show_command` (the command box under the body,
hidden until called), :meth:`refresh_chrome` (redraw header and sidebar after changing the
session), ``self.host`` (the :class:`screens.host.StepHost`: the only way a step talks to the
app: ``target``, ``target_label``, ``workspace``, ``state_dir``, ``sandbox_upstream``,
``save_session()``, ``retire_session()``, ``make_services(target)``, ``adopt_target(...)``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Static

from tui.services.errors import WizardError
from tui.steps import STEP_IDS, StepInfo, step
from tui.widgets import (
    BusyLine,
    CommandBox,
    ErrorPanel,
    FocusScroll,
    StepSidebar,
    WizardFooter,
    WizardHeader,
)

from .host import StepHost, host_of
from .intents import Intents
from .step_layout import StepLayout
from .step_operations import StepOperations

__all__ = ["WizardStep"]

if TYPE_CHECKING:
    from tui.services.bundle import Services
    from tui.services.session import Session


class WizardStep(StepOperations, StepLayout):
    STEP_ID: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    KEY_TERMS: ClassVar[tuple[tuple[str, str], ...]] = ()

    BINDINGS = [
        Binding(
            "ctrl+n",
            "next",
            "Next",
            id="wizard.next",
            tooltip="Save this step and go on to the next one",
        ),
        Binding(
            "ctrl+b",
            "back",
            "Back",
            id="wizard.back",
            tooltip="Go back to the previous step (nothing is undone)",
        ),
        Binding(
            "ctrl+r",
            "retry",
            "Retry",
            id="wizard.retry",
            tooltip="Run the operation that failed again",
        ),
        Binding(
            "f1",
            "help",
            "Help",
            id="wizard.help",
            tooltip="What this step does and why, key terms, the equivalent command",
        ),
    ]

    ready: reactive[bool] = reactive(False, bindings=True)

    def __init__(self, session: Session, services: Services) -> None:
        super().__init__(id=f"step-{self.STEP_ID}" if self.STEP_ID else None)
        self._resumed_before = False
        self.session = session
        self.services = services
        self._entered_at = time.monotonic()
        # One create/apply/revoke per intent (screens/intents.py): a triple press runs once.
        self.intents = Intents(self)

    # -- layout -----------------------------------------------------------------------------
    @property
    def info(self) -> StepInfo:
        """This step's entry in ``tui.steps.STEPS`` (KeyError for a STEP_ID that is none)."""
        return step(self.STEP_ID)

    @property
    def title_text(self) -> str:
        index = STEP_IDS.index(self.STEP_ID)
        return f"Step {index + 1} of {len(STEP_IDS)}: {self.info.title}"

    def compose(self) -> ComposeResult:
        yield WizardHeader(id="wizard-header")
        with Horizontal(id="wizard-main"):
            yield StepSidebar(self.STEP_ID, self.session.steps_done, id="wizard-sidebar")
            with Vertical(id="step-pane"):
                yield Static(self.title_text, id="step-title")
                with FocusScroll(id="step-body"):
                    yield from self.compose_body()
                    yield CommandBox(id="step-command")
                    yield ErrorPanel(id="step-error")
                yield BusyLine(id="step-busy")
        yield WizardFooter()

    def compose_body(self) -> ComposeResult:
        """Yield the step's own widgets (override)."""
        yield from ()

    # -- host and chrome --------------------------------------------------------------------
    @property
    def host(self) -> StepHost:
        """The app hosting this step, through the one protocol steps may use."""
        return host_of(self.app)

    def refresh_chrome(self) -> None:
        """Redraw the header and sidebar from the session (call after changing it)."""
        s = self.session
        label = self.host.target_label or s.target_kind
        header = self.query_one_optional("#wizard-header", WizardHeader)
        if header is not None:
            # Only what is true now: a destroyed gateway is said to be gone (and a login that
            # no longer works leaves no user: tui/resume.py clears it).
            gateway = f"{s.gateway_id} (destroyed)" if s.gateway_destroyed else s.gateway_id
            header.show(label, s.username, gateway, s.service)
        sidebar = self.query_one_optional("#wizard-sidebar", StepSidebar)
        if sidebar is not None:
            sidebar.show(self.STEP_ID, s.steps_done)

    def on_screen_resume(self) -> None:
        self._entered_at = time.monotonic()
        self.refresh_chrome()
        if not self._opened:
            self.call_after_refresh(self._show_the_focus)

    @on(events.ScreenResume)
    async def _restyle_apart_from_layout(self, event: events.ScreenResume) -> None:
        """Textual's own resume handler (Screen's, which runs after this one) restyles every
        widget of the step and then lays out and paints the whole screen, all in one
        callback: on a step's first appearance the longest the event loop was held in the
        tutorial (50 ms of CPU on the Template step).

        On its first appearance the step's widgets were styled when they were mounted,
        moments before, and every class or pseudo-class changed since restyled what it
        touched (Textual does that on each change): the whole-screen restyle is skipped (Target's
        first paint after the imports: 72 -> 68 ms of main-thread CPU, medians of eight). On a return to the step (Back, or a modal closed)
        the restyle is done here, the event loop runs once, and Textual's handler then lays
        out and paints with nothing left to restyle. Same styles, same screen (the
        snapshots). It lives here, not in ``step_layout.py``: Textual runs a class's own
        handlers before its bases', and this one comes before :meth:`on_screen_resume`."""
        if not (event.refresh_styles and self.is_attached):
            return
        event.refresh_styles = False
        if not self._resumed_before:
            self._resumed_before = True
            return
        self.update_node_styles(animate=False)
        await asyncio.sleep(0)

    # -- readiness and navigation -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return True if self.ready else None
        if action == "retry":
            return self._retry is not None
        if action == "back":
            return True if STEP_IDS.index(self.STEP_ID) > 0 else None
        return True

    async def commit(self) -> None:
        """Write what this step learned into ``self.session`` (override)."""

    def not_ready_reason(self) -> str:
        """What the learner still has to do before Next works (override to be precise)."""
        from .not_ready import missing

        return missing(self.STEP_ID)

    def on_key(self, event: events.Key) -> None:
        # Next is greyed out until the step is ready, and a disabled binding does nothing:
        # say what is missing instead of ignoring the key.
        if event.key == "ctrl+n" and not self.ready:
            event.stop()
            self.notify(self.not_ready_reason(), title="Not ready yet", severity="warning")

    async def action_next(self) -> None:
        if not self.ready:
            self.notify(self.not_ready_reason(), title="Not ready yet", severity="warning")
            return
        try:
            await self.commit()
        except WizardError as error:
            self.show_error(error)
            return
        self.session.add_time(self.STEP_ID, time.monotonic() - self._entered_at)
        await self.host.complete_step(self)

    def action_back(self) -> None:
        self.leave("go back", lambda: self.host.go_back(self))

    # -- unsaved changes: leaving a step never drops them silently ----------------------------
    def unsaved_changes(self) -> str:
        """What leaving now would lose, in words ('' when nothing); steps that edit override."""
        return ""

    async def save_changes(self) -> bool:
        """Save what :meth:`unsaved_changes` names; False (error shown) when it failed."""
        return True

    def discard_changes(self) -> None:
        """Drop the unsaved changes (back to what was saved)."""

    def leave(self, verb: str, go: Callable[[], object]) -> None:
        """Call ``go`` now, or, with unsaved changes, after asking: save, discard or stay."""
        from .leaving import leave

        leave(self, verb, go)

    def action_help(self) -> None:
        from .modals.help import HelpModal

        self.app.push_screen(HelpModal(self.help_markdown()))

    # -- help -------------------------------------------------------------------------------
    def equivalent_command(self, preview: Session | None = None) -> str:
        """The real command for this step with the learner's values (its builder's bugs raise).

        ``preview``: a copy of the session holding values not committed yet.
        """
        return self.info.command(preview or self.session)

    def show_command(self, preview: Session | None = None) -> None:
        """Show the equivalent command (with the learner's values) under the step's body."""
        box = self.query_one_optional("#step-command", CommandBox)
        if box is not None:
            box.show(self.equivalent_command(preview))

    def help_markdown(self) -> str:
        from tui.lessons import glossary, lesson_markdown
        from tui.widgets.step_help import help_markdown

        # Insider words are explained in the help of the step where they first appear.
        terms = self.KEY_TERMS + tuple(
            t for t in glossary.terms_for(self.STEP_ID) if t[0] not in dict(self.KEY_TERMS)
        )
        body = self.HELP.strip() + lesson_markdown(self.STEP_ID, self.session)
        return help_markdown(self.title_text, body, terms, self.equivalent_command())

    # -- clipboard --------------------------------------------------------------------------
    async def copy_text(self, text: str, what: str = "Text") -> bool:
        """Copy with OSC 52 and the system clipboard; tell the learner what happened."""
        self.app.copy_to_clipboard(text)
        copied = False
        clip: Any = getattr(self.services, "clipboard", None)
        try:
            if clip is None:
                from tui.services import clipboard as clip
            copied = bool(await clip.copy(text))
        except Exception:
            copied = False
        if copied:
            self.notify(f"{what} copied to the clipboard.")
        else:
            self.notify(
                f"{what} sent to the terminal clipboard (OSC 52); no system clipboard was "
                "found, so select and copy it by hand if your terminal ignores OSC 52.",
                severity="warning",
            )
        return copied
