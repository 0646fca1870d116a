"""A notice that has run out by the time its toast is made must not freeze the app
(``tui/widgets/toast_guard.py``): the toast goes, and the app keeps answering."""

from __future__ import annotations

import asyncio
import faulthandler
import time

from textual.app import App, ComposeResult
from textual.notifications import Notification
from textual.widgets import Static
from textual.widgets._toast import Toast, ToastRack

from tui.widgets import toast_guard


class Plain(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


async def test_a_toast_already_out_of_time_goes_and_the_app_keeps_answering() -> None:
    toast_guard.install()
    app = Plain()
    # Should the guard fail, the loop spins without end and no timeout of asyncio can fire:
    # the process then ends itself with a traceback after 60 s instead of hanging the suite.
    faulthandler.dump_traceback_later(60, exit=True)
    async with app.run_test(notifications=True) as pilot:
        # What the rack meets in the race: a notification it judged alive, whose time has
        # run out by the time its toast reads it.
        late = Notification("Resumed", timeout=1.0)
        late.raised_at = time.time() - 1.001
        rack = app.screen.query_one(ToastRack)
        toast = toast_guard._toast.Toast(late)
        assert toast._timeout < 0  # what Textual's own toast would set its timer for
        await rack.mount(toast)
        await asyncio.wait_for(pilot.pause(0.1), timeout=5)  # a frozen loop never gets here
        assert not app.screen.query(Toast)  # the toast expired and went
    faulthandler.cancel_dump_traceback_later()


def test_the_rack_builds_guarded_toasts_once_installed() -> None:
    toast_guard.install()
    toast_guard.install()  # twice is once
    from textual.widgets import _toast

    assert _toast.Toast is toast_guard.GuardedToast
    assert toast_guard.GuardedToast.__mro__[1].__name__ == "Toast"
