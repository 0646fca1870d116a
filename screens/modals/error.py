"""A blocking error dialog for problems that stop the whole app (e.g. the sandbox won't start)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from tui.services.errors import WizardError
from tui.widgets.error_panel import ErrorPanel


class ErrorModal(ModalScreen[bool]):
    """Dismisses with True when the learner asks to retry, False to close."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="error.close", tooltip="Close this message"),
        Binding("ctrl+r", "retry", "Retry", id="error.retry", tooltip="Try again"),
    ]
    DEFAULT_CSS = """
    ErrorModal { align: center middle; }
    ErrorModal > Vertical {
        width: 80; height: auto; padding: 1 2; background: $surface; border: thick $error;
    }
    ErrorModal Horizontal { height: auto; align-horizontal: right; }
    ErrorModal Button { margin-left: 2; }
    """

    def __init__(self, error: WizardError, *, can_retry: bool = True) -> None:
        super().__init__()
        self.error = error
        self.can_retry = can_retry

    def compose(self) -> ComposeResult:
        with Vertical():
            yield ErrorPanel(id="error-modal-panel")
            with Horizontal():
                yield Button("Close", id="error-close")
                if self.can_retry:
                    yield Button("Retry", id="error-retry", variant="primary")

    def on_mount(self) -> None:
        self.query_one(ErrorPanel).show_error(self.error, self.can_retry)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.can_retry
        return True

    @on(Button.Pressed, "#error-retry")
    def action_retry(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#error-close")
    def action_close(self) -> None:
        self.dismiss(False)
