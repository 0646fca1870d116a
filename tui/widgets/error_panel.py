"""An inline panel showing a WizardError as what happened, why, and how to fix it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ..services.errors import WizardError, detail_note


def error_content(error: WizardError, can_retry: bool) -> Content:
    parts = [Content.styled(f"✗ {error.what}\n", "bold $error")]
    if error.why:
        parts.append(Content.styled("Why: ", "bold") + Content(f"{error.why}\n"))
    if error.fix:
        parts.append(Content.styled("Fix: ", "bold") + Content(f"{error.fix}\n"))
    if error.detail and error.detail not in error.what:
        # A detail with no HTTP status is the client's own (a timeout, a refused connection).
        label = "Server said: " if error.status is not None else "Details: "
        parts.append(Content.styled(label, "$text-muted") + Content(f"{error.detail}\n"))
        note = detail_note(error.detail)
        if note:
            parts.append(Content.styled(f"({note})\n", "italic $text-muted"))
    if can_retry:
        parts.append(Content.styled("Press ctrl+r to retry.", "italic $text-muted"))
    return Content("").join(parts).rstrip()


class ErrorPanel(Vertical):
    """Hidden until :meth:`show_error`; the step's Retry binding does the retrying."""

    DEFAULT_CSS = """
    ErrorPanel {
        display: none;
        height: auto;
        max-height: 12;
        border: round $error;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    ErrorPanel.-shown { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="error-text")

    def show_error(self, error: WizardError, can_retry: bool) -> None:
        self.query_one("#error-text", Static).update(error_content(error, can_retry))
        self.add_class("-shown")

    def clear(self) -> None:
        self.remove_class("-shown")
        self.query_one("#error-text", Static).update("")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")
