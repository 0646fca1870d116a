"""The key bar at the bottom: the wizard's own keys first, Quit always among them.

Textual's footer lists the step's keys and then the app's, and cuts what does not fit on the
right; at 80 columns a step with several keys of its own lost Quit. This footer puts Next,
Back, Retry and Help first, then Quit, then the step's own keys, so what is cut (if anything)
is the end of the step's list, whose keys F1 and the screen text also name.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

# Actions shown first, in this order (the WizardStep bindings and the app's quit).
LEADING = ("next", "back", "retry", "help", "quit")


def _rank(widget: Widget) -> int:
    action = getattr(widget, "action", None)  # a FooterKey's action name
    if action in LEADING:
        return LEADING.index(action)
    return len(LEADING)


class WizardFooter(Footer):
    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        # sorted() is stable: the step's own keys keep their order after the leading ones.
        yield from sorted(widgets, key=_rank)
