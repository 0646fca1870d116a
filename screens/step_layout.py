"""Where a step's width class, first layout and focus come from.

:class:`StepLayout` is one of the bases of ``screens.base.WizardStep``; steps get what it
gives through ``self`` and never import this module.

* Width: below 100 columns a step has the class ``-narrow`` (the step list gives its width
  to the step), from 100 ``-wide``; a step built while the terminal is wide takes ``-wide``
  at once instead of restyling itself on its first size.
* First layout: Textual scrolls to the focused widget only once the step has been laid out
  (``set_focus``); a wide step lets the event loop run between its whole-screen passes.
* Focus: a widget that loses the focus by being hidden or disabled hands it to the next stop
  (``keep_focus_after``), so a stop always shows the focus.

The restyle on resume (``WizardStep._restyle_apart_from_layout``) stays in ``base.py``:
Textual runs a class's own handlers before its bases', and it must run before
``WizardStep.on_screen_resume``.
"""

from __future__ import annotations

import asyncio

from textual import events, on
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["StepLayout"]


class StepLayout(Screen[None]):
    """The width classes, the scroll to the focus after the first layout, and focus keeping."""

    # Below 100 columns the step list gives its width to the step (the title still says
    # "Step N of 12"), so 80×24 keeps labels and fields whole.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._wide_from_the_start = False
        self._opened = False  # laid out once: from then on, focusing a field scrolls to it
        self._start_with_breakpoint_class()

    def _start_with_breakpoint_class(self) -> None:
        """Take ``-wide`` at once when the terminal is wide. Textual sets the width class when
        the new step first gets its size, and a class that changes then restyles every widget
        of the step once more inside its first render; one already right does not (about a
        third of a step's first-render CPU). Narrow terminals keep Textual's own order: laid
        out narrow from the start, the Clean up step scrolls to its focused button a cell
        differently (tests/snapshots, test_cleanup_inventory_at_80x24)."""
        try:
            width = self.app.size.width
        except RuntimeError:  # no running app (a unit test builds one): Textual sets it later
            return
        widest_edge, widest = max(self.HORIZONTAL_BREAKPOINTS)
        if width >= widest_edge:
            self.add_class(widest, update=False)
            self._wide_from_the_start = True

    # -- first layout -----------------------------------------------------------------------
    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        """Textual's, but without its scroll until the step has been laid out once.

        Textual focuses AUTO_FOCUS as soon as the step is composed and then centres it with
        the layout of that moment, before the step's own (on a narrow terminal, before its
        width class); that scroll stays: at 80×24 the Template step opened 14 lines down, its
        Service name field hidden under the title, though all of it fitted. The scroll, when
        one is needed, is :meth:`_show_the_focus`, after the first layout.
        """
        super().set_focus(
            widget, scroll_visible=scroll_visible and self._opened, from_app_focus=from_app_focus
        )

    def _show_the_focus(self) -> None:
        self._opened = True
        focused = self.focused
        if focused is not None and not self.can_view_entire(focused):
            self.scroll_to_center(focused, animate=False, origin_visible=True)

    @on(events.Resize)
    async def _let_the_loop_run(self) -> None:
        """A new step's first layout (on its first size) and its restyle and layout (on
        resume) are each a whole-screen pass: on a wide terminal the event loop runs between
        them, so no one pass holds it for their sum (narrow ones keep Textual's order, as in
        :meth:`_start_with_breakpoint_class`)."""
        if self._wide_from_the_start:
            await asyncio.sleep(0)

    # -- focus ------------------------------------------------------------------------------
    @on(events.DescendantBlur)
    def _focus_lost(self, event: events.DescendantBlur) -> None:
        self.call_after_refresh(self.keep_focus_after, event.widget)

    def keep_focus_after(self, widget: Widget) -> None:
        """If ``widget`` lost the focus by being hidden or disabled and nothing took it, put it
        on the next stop after ``widget`` (else the first).

        Textual moves the focus of a hidden widget to a sibling, or to nothing when no sibling
        can take it; then no stop shows the focus and Enter does nothing until a Tab.
        """
        chain = self.focus_chain
        if self.focused is not None or widget in chain or not chain or not self.is_current:
            return
        order = {node: index for index, node in enumerate(self.walk_children(with_self=False))}
        where = order.get(widget, -1)
        after = [node for node in chain if order.get(node, -1) > where]
        self.set_focus(after[0] if after else chain[0])
