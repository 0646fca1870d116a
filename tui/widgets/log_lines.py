"""Live lines, one per item, each updated in place (``↑ creating`` → ``✓ created``)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from .focus_scroll import FocusScroll

STYLES = {"start": "$text-muted", "ok": "$success", "failed": "$error", "info": "$text"}
MARKS = {"start": "↑", "ok": "✓", "failed": "✗", "info": " "}


class LogLines(FocusScroll):
    DEFAULT_CSS = """
    LogLines { height: auto; max-height: 14; }
    LogLines > Static { height: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lines: dict[str, Static] = {}

    def set_line(self, key: str, text: str, phase: str = "info") -> None:
        content = Content.styled(f"{MARKS.get(phase, ' ')} {text}", STYLES.get(phase, ""))
        line = self._lines.get(key)
        if line is None:
            line = Static(content, classes=f"-{phase}")
            self._lines[key] = line
            self.mount(line)
        else:
            line.update(content)
            line.set_classes(f"-{phase}")
        self.scroll_end(animate=False)

    def clear_lines(self) -> None:
        self._lines.clear()
        self.remove_children()

    def text(self) -> str:
        return "\n".join(str(line.content) for line in self._lines.values())
