"""The key bar at the bottom: the wizard's own keys first, Quit always among them.

Textual's footer lists the step's keys and then the app's, and cuts what does not fit on the
right; at 80 columns a step with several keys of its own lost Quit. This footer puts Next,
Back, Retry and Help first, then Quit, then the step's own keys, so what is cut (if anything)
is the end of the step's list, whose keys F1 and the screen text also name.

Textual's footer rebuilds all its keys after every change of the screen's bindings, once per
change: a step that clears its error, shows its busy line and becomes ready rebuilt it three
or four times in a row, each a remove, a mount and a restyle of every key on the event loop
(about 5 ms each, most of them showing the very same keys). This one rebuilds at most once per
refresh, and only when what it shows would differ.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
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
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None  # what the keys were composed from
        self._rebuild_pending = False

    def _what_to_show(self) -> tuple[object, ...]:
        """Everything :meth:`compose` reads: equal values compose the same keys."""
        bindings = tuple(
            (name, binding, enabled, tooltip)
            for name, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )
        return (self._bindings_ready, self.show_command_palette, bindings)

    def compose(self) -> ComposeResult:
        self._shown = self._what_to_show()
        widgets = list(super().compose())
        # sorted() is stable: the step's own keys keep their order after the leading ones.
        yield from sorted(widgets, key=_rank)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached or self._what_to_show() == self._shown:
            return  # the same keys as shown: nothing to rebuild
        await self.recompose()
