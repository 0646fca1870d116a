"""Review: the generated YAML, editable, validated as you type, each field explained."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Static, TextArea

from tui.services import discovery, manifest
from tui.services.errors import WizardError
from tui.services.session import Session
from tui.services.wording import plural
from tui.widgets import FocusScroll

from .base import WizardStep

DEBOUNCE = 0.5
HAS_HIGHLIGHTING = importlib.util.find_spec("tree_sitter") is not None


def yaml_editor(text: str) -> TextArea:
    """A code editor; YAML highlighting only when the tree-sitter extra is installed."""
    return TextArea.code_editor(
        text,
        language="yaml" if HAS_HIGHLIGHTING else None,
        id="yaml",
        soft_wrap=False,
        tab_behavior="focus",
    )


class ReviewStep(WizardStep):
    STEP_ID = "review"
    AUTO_FOCUS = "#yaml"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="review.save",
            tooltip="Check the file and save it (atomically)",
        ),
        Binding(
            "f2",
            "first_problem",
            "First problem",
            id="review.problem",
            tooltip="Move the cursor to the first problem found",
        ),
    ]
    HELP = """
The file holds several **YAML documents** separated by `---`; each has a `kind`:

* **GatewayService**: the Kong service (where your backend is: `host`, `port`, `protocol`),
  its **route** (the public host name, methods, paths) and its **plugins**. `jwt-keycloak`
  checks every caller's token: who issued it (`allowed_iss`), who it is for (`allowed_aud`),
  and that the caller (`azp`) is a consumer you approved.
* **CredentialIssuer**: how consumers get credentials for your API (client credentials from
  the shared identity provider).
* **DraftDataset**: the text of your API's card in the Directory.
* **Product**: what consumers request access to; it links the dataset, the issuer and the
  service **by name**, in an environment such as `dev`.

The `ns.<gateway id>` tags tie objects to your gateway; the portal refuses objects tagged for
another one. The audience `ap-<gateway>-default-dev` is derived from the issuer's name and
the environment, so renaming one without the other makes every token fail.

