"""One run per intent: a key pressed three times quickly starts one create, not three.

Every step that makes or removes something (create a gateway, issue a consumer, apply,
request a token, revoke, destroy) claims the intent *synchronously*, when the key or button
is handled, before its worker starts; further presses while it runs only get a notice.
The worker holds the claim (``async with step.intents.hold(...)``) and releases it when it
ends, however it ends (success, WizardError, cancellation), re-enabling the buttons.

A retry (ctrl+r) calls the worker directly: ``hold`` claims the intent then, if nobody did.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from textual.widgets import Button

if TYPE_CHECKING:
    from textual.screen import Screen


class Intents:
    """The intents a step has running, and the buttons each one disables while it runs."""

    def __init__(self, screen: Screen[None]) -> None:
        self.screen = screen
        self._running: dict[str, tuple[str, ...]] = {}
        self._had_focus: dict[str, Button] = {}  # a disabled button loses focus: given back

    def running(self, intent: str) -> bool:
        return intent in self._running

    def claim(self, intent: str, *buttons: str, notice: str = "") -> bool:
        """Claim ``intent``; False (and ``notice`` shown) when it is already running."""
        if intent in self._running:
            self.screen.notify(notice or "Already under way; one moment.", title="Please wait")
            return False
        self._running[intent] = buttons
        self._remember_focus(intent, buttons)
        self._set_disabled(buttons, True)
        return True

    def release(self, intent: str) -> None:
        buttons = self._running.pop(intent, ())
        self._set_disabled(buttons, False)
        button = self._had_focus.pop(intent, None)
        if button is not None and button.is_attached and not button.disabled:
            # Where the learner was, not wherever focus fell meanwhile; at once (not through
            # ``focus()``, which waits a turn of the message queue), so nothing that runs right
            # after the worker sees the focus anywhere else.
            self.screen.set_focus(button)

    @contextlib.asynccontextmanager
    async def hold(self, intent: str, *buttons: str) -> AsyncIterator[None]:
        """Inside a worker: the intent is claimed (by the press, or now) until the block ends."""
        if intent not in self._running:
            self._running[intent] = buttons
            self._remember_focus(intent, buttons)
            self._set_disabled(buttons, True)
        try:
            yield
        finally:
            self.release(intent)

    def _remember_focus(self, intent: str, selectors: tuple[str, ...]) -> None:
        focused = self.screen.focused
        for selector in selectors:
            for button in self.screen.query(selector).results(Button):
                if button is focused:
                    self._had_focus[intent] = button

    def _set_disabled(self, selectors: tuple[str, ...], disabled: bool) -> None:
        for selector in selectors:
            for button in self.screen.query(selector).results(Button):
                button.disabled = disabled
