"""``StepHost``: everything a screen may ask of the app hosting it, and nothing else.

``tui.app.WizardApp`` implements it for the real wizard; ``tests/screens/harness.StepHarness``
implements it for tests of one step alone. Screens reach the host through ``self.host``
and never read other attributes of ``self.app`` (Textual's own App API aside: push_screen,
copy_to_clipboard, notify).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tui.services.bundle import Services
    from tui.services.target import Target

    from .base import WizardStep


@runtime_checkable
class StepHost(Protocol):
    """What a step needs from the app hosting it (WizardApp, or the test harness)."""

    @property
    def target_label(self) -> str:
        """ "sandbox", "APS test", "APS production" or the host ('' before a target)."""
        ...

    @property
    def target(self) -> Target | None:
        """The target the services talk to."""
        ...

    @property
    def workspace(self) -> Path:
        """Where generated files (gateway YAML, the exported record) go."""
        ...

    @property
    def state_dir(self) -> Path:
        """Where the wizard keeps its own files (session, an owner-only secrets file)."""
        ...

    @property
    def sandbox_upstream(self) -> str:
        """The embedded sandbox's built-in upstream URL ('' when live)."""
        ...

    async def complete_step(self, current: WizardStep) -> None:
        """Mark ``current`` done, save, and show the next step (or the summary)."""
        ...

    def go_back(self, current: WizardStep) -> None: ...

    def can_goto(self, step_id: str) -> bool: ...

    def goto(self, step_id: str) -> None: ...

    def save_session(self) -> None: ...

    def retire_session(self) -> bool:
        """The tutorial is over: clear the saved progress (keep a copy for export).
        False when this host keeps no saved progress."""
        ...

    def make_services(self, target: Target) -> Services: ...

    async def started(self) -> Services:
        """The services for ``target`` once the host has them. The wizard opens on the Target
        step while its embedded sandbox still boots; that step's check waits here."""
        ...

    async def adopt_target(self, target: Target, services: Services) -> None: ...


_MEMBERS = (
    "target_label",
    "target",
    "workspace",
    "state_dir",
    "sandbox_upstream",
    "complete_step",
    "go_back",
    "can_goto",
    "goto",
    "save_session",
    "retire_session",
    "make_services",
    "started",
    "adopt_target",
)


def host_of(app: object) -> StepHost:
    """``app`` as a :class:`StepHost`; TypeError naming what is missing when it is not one."""
    if not isinstance(app, StepHost):
        missing = [name for name in _MEMBERS if not hasattr(app, name)]
        raise TypeError(f"{type(app).__name__} is no StepHost: it lacks {', '.join(missing)}")
    return app
