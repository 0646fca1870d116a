"""The step list on the left: every step by name with a done / current / to-do mark."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from ..steps import STEPS

DONE = "✓"
CURRENT = "▶"
TODO = "·"


def sidebar_lines(current: str, done: Iterable[str]) -> Content:
    """The sidebar text: one line per step, the provider and consumer halves apart."""
    done_set = set(done)
    parts: list[Content] = []
    half = ""
    for info in STEPS:
        if info.half != half:
            if half:
                parts.append(Content("\n"))
            title = "Provide an API" if info.half == "provider" else "Consume it"
            parts.append(Content.styled(f"{title}\n", "bold $text-muted"))
            half = info.half
        if info.id == current:
            mark, style = CURRENT, "bold $accent"
        elif info.id in done_set:
            mark, style = DONE, "$success"
        else:
            mark, style = TODO, "$text-muted"
        parts.append(Content.styled(f" {mark} {info.title}\n", style))
    return Content("").join(parts)


class StepSidebar(Static):
    """Shows where the learner is; call :meth:`show` when the step or its marks change."""

    DEFAULT_CSS = """
    StepSidebar {
        width: 20;
        height: 1fr;
        padding: 1 1;
        background: $boost;
        border-right: vkey $foreground 20%;
    }
    """

    def __init__(self, current: str = "", done: Iterable[str] = (), **kwargs: object) -> None:
        super().__init__(sidebar_lines(current, done), **kwargs)  # type: ignore[arg-type]

    def show(self, current: str, done: Iterable[str]) -> None:
        self.update(sidebar_lines(current, done))
