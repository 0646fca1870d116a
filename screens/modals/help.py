"""F1 help for the current step, as Markdown; escape or F1 closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.focus_scroll import FocusScroll
from tui.widgets.step_help import StepHelpText


class HelpModal(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close", tooltip="Close the help"),
        Binding("f1", "close", "Close", show=False, id="help.close-f1", tooltip="Close the help"),
    ]
    DEFAULT_CSS = """
    HelpModal { align: center middle; }
    HelpModal > FocusScroll {
        width: 90%; max-width: 96; height: 85%;
        border: thick $accent 50%; background: $surface; padding: 0 1;
    }
    HelpModal > FocusScroll:focus { border: thick $accent; }
    HelpModal #help-keys { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with FocusScroll(id="help-scroll"):
            yield Static("Esc or F1 closes this help · ↑ ↓ PgUp PgDn scroll", id="help-keys")
            yield StepHelpText(self.markdown, id="help-text")

    def on_mount(self) -> None:
        self.call_after_refresh(self._focus_text)

    def _focus_text(self) -> None:
        # Focusable only once laid out (and only if it overflows): then ↑ ↓ scroll at once.
        scroll = self.query_one("#help-scroll", FocusScroll)
        if scroll.focusable:
            scroll.focus()

    def action_close(self) -> None:
        self.dismiss(None)
