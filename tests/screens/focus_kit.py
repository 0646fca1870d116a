"""Helpers for the focus tests: walk the tab stops as a keyboard learner does, and tell
whether a widget looks different when it has the focus.

"Looks different" is decided on what is drawn: the widget's cells (characters and their
styles, border and padding included) with the focus, against the same cells once the focus
has moved elsewhere. A tab stop whose cells do not change is invisible: the learner pressed
Tab and nothing on screen moved.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import RadioButton, RadioSet

# More stops than any step has: a walk that has not come round by then is stuck.
MAX_STOPS = 40


def drawn(widget: Widget) -> list[str]:
    """The widget's cells as drawn now: text and style of every segment, row by row."""
    width, height = widget.outer_size
    return [
        "".join(f"{segment.text}\x00{segment.style}\x01" for segment in strip)
        for strip in widget.render_lines(Region(0, 0, width, height))
    ]


async def walk_tab_stops(pilot: Any) -> AsyncIterator[Widget]:
    """Press Tab until the focus is back where the walk started, yielding each stop while
    it has the focus (scrolled into view, as the learner sees it)."""
    screen = pilot.app.screen
    if screen.focused is None:
        await pilot.press("tab")
    await pilot.wait_for_scheduled_animations()
    first = screen.focused
    assert first is not None, f"Tab focused nothing on {type(screen).__name__}"
    seen = [first]
    yield first
    for _ in range(MAX_STOPS):
        await pilot.press("tab")
        await pilot.wait_for_scheduled_animations()  # the scroll that brings it into view
        now = screen.focused
        if now is first:
            return
        assert now is not None, f"Tab after {seen[-1]!r} focused nothing"
        seen.append(now)
        yield now
    raise AssertionError(f"Tab never came back to {first!r}: {seen}")


async def tab_stops(pilot: Any) -> list[Widget]:
    """The widgets Tab visits on the current screen, in order."""
    return [widget async for widget in walk_tab_stops(pilot)]


async def invisible_stops(pilot: Any) -> list[str]:
    """The tab stops of the current screen whose focus cannot be seen, with the reason."""
    screen = pilot.app.screen
    problems: list[str] = []
    stops: list[Widget] = []
    async for widget in walk_tab_stops(pilot):
        if widget.region.intersection(screen.region).area == 0:
            problems.append(f"{widget!r} takes the focus but has no cell on screen")
        stops.append(widget)
    for widget in stops:
        widget.focus(scroll_visible=False)
        await pilot.pause()
        focused = drawn(widget)
        screen.set_focus(None)
        await pilot.pause()
        if drawn(widget) == focused:
            problems.append(f"{widget!r} looks the same with and without the focus")
    return problems


def radio_rows(radio_set: RadioSet) -> list[tuple[str, str]]:
    """Each button of the set as (plain drawn text, id): what a capture without colour shows."""
    rows = []
    for button in radio_set.query(RadioButton):
        width, height = button.outer_size
        text = "\n".join(s.text for s in button.render_lines(Region(0, 0, width, height)))
        rows.append((text, button.id or ""))
    return rows
