"""Waiting for conditions in Pilot tests, instead of sleeping a fixed time.

A fixed ``pilot.pause(0.3)`` is either too long (the suite is slow) or too short (the test flakes
on a loaded machine). ``until`` lets the app run until what the test needs has happened, and fails
with a message naming it when it never does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches

# How often the condition is looked at; the app keeps running in between.
POLL = 0.02
# Generous: a condition that holds at all holds well within this on a loaded 2-core machine.
TIMEOUT = 30.0


async def until(
    pilot: Any, condition: Callable[[], object], what: str = "", *, timeout: float = TIMEOUT
) -> None:
    """Let the app run until ``condition()`` is true.

    A condition that raises ``NoMatches`` (the widget is not mounted yet) counts as not yet
    true. On timeout an ``AssertionError`` names ``what`` and the screen the app was on.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if condition():
                return
        except NoMatches:
            pass
        if loop.time() > deadline:
            screen = type(pilot.app.screen).__name__
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {what or condition} (on {screen})"
            )
        await pilot.pause(POLL)


async def settled(pilot: Any) -> None:
    """Wait for the workers running now to finish, then for the app to be idle."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(app: Any, selector: str) -> str:
    """What a widget on the current screen shows (a ``Static``'s content or its render)."""
    widget = app.screen.query_one(selector)
    content = getattr(widget, "content", None)
    return str(content if content is not None else widget.render())


def ended(proc: Any, within: float = 60.0) -> str:
    """The output a subprocess still has once it exits (``communicate``). Not exited
    ``within`` seconds (generous, for a loaded machine): it is killed, so it never outlives
    the test, and the ``TimeoutExpired`` fails the test."""
    import subprocess

    try:
        return proc.communicate(timeout=within)[0] or ""
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
