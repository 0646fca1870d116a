"""A scrolling area that is a tab stop only while it has something to scroll, and shows it.

Textual's ``VerticalScroll`` always takes focus, with no visible change: a learner pressing
Tab lands on it and sees nothing move (an invisible tab stop). ``FocusScroll`` is focusable
only while its content overflows (then the arrow keys and PgUp/PgDn scroll it), and when it
has focus a bar appears down its left edge, where a blank column is kept for it, so the
layout does not shift and the focus is told by a shape, not by colour alone.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class FocusScroll(VerticalScroll):
    DEFAULT_CSS = """
    FocusScroll {
        border-left: blank;
        &:focus {
            border-left: thick $accent;
            background-tint: $foreground 4%;
        }
    }
    """

    def allow_focus(self) -> bool:
        # A stop only while there is something to scroll; the widget inside that has focus
        # scrolls itself into view anyway.
        return super().allow_focus() and (self.max_scroll_y > 0 or self.max_scroll_x > 0)
