"""Stands in for a step whose module is not in this build, so the app never crashes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.steps import step

from .base import WizardStep


class UnavailableStep(WizardStep):
    REASON = ""
    HELP = "This step is not available in this build of gwa-wizard."

    DEFAULT_CSS = """
    UnavailableStep #unavailable-text { border: round $warning; padding: 1 2; }
    """

    def compose_body(self) -> ComposeResult:
        try:
            title = step(self.STEP_ID).title
        except KeyError:
            title = self.STEP_ID
        yield Static(
            f"The {title} step is not available in this build ({self.REASON}).\n\n"
            "Everything you did up to here is saved. Press ctrl+b to go back, or ctrl+q "
            "to quit and continue later with a newer build.",
            id="unavailable-text",
        )


def unavailable_step(step_id: str, reason: str) -> type[UnavailableStep]:
    return type(
        f"Unavailable_{step_id}", (UnavailableStep,), {"STEP_ID": step_id, "REASON": reason}
    )
