"""The equivalent command-line for what a step does, shown so learners can repeat it."""

from __future__ import annotations

from textual.content import Content
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
        lines = command.splitlines()
        text = "\n".join(
            ("$ " if i == 0 or not lines[i - 1].endswith("\\") else "  ") + line
            for i, line in enumerate(lines)
        )
        # Content, not markup: a command's [brackets] and <placeholders> are shown as written.
        self.update(Content(f"The same with the command line:\n{text}") if command else "")
        self.display = bool(command)
