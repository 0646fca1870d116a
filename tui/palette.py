"""Command palette (ctrl+p): jump to a step, open help, copy the equivalent command."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.base import WizardStep
from screens.host import StepHost

from .steps import STEPS


class WizardCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        found: list[tuple[str, str, Callable[[], object]]] = []
        host = self.app
        if isinstance(host, StepHost):
            for info in STEPS:
                if host.can_goto(info.id):
                    found.append(
                        (
                            f"Go to step: {info.title}",
                            "Show this step again (done steps keep their results)",
                            partial(host.goto, info.id),
                        )
                    )
        screen = self.screen
        if isinstance(screen, WizardStep):
            found.append(
                ("Help for this step", "What it does, key terms, the command", screen.action_help)
            )
            command = screen.equivalent_command()
            if command:
                found.append(
                    ("Copy the equivalent command", command, partial(self._copy, screen, command))
                )
        return found

    def _copy(self, screen: WizardStep, command: str) -> None:
        screen.run_worker(screen.copy_text(command, "Command"))

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