Move the cursor onto a field to see what it means. Edits are checked as you type; **ctrl+s**
saves the file (nothing is sent to APS until the Apply step).
"""
    KEY_TERMS = (
        ("GatewayService", "Kong service + route + plugins, published with decK"),
        ("CredentialIssuer", "how consumers get credentials (shared IdP, client credentials)"),
        ("DraftDataset", "the Directory card of your API"),
        ("Product", "what consumers request access to, per environment"),
        ("ns.<gw> tag", "ties an object to your gateway"),
    )
    DEFAULT_CSS = """
    ReviewStep #review-row { height: 22; }
    ReviewStep #yaml { width: 1fr; height: 100%; }
    ReviewStep #review-side { width: 30; height: 100%; }
    /* Under 100 columns the notes go under the editor, so the editor keeps the width. */
    ReviewStep.-narrow #review-row { layout: vertical; height: 1fr; min-height: 16; }
    ReviewStep.-narrow #yaml { height: 1fr; min-height: 8; }
    ReviewStep.-narrow #review-side { width: 1fr; height: 7; border-top: hkey $foreground 20%; }
    /* The document list is also the file's own --- sections: the field under the cursor
       and the problems matter more in the few lines left. */
    ReviewStep.-narrow #documents { display: none; }
    ReviewStep #documents { height: auto; margin-bottom: 1; }
    ReviewStep #field-help { height: auto; border-left: thick $accent; padding: 0 1; }
    ReviewStep #problems { height: auto; margin-top: 1; }
    ReviewStep #problems.-error { color: $error; }
    ReviewStep #problems.-ok { color: $success; }
    ReviewStep #problems.-warning { color: $warning; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.problems: list[Any] = []
        self.dirty = False
        self.loaded = False
        self.saved_text = ""
        self._debounce: Timer | None = None
        self._validated_text: str | None = None
        self.real_kong = False  # validate for real Kong (live APS) or for a gwa-wizard sandbox

    @property
    def path(self) -> Path:
        return self.host.workspace / self.session.out_file

    def compose_body(self) -> ComposeResult:
        yield Static("", id="review-lead", classes="lead")
        with Horizontal(id="review-row"):
            yield yaml_editor("")
            with FocusScroll(id="review-side"):
                yield Static("", id="documents")
                yield Static("Move the cursor onto a field to see what it means.", id="field-help")
                yield Static("", id="problems")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="review", exit_on_error=False, description="Reading the file")
    async def load(self) -> None:
        path = self.path
        async with self.operation(f"Reading {path.name}…", retry=self.load) as op:
            try:
                text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except OSError as exc:
                raise WizardError(
                    f"Could not read {path}",
                    why=str(exc),
                    fix="Go back to the Template step and write the file again.",
                    retryable=True,
                ) from exc
        if op.failed:
            return
        target = self.host.target
        self.real_kong = target is not None and target.is_live
        if self.real_kong and target is not None and target.kind == "custom" and self.services:
            # A class sandbox reached with --host is not real Kong: check as the sandbox does.
            self.real_kong = await discovery.sandbox_upstream(self.services.client) is None
        self.query_one("#review-lead", Static).update(
            f"{path} — edit if you like; ctrl+s saves. The folder is your workspace "
            "(change it on the Template step). "
            + ("" if HAS_HIGHLIGHTING else "(No YAML highlighting: tree-sitter is not installed.)")
        )
        editor = self.query_one("#yaml", TextArea)
        self.saved_text = text
        editor.load_text(text)
        self.loaded = True
        self.dirty = False
        await self._validate(text)

    # -- validation -------------------------------------------------------------------------
    @on(TextArea.Changed, "#yaml")
    def edited(self) -> None:
        if not self.loaded:
            return
        text = self.query_one("#yaml", TextArea).text
        self.dirty = text != self.saved_text
        if text == self._validated_text:  # the problems shown already describe this text
            self._update_ready()
            return
        self.ready = False
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self.revalidate)

    @work(exclusive=True, group="review", exit_on_error=False, description="Checking the file")
    async def revalidate(self) -> None:
        await self._validate(self.query_one("#yaml", TextArea).text)

    async def _validate(self, text: str) -> None:
        self._validated_text = text
        gateway = self.session.gateway_id
        problems = await asyncio.to_thread(manifest.validate, text, gateway, live=self.real_kong)
        summary = await asyncio.to_thread(manifest.summarize, text)
        self.problems = problems
        self._show_documents(summary)
        self._show_problems(problems)
        self._update_ready()

    def _show_documents(self, summary: list[tuple[str, str, int]]) -> None:
        lines = [f"{plural(len(summary), 'document')}:" if summary else "No documents yet."]
        lines += [
            f" {i}. {kind} {name} (line {line})" for i, (kind, name, line) in enumerate(summary, 1)
        ]
        self.query_one("#documents", Static).update("\n".join(lines))

    def _show_problems(self, problems: list[Any]) -> None:
        widget = self.query_one("#problems", Static)
        errors = [p for p in problems if p.severity == "error"]
        if not problems:
            widget.update("✓ No problems found.")
        else:
            shown = [
                f"{'✗' if p.severity == 'error' else '!'} Line {p.line}, column "
                f"{p.column}: {p.message}"
                for p in problems[:8]
            ]
            if len(problems) > 8:
                shown.append(f"… and {len(problems) - 8} more")
            widget.update("\n".join(shown))
        widget.set_class(bool(errors), "-error")
        widget.set_class(not problems, "-ok")
        widget.set_class(bool(problems) and not errors, "-warning")

    @property
    def errors(self) -> list[Any]:
        return [p for p in self.problems if p.severity == "error"]

    def _update_ready(self) -> None:
        # Unsaved edits may be ready: Next saves them first (action_next).
        editor = self.query_one("#yaml", TextArea)
        checked = self._validated_text == editor.text
        self.ready = self.loaded and checked and not self.errors

    # -- the field under the cursor ---------------------------------------------------------
    @on(TextArea.SelectionChanged, "#yaml")
    def cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        row, column = event.selection.end
        text = self.query_one("#yaml", TextArea).text
        path = manifest.field_at(text, row, column)
        help_widget = self.query_one("#field-help", Static)
        if not path:
            help_widget.update("Move the cursor onto a field to see what it means.")
            return
        meaning = manifest.explain(path) or "No explanation for this field."
        help_widget.update(f"{'.'.join(path[1:]) or path[0]}\n{meaning}")

    def action_first_problem(self) -> None:
        if not self.problems:
            self.notify("No problems to show.")
            return
        first = self.problems[0]
        editor = self.query_one("#yaml", TextArea)
        editor.cursor_location = (max(0, first.line - 1), max(0, first.column - 1))
        editor.focus()

    # -- saving -----------------------------------------------------------------------------
    def action_save(self) -> None:
        self.save()

    @work(exclusive=True, group="review", exit_on_error=False, description="Saving the file")
    async def save(self) -> None:
        if await self.write(self.query_one("#yaml", TextArea).text):
            path = self.path
            if self.errors:
                self.notify(
                    f"Saved {path.name}, but {plural(len(self.errors), 'problem')} must be "
                    "fixed before applying.",
                    severity="warning",
                )
            else:
                self.notify(f"Saved {path.name}.")

    async def write(self, text: str) -> bool:
        """Save ``text`` atomically and check it; False (error shown) when it failed."""
        path = self.path
        async with self.operation(f"Saving {path.name}…", retry=self.save) as op:
            try:
                await asyncio.to_thread(manifest.save_atomic, path, text)
            except OSError as exc:
                raise WizardError(
                    f"Could not save {path}",
                    why=str(exc),
                    fix="Check the folder is writable, then save again.",
                ) from exc
        if op.failed:
            return False
        self.saved_text = text
        self.dirty = self.query_one("#yaml", TextArea).text != text
        await self._validate(text)
        return True

    # -- leaving with unsaved edits: never silently -------------------------------------------
    def unsaved_changes(self) -> str:
        return f"your edits to {self.path.name}" if self.dirty else ""

    async def save_changes(self) -> bool:
        return await self.write(self.query_one("#yaml", TextArea).text)

    def discard_changes(self) -> None:
        self.query_one("#yaml", TextArea).load_text(self.saved_text)
        self.dirty = False

    def on_key(self, event: events.Key) -> None:
        # Next with edits that do not check out: ask, rather than only saying "not ready".
        if event.key == "ctrl+n" and self.dirty and not self.ready:
            event.stop()
            self.ask_about_broken_edits()
            return
        super().on_key(event)

    def ask_about_broken_edits(self) -> None:
        from .modals import ChoiceModal

        problems = plural(len(self.errors), "problem") if self.errors else "not been checked yet"

        async def answered(choice: str | None) -> None:
            if choice == "save":
                await self.save_changes()  # kept on disk; Next waits for the fixes
            elif choice == "discard":
                self.discard_changes()
                await self._validate(self.saved_text)
                if self.ready:
                    await super(ReviewStep, self).action_next()
                else:
                    self.notify(
                        f"The saved {self.path.name} has problems too: fix them (F2).",
                        severity="warning",
                    )

        self.app.push_screen(
            ChoiceModal(
                f"Your unsaved edits to {self.path.name} have {problems}, so they cannot be "
                "applied yet. Fix them (F2 jumps to the first), or:",
                [
                    ("stay", "Stay and fix them"),
                    ("save", "Save them and stay"),
                    ("discard", "Discard them and continue"),
                ],
            ),
            callback=answered,
        )

    async def action_next(self) -> None:
        # Unsaved edits that check out are saved, then the step goes on: nothing is lost.
        if self.dirty and self.ready:
            if not await self.save_changes():
                return
            self.notify(f"Saved {self.path.name}.")
        await super().action_next()
