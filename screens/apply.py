"""Apply: publish the file as ``gwa apply`` does, one live line per resource."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Static

from tui.services.errors import WizardError
from tui.services.session import Session
from tui.widgets import LogLines

from .base import WizardStep


class ApplyStep(WizardStep):
    STEP_ID = "apply"
    AUTO_FOCUS = "#apply"
    BINDINGS = [
        Binding(
            "ctrl+a",
            "apply",
            "Apply",
            id="apply.run",
            tooltip="Publish the file (again); only what failed is re-sent",
        ),
        Binding(
            "ctrl+t",
            "pick_name",
            "Pick another name",
            id="apply.rename",
            tooltip="The route host is taken: back to Template, where a free name is suggested",
        ),
    ]
    HELP = """
Applying sends your file to APS, in the order `gwa apply` uses:

1. All **GatewayService** documents go together in one publish to the gateway
   administration API, which runs **decK** (Kong's configuration tool) to make Kong match
   your file. decK reports what it created, updated or deleted.
2. Then the other documents are sent to the portal one by one, in file order: the
   **CredentialIssuer**, the **DraftDataset**, the **Product**.

Each line below shows one resource: `↑` while it is being sent, then `✓ created` (or
`updated` / `no-change` when you apply again: applying twice is safe), or `✗` with the
reason.

`gwa` itself exits successfully even when something failed. The wizard does not: the step is
done only when every resource is published. A known case on the real portal is the Product
failing the first time because the portal has not yet registered the service it names; the
retry key re-sends only what failed, which fixes it.
"""
    KEY_TERMS = (
        ("Publish", "GatewayServices go to Kong through decK, all at once"),
        ("decK", "Kong's declarative configuration tool: diff, then sync"),
        ("N/M Published", "how many of the file's resources were accepted"),
    )
    DEFAULT_CSS = """
    ApplyStep #apply-log { margin-top: 1; }
    ApplyStep #deck-output { color: $text-muted; height: auto; margin-top: 1; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.results: dict[str, Any] = {}  # "Kind name" -> ResourceResult (latest)
        self.order: list[str] = []
        self.host_taken = False  # the last apply met a route host another gateway publishes

    @property
    def path(self) -> Path:
        return self.host.workspace / self.session.out_file

    def compose_body(self) -> ComposeResult:
        yield Static(
            f"Publish {self.session.out_file} to gateway {self.session.gateway_id}, as "
            f"gwa apply -i {self.session.out_file} does.",
            classes="lead",
        )
        yield Button("Apply the file (ctrl+a)", id="apply", variant="primary")
        yield LogLines(id="apply-log")
        yield Static("", id="deck-output")
        yield Static("", id="apply-summary", classes="result")

    def on_mount(self) -> None:
        self.query_one("#apply-summary").display = False
        self.query_one("#deck-output").display = False

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        # One publish per intent: ctrl+a pressed again while it runs does not restart it.
        if self.intents.claim("apply", "#apply", notice="The file is being applied; one moment."):
            self.apply()

    @property
    def failed_keys(self) -> frozenset[str]:
        return frozenset(k for k, r in self.results.items() if not r.ok)

    def retry_failed(self) -> None:
        if self.intents.claim("apply", "#apply", notice="The file is being applied; one moment."):
            self.apply(only=self.failed_keys or None)

    @work(exclusive=True, group="apply", exit_on_error=False, description="Applying the file")
    async def apply(self, only: frozenset[str] | None = None) -> None:
        self.ready = False
        self.host_taken = False
        self.refresh_bindings()
        # Nothing of the previous run stays beside the new one (decK's output, the summary).
        self.query_one("#deck-output").display = False
        self.query_one("#apply-summary").display = False
        if only is None:
            self.results.clear()
            self.order.clear()
            self.query_one("#apply-log", LogLines).clear_lines()
        async with (
            self.intents.hold("apply", "#apply"),
            self.operation("Applying…", retry=self.retry_failed) as op,
        ):
            try:
                text = await asyncio.to_thread(self.path.read_text, encoding="utf-8")
            except OSError as exc:
                raise WizardError(
                    f"Could not read {self.path}",
                    why=str(exc),
                    fix="Go back to Template and write the file again.",
                ) from exc
            report = await self.services.apply.apply(
                self.session.gateway_id, text, only=only, on_event=self._event
            )
        if op.failed:
            return
        for result in report.results:
            if result.key not in self.results:
                self.order.append(result.key)
            self.results[result.key] = result
        if report.deck_output:
            deck = self.query_one("#deck-output", Static)
            deck.update(report.deck_output.strip())
            deck.display = True
        self._summarise()

    def _event(self, event: Any) -> None:
        key = f"{event.kind} {event.name}"
        self.query_one("#apply-log", LogLines).set_line(
            key, event.text.lstrip("↑✓✗- ").strip(), event.phase
        )

    def _summarise(self) -> None:
        total = len(self.results)
        published = sum(1 for r in self.results.values() if r.ok)
        summary = self.query_one("#apply-summary", Static)
        failures = [self.results[k] for k in self.order if not self.results[k].ok]
        if failures:
            summary.update(
                f"{published}/{total} published; {len(failures)} failed. Press "
                "ctrl+r to retry only what failed."
            )
            summary.set_class(True, "-error")
            first = failures[0]
            error = first.error or WizardError(f"[{first.kind}] {first.name} failed")
            clash = next((r.error for r in failures if r.error and host_clash(r.error)), None)
            if clash is not None:
                # Applying again cannot help: one fix only, a free name chosen in Template.
                self.host_taken = True
                summary.update(
                    f"{published}/{total} published; {len(failures)} failed. "
                    "The route host is taken: press ctrl+t to pick another service name."
                )
                self.show_error(host_taken_error(clash, self.session.service))
                self.refresh_bindings()
            else:
                self.show_error(
                    error if error.retryable else _retryable(error), retry=self.retry_failed
                )
        else:
            summary.update(f"✓ {published}/{total} published. Your API is on the gateway.")
            summary.set_class(False, "-error")
            self.clear_error()
            self.ready = total > 0
            self.show_command()
        summary.display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_name":
            return self.host_taken
        return super().check_action(action, parameters)

    def action_pick_name(self) -> None:
        self.host.goto("template")

    async def commit(self) -> None:
        self.session.published = [k for k in self.order if self.results[k].ok]


HOST_CLASH = "already used in another gateway"


def host_clash(error: WizardError) -> bool:
    """The portal refused the publish because another gateway publishes the route host."""
    return any(HOST_CLASH in (text or "") for text in (error.detail, error.what, error.why))


def host_taken_error(error: WizardError, service: str) -> WizardError:
    """The clash, with the one fix that works: another name, chosen in Template."""
    return replace(
        error,
        fix=f"Press ctrl+t to go back to Template: it checks {service or 'the name'} again and "
        "suggests a free name (ctrl+g there uses it); write the file, review it, apply again.",
        retryable=False,
    )


def _retryable(error: WizardError) -> WizardError:
    """Apply failures may always be retried (after fixing the file, or for the race)."""
    return replace(error, retryable=True)
