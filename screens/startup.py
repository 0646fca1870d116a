"""The first screen: shown at once while the sandbox starts and the session is checked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from tui.services.errors import WizardError
from tui.widgets import ErrorPanel, WizardHeader


class StartupScreen(Screen[None]):
    DEFAULT_CSS = """
    StartupScreen Vertical#startup-box { align: center middle; height: 1fr; }
    StartupScreen #startup-title { text-style: bold; width: auto; }
    StartupScreen #startup-status { color: $text-muted; width: auto; margin-top: 1; }
    StartupScreen LoadingIndicator { height: 1; margin-top: 1; }
    StartupScreen ErrorPanel { width: 80; }
    """

    def compose(self) -> ComposeResult:
        yield WizardHeader(id="wizard-header")
        with Vertical(id="startup-box"):
            yield Center(
                Static("gwa-wizard: Protect an API with Client Credential Flow", id="startup-title")
            )
            yield Center(Static("Starting…", id="startup-status"))
            yield LoadingIndicator(id="startup-spinner")
            yield Center(ErrorPanel(id="startup-error"))
        yield Footer()

    def show_status(self, text: str) -> None:
        status = self.query_one_optional("#startup-status", Static)
        if status is not None:
            status.update(text)

    def show_failure(self, error: WizardError) -> None:
        self.show_status("The wizard could not start:")
        spinner = self.query_one_optional("#startup-spinner", LoadingIndicator)
        if spinner is not None:
            spinner.display = False
        panel = self.query_one_optional("#startup-error", ErrorPanel)
        if panel is not None:
            panel.show_error(error, False)
