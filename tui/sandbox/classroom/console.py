"""The trainer's console: one line per learner event, and a run of the same line said once.

``sandbox serve`` prints what each learner does. A learner repeating one thing (a script
publishing the same file thirty times a second, or someone curious holding a key down) would
push everyone else's lines off the trainer's screen; so a line the same as the one just
printed (same learner, same event, same detail) is counted instead, and the count is printed
as one line when something else happens or after :data:`QUIET` seconds without a repeat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .events import Event

QUIET = 2.0  # seconds without a repeat before the count is printed


class Console:
    def __init__(self, write: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self._write, self._clock = write, clock
        self._lock = threading.Lock()  # events come from the sandbox's loop; ticks from serve's
        self._last: Event | None = None
        self._repeats = 0
        self._repeated_at = 0.0

    def event(self, event: Event) -> None:
        """Print ``event``'s line, or count it when it repeats the line just printed."""
        with self._lock:
            last = self._last
            if last is not None and _same(last, event):
                self._repeats += 1
                self._repeated_at = self._clock()
                return
            self._say_repeats()
            self._last = event
            self._write(event.line())

    def tick(self) -> None:
        """Call now and then: prints the count of a run of repeats once they have stopped."""
        with self._lock:
            if self._repeats and self._clock() - self._repeated_at >= QUIET:
                self._say_repeats()

    def _say_repeats(self) -> None:
        if self._repeats and self._last is not None:
            times = "once more" if self._repeats == 1 else f"{self._repeats} more times"
            self._write(f"{' ' * 10}{self._last.name}: the same {times}")
        self._repeats = 0


def _same(a: Event, b: Event) -> bool:
    """The same line but for its clock: same learner, event and detail."""
    return _what(a) == _what(b)


def _what(event: Event) -> tuple[str, str, str, int, str]:
    return event.learner, event.kind, event.step, event.status, event.detail
