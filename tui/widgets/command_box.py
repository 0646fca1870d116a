"""The equivalent command-line for what a step does, shown so learners can repeat it."""

from __future__ import annotations

from textual.widgets import Static


class CommandBox(Static):
    DEFAULT_CSS = """
    CommandBox {
        height: auto;
        padding: 0 1;
        margin: 1 0 0 0;
        background: $surface;
        border-left: thick $accent;
        color: $text;
    }
    """

    def __init__(self, command: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.command = ""
        self.show(command)

    def show(self, command: str) -> None:
        self.command = command
        self.update(f"$ {command}" if command else "")
        self.display = bool(command)
