"""How a step runs its operations: the busy line, the error panel and Retry.

:class:`StepOperations` is one of the bases of ``screens.base.WizardStep``; steps use what it
gives through ``self`` and never import this module.

Workers: declare them on the step as ``@work(exclusive=True, group="<step id>",
exit_on_error=False)`` async methods and wrap the service call in :meth:`StepOperations.operation`::

    @work(exclusive=True, group="gateway", exit_on_error=False)
    async def create(self) -> None:
        async with self.operation("Creating the gateway…", retry=self.create) as op:
            gateway = await self.services.gateways.create(name)
        if op.failed:
            return
        ...

``operation`` clears any shown error, shows the busy line, and on ``WizardError`` hides the
busy line and shows what / why / fix with Retry bound to ``retry`` (a callable, usually the
worker method itself). Any other exception escaping a worker is shown the same way by
:meth:`StepOperations.on_worker_state_changed` (never a silent failure, never a crash).
Retry (``ctrl+r``, binding ``wizard.retry`` on the step) is enabled while an error with a
retry is shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tui.services.errors import WizardError
from tui.widgets import BusyLine, ErrorPanel

__all__ = ["Operation", "StepOperations", "unexpected_error"]


@dataclass
class Operation:
    """Result holder for :meth:`StepOperations.operation`: ``failed`` / ``error`` after the block."""

    failed: bool = False
    error: WizardError | None = None


def unexpected_error(exc: BaseException, action: str = "The step") -> WizardError:
    """Wrap a bug or an unforeseen exception so the learner still sees what / why / fix."""
    return WizardError(
        what=f"{action} stopped on an unexpected problem: {type(exc).__name__}",
        why=str(exc) or "No message was given.",
        fix="Retry; if it happens again, report it with the steps that led here.",
    )


class StepOperations(Screen[None]):
    """The busy line (``#step-busy``), the error panel (``#step-error``) and what Retry runs."""

    # What Retry runs while a retryable error is shown (None: Retry is greyed out).
    _retry: Callable[[], object] | None = None

    def set_busy(self, text: str | None) -> None:
        busy = self.query_one_optional("#step-busy", BusyLine)
        if busy is not None:
            busy.show(text)

    def show_error(self, error: WizardError, retry: Callable[[], object] | None = None) -> None:
        self._retry = retry if (retry is not None and error.retryable) else None
        panel = self.query_one_optional("#step-error", ErrorPanel)
        if panel is not None:
            panel.show_error(error, self._retry is not None)
            panel.scroll_visible()
        self.refresh_bindings()

    def clear_error(self) -> None:
        self._retry = None
        panel = self.query_one_optional("#step-error", ErrorPanel)
        if panel is not None:
            panel.clear()
        self.refresh_bindings()

    def action_retry(self) -> None:
        retry = self._retry
        self.clear_error()
        if retry is not None:
            retry()

    def on_input_changed(self, event: Input.Changed) -> None:
        # An error about what was typed before is stale once the learner changes the input
        # (an edit made by the step itself, before the learner acts, clears nothing).
        panel = self.query_one_optional("#step-error", ErrorPanel)
        if panel is not None and panel.shown and event.input.has_focus:
            self.clear_error()

    @contextlib.asynccontextmanager
    async def operation(
        self, busy: str, retry: Callable[[], object] | None = None
    ) -> AsyncIterator[Operation]:
        """Show ``busy`` while the block runs; a WizardError becomes the error panel."""
        op = Operation()
        self.clear_error()
        self.set_busy(busy)
        try:
            yield op
        except WizardError as error:
            op.failed, op.error = True, error
            self.show_error(error, retry)
        finally:
            self.set_busy(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        event.stop()
        self.set_busy(None)
        error = event.worker.error
        if isinstance(error, WizardError):
            self.show_error(error)
        elif error is not None:
            action = event.worker.description or ""
            if not action or action.endswith(")"):  # Textual's default: the method call
                action = "The step"
            self.show_error(unexpected_error(error, action))
