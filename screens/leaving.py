"""Leaving a step (Back, quit) with unsaved changes asks first: save, discard or stay.

Nothing a learner typed is ever dropped silently. A step names its unsaved changes with
``unsaved_changes()`` (Review: its edits), and saves or drops them with ``save_changes()`` /
``discard_changes()``; this module asks and then goes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from .modals import ChoiceModal

if TYPE_CHECKING:
    from .base import WizardStep


def leave(step: WizardStep, verb: str, go: Callable[[], object]) -> None:
    """Call ``go`` now, or after asking when ``step`` has unsaved changes."""
    what = step.unsaved_changes()
    if not what:
        go()
        return

    async def answered(choice: str | None) -> None:
        if choice == "save":
            if not await step.save_changes():
                return  # the error is shown on the step; stay
        elif choice == "discard":
            step.discard_changes()
        else:
            step.notify("Nothing was dropped: your changes are still here.")
            return
        result = go()
        if inspect.isawaitable(result):
            await result

    question = f"You have unsaved changes: {what}.\nSave them before you {verb}?"
    choices = [("save", f"Save and {verb}"), ("discard", f"Discard and {verb}"), ("stay", "Stay")]
    step.app.push_screen(ChoiceModal(question, choices), callback=answered)


def quit_or_ask(app: App[Any]) -> None:
    """Quit, unless the step on screen has unsaved changes: then ask first."""
    from .base import WizardStep

    step = next((s for s in reversed(app.screen_stack) if isinstance(s, WizardStep)), None)
    if step is None or not step.unsaved_changes():
        app.exit()
    elif isinstance(app.screen, ChoiceModal):
        app.notify("Answer the question first: save, discard or stay.")
    else:
        leave(step, "quit", app.exit)
