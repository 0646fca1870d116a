"""A notification that runs out at the moment it is shown must not freeze the wizard.

Textual's toast rack checks that a notification has time left, then makes its ``Toast``,
which reads the time left again. Between the two the notification can run out: the toast then
sets a timer of a negative delay, and Textual's timer loop never waits for one (it keeps
computing a next tick that is already past), so the event loop spins at full CPU and the
screen stops answering. Found when an end-to-end test resuming the tutorial hung for ten
minutes on a busy machine (a notice shown as the step changed). Textual 8.2.8.

:func:`install` makes the rack's toasts a subclass that treats a toast already out of time
as one about to go: its timer is set a moment ahead instead of in the past.
"""

from __future__ import annotations

from textual.events import Mount
from textual.widgets import _toast

SOONEST = 0.01  # seconds: the least a toast's timer is set for


class GuardedToast(_toast.Toast):
    def _on_mount(self, event: Mount) -> None:
        self._timeout = max(self._timeout, SOONEST)
        super()._on_mount(event)


def install() -> None:
    """Make the toast rack build :class:`GuardedToast` (idempotent)."""
    _toast.Toast = GuardedToast  # type: ignore[misc]  # the name ToastRack.show looks up
