"""A one-line progress indicator shown while a step's worker is busy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import LoadingIndicator, Static


class BusyLine(Horizontal):
    DEFAULT_CSS = """
    BusyLine {
        display: none;
        height: 1;
        margin: 1 0 0 0;
    }
    BusyLine.-busy { display: block; }
    BusyLine LoadingIndicator { width: 8; height: 1; min-height: 1; }
    BusyLine #busy-text { width: 1fr; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Static(id="busy-text")

    def show(self, text: str | None) -> None:
        if text:
            self.query_one("#busy-text", Static).update(text)
            self.add_class("-busy")
        else:
            self.remove_class("-busy")

    @property
    def text(self) -> str:
        return str(self.query_one("#busy-text", Static).content) if self.has_class("-busy") else ""
