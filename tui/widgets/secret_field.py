"""A secret input: masked until the learner reveals it (ctrl+t toggles)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from .text_field import TextField


class SecretField(Horizontal):
    BINDINGS = [
        Binding(
            "ctrl+t",
            "toggle_reveal",
            "Show/hide",
            id="secret.reveal",
            tooltip="Show or hide the secret you typed",
        ),
    ]
    DEFAULT_CSS = """
    SecretField { height: auto; }
    SecretField Input { width: 1fr; }
    SecretField #secret-state { width: 10; padding: 1 1; color: $text-muted; }
    """

    def __init__(self, placeholder: str = "", *, input_id: str = "secret-input", **kwargs: object):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._placeholder = placeholder
        self._input_id = input_id

    def compose(self) -> ComposeResult:
        yield TextField(placeholder=self._placeholder, password=True, id=self._input_id)
        yield Static("hidden", id="secret-state")

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self._input_id}", Input)

    @property
    def value(self) -> str:
        return self.input.value

    @property
    def revealed(self) -> bool:
        return not self.input.password

    def action_toggle_reveal(self) -> None:
        self.input.password = not self.input.password
        self.query_one("#secret-state", Static).update("shown" if self.revealed else "hidden")
