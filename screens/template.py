"""Template: choose a template, name the service (availability checked), write the YAML."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Button, Input, RadioSet, Static

from tui.services import discovery, templates
from tui.services.errors import WizardError
from tui.services.session import Session
from tui.services.tutorial_defaults import DEFAULT_TEMPLATE
from tui.services.tutorial_defaults import DEFAULT_UPSTREAM as LIVE_UPSTREAM
from tui.services.tutorial_defaults import WIZARD_OUT_FILE as DEFAULT_OUT
from tui.services.workspace import prepare_workspace, replaced_lines
from tui.widgets import MarkedRadioButton, TextField

from .base import WizardStep

DEBOUNCE = 0.4


class TemplateStep(WizardStep):
    STEP_ID = "template"
    AUTO_FOCUS = "#service"
    BINDINGS = [
        Binding(
            "ctrl+g",
            "use_suggestion",
            "Use suggestion",
            id="template.suggestion",
            tooltip="Use the service name the portal suggested",
        ),
    ]
    HELP = """
`gwa generate-config` writes a ready-made gateway configuration from a **template**. Nothing
is sent to APS yet: you get a YAML file to read (next step) and then apply.

* **client-credentials-shared-idp** (the tutorial's choice) protects your API: callers need a
  token from the shared identity provider, issued to credentials you approve in the portal.
  It writes four documents: the gateway service, a credential issuer, a Directory entry and
  a product.
* **kong-httpbin** is a bare, unprotected route: one document.
* **quick-start** is a public API with a Directory entry and product: three documents.

The **service name** becomes part of a public host name: every character that is not a
letter or digit turns into `-`, and the route host is `<name>.dev.api.gov.bc.ca`. Host names
are shared by every gateway in the instance, so the portal checks that yours is free and
suggests another one when it is taken.

The **upstream** is your real backend, the server the gateway forwards calls to. The
tutorial uses `https://httpbin.org`, a public echo service; on the sandbox a built-in
httpbin-like server plays that role. Always include the scheme (`https://`).

The file is written to your workspace folder so you can read it, edit it and use it later
with the real `gwa`.
"""
    KEY_TERMS = (
        ("Template", "a ready-made set of YAML documents for a common case"),
        ("Service name", "becomes the public host <name>.dev.api.gov.bc.ca (kebab-case)"),
        ("Upstream", "the real backend the gateway forwards calls to"),
        ("Availability", "route hosts are global, so the portal checks the name is free"),
    )
    DEFAULT_CSS = """
    TemplateStep #template-help { color: $text-muted; margin: 0 0 0 2; }
    TemplateStep #write { margin-top: 1; }
    TemplateStep Input { width: 1fr; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.available_for: str | None = None  # the service name the portal accepted
        self.suggestion = ""
        self.class_upstream = ""  # a class sandbox's own upstream, once detected
        self.written: Path | None = None
        self._debounce: Timer | None = None

    def compose_body(self) -> ComposeResult:
        s = self.session
        yield Static(
            "Generate the gateway configuration, as gwa generate-config does.", classes="lead"
        )
        with RadioSet(id="template-choice"):
            for name in templates.TEMPLATES:
                yield MarkedRadioButton(
                    name, id=f"tpl-{name}", value=name == (s.template or DEFAULT_TEMPLATE)
                )
        yield Static("", id="template-help")
        yield Static("Service name", classes="field-label")
        yield TextField(s.service, placeholder="for example my-service", id="service")
        yield Static("", id="service-message", classes="field-message")
        yield Static("Upstream URL (your backend)", classes="field-label")
        yield TextField(s.upstream or self._default_upstream(), id="upstream")
        yield Static("", id="upstream-message", classes="field-message")
        yield Static(
            "Workspace folder (where your files go; created if missing)", classes="field-label"
        )
        yield TextField(str(self.host.workspace), id="workspace")
        yield Static("", id="workspace-message", classes="field-message")
        yield Static("Output file (in your workspace folder)", classes="field-label")
        yield TextField(s.out_file or DEFAULT_OUT, id="out-file")
        yield Static("", id="out-message", classes="field-message")
        yield Button("Write the file", id="write", variant="primary")
        yield Static("", id="template-result", classes="result")

    def _default_upstream(self) -> str:
        upstream = self.host.sandbox_upstream
        target = self.host.target
        if upstream and target is not None and target.kind == "sandbox":
            return upstream
        return LIVE_UPSTREAM

    def on_mount(self) -> None:
        self.query_one("#template-result").display = False
        self._show_template_help()
        self._check_upstream()
        self._check_out_file()
        if self.query_one("#service", Input).value:
            self._service_changed()
        target = self.host.target
        if not self.session.upstream and target is not None and target.kind == "custom":
            self.detect_class_sandbox()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Back from Apply (which may have found the host taken): never keep an old
        # "✓ available"; ask the portal again.
        name = self.available_for
        if name is not None and name == self.query_one("#service", Input).value:
            self.available_for = None
            host = f"{templates.kebab_case(name)}{templates.ROUTE_SUFFIX}"
            self._message("#service-message", "#service", None, f"Route host: {host} (checking…)")
            self.check_name()

    @work(
        exclusive=True,
        group="template.upstream",
        exit_on_error=False,
        description="Looking for a sandbox upstream",
    )
    async def detect_class_sandbox(self) -> None:
        """A class sandbox reached with --host has no internet upstream: offer its own."""
        upstream = await discovery.sandbox_upstream(self.services.client)
        field = self.query_one("#upstream", Input)
        if upstream and field.value == LIVE_UPSTREAM:  # the learner has not typed one
            self.class_upstream = upstream
            field.value = upstream  # its Changed event checks it and says why it was chosen

    # -- template ---------------------------------------------------------------------------
    @property
    def template(self) -> str:
        pressed = self.query_one("#template-choice", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("tpl-") if pressed else DEFAULT_TEMPLATE

    @on(RadioSet.Changed, "#template-choice")
    def _show_template_help(self) -> None:
        text = templates.TEMPLATES.get(self.template, "")
        if self.template == DEFAULT_TEMPLATE:
            text += " This is the tutorial's template."
        self.query_one("#template-help", Static).update(text)
        self._invalidate()

    # -- fields -----------------------------------------------------------------------------
    def _message(self, selector: str, field: str, problem: str | None, ok: str = "") -> None:
        message = self.query_one(selector, Static)
        message.update(problem or ok)
        message.set_class(bool(problem), "-error")
        message.set_class(not problem and bool(ok), "-ok")
        self.query_one(field, Input).set_class(bool(problem), "-error")

    @on(Input.Changed, "#service")
    def _service_changed(self) -> None:
        self._invalidate()
        self.available_for = None
        self.suggestion = ""
        self.refresh_bindings()
        name = self.query_one("#service", Input).value
        problem = templates.service_problem(name)
        if problem:
            self._message("#service-message", "#service", problem)
            return
        host = f"{templates.kebab_case(name)}{templates.ROUTE_SUFFIX}"
        self._message("#service-message", "#service", None, f"Route host: {host} (checking…)")
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self.check_name)

    @work(
        exclusive=True,
        group="template.name",  # its own group: a re-check never cancels a write under way
        exit_on_error=False,
        description="Checking the service name",
    )
    async def check_name(self) -> None:
        name = self.query_one("#service", Input).value
        if templates.service_problem(name):
            return
        async with self.operation(f"Checking whether {name} is free…", retry=self.check_name) as op:
            found = await templates.check_availability(
                self.services.client, self.session.gateway_id, name
            )
        if op.failed or name != self.query_one("#service", Input).value:
            return  # failed, or the learner typed on meanwhile
        host = f"{templates.kebab_case(name)}{templates.ROUTE_SUFFIX}"
        if found.available:
            self.available_for = name
            self._message(
                "#service-message", "#service", None, f"✓ {name} is available. Route host: {host}"
            )
        else:
            self._invalidate()  # a file written for a taken name cannot be applied
            self.suggestion = found.suggestion
            hint = " Press ctrl+g to use the suggestion." if found.suggestion else ""
            self._message(
                "#service-message", "#service", templates.unavailable_message(name, found) + hint
            )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_suggestion":
            return bool(self.suggestion)
        return super().check_action(action, parameters)

    def action_use_suggestion(self) -> None:
        if self.suggestion:
            self.query_one("#service", Input).value = self.suggestion

    @on(Input.Changed, "#upstream")
    def _check_upstream(self) -> bool:
        self._invalidate()
        value = self.query_one("#upstream", Input).value
        problem = templates.upstream_problem(value)
        chosen = bool(self.class_upstream) and value == self.class_upstream
        note = "This host is a gwa-wizard sandbox: its built-in upstream is used." if chosen else ""
        self._message("#upstream-message", "#upstream", problem, note)
        return problem is None

    @on(Input.Changed, "#workspace")
    def _workspace_changed(self) -> None:
        self._invalidate()
        typed = self.query_one("#workspace", Input).value
        problem = None if typed.strip() else "Type a folder, for example ~/Documents/gwa-wizard."
        self._message("#workspace-message", "#workspace", problem)
        self._check_out_file()

    @property
    def folder(self) -> Path:
        """The workspace folder as typed (checked and created when the file is written)."""
        return Path(self.query_one("#workspace", Input).value.strip()).expanduser()

    @on(Input.Changed, "#out-file")
    def _check_out_file(self) -> bool:
        self._invalidate()
        name = self.query_one("#out-file", Input).value
        problem = templates.out_file_problem(name)
        where = self.folder / name
        self._message("#out-message", "#out-file", problem, "" if problem else f"→ {where}")
        return problem is None

    def _invalidate(self) -> None:
        self.written = None
        self.ready = False
        result = self.query_one_optional("#template-result", Static)
        if result is not None:
            result.display = False

    # -- writing ----------------------------------------------------------------------------
    @on(Button.Pressed, "#write")
    @on(Input.Submitted)
    def write_pressed(self) -> None:
        name = self.query_one("#service", Input).value
        problems = [
            templates.service_problem(name),
            None if self._check_upstream() else "upstream",
            None if self._check_out_file() else "file",
        ]
        if any(problems):
            if problems[0]:
                self._message("#service-message", "#service", problems[0])
            return
        if self.available_for != name:
            self.notify(
                "Wait for the service name check to pass (or pick another name).",
                severity="warning",
            )
            if self.suggestion == "":
                self.check_name()
            return
        self.write_file()

    @work(exclusive=True, group="template", exit_on_error=False, description="Writing the file")
    async def write_file(self, overwrite: bool = False) -> None:
        service = self.query_one("#service", Input).value
        upstream = self.query_one("#upstream", Input).value
        out_name = self.query_one("#out-file", Input).value
        typed = self.query_one("#workspace", Input).value
        try:
            folder = await asyncio.to_thread(prepare_workspace, typed)
        except WizardError as error:
            self._message("#workspace-message", "#workspace", f"{error.what}. {error.fix}")
            self.query_one("#workspace", Input).focus()
            return
        self._message("#workspace-message", "#workspace", None)
        path = folder / out_name
        text = templates.generate_config(
            self.template,
            service,
            upstream,
            self.session.gateway_id,
            org=self.session.org,
            org_unit=self.session.org_unit,
        )
        replaced = None if overwrite else await asyncio.to_thread(replaced_lines, path, text)
        if replaced is not None:
            self.ask_before_overwriting(path, replaced)
            return
        async with self.operation(f"Writing {out_name}…", retry=self.write_file) as op:
            try:
                await asyncio.to_thread(templates.write_config, text, path)
            except OSError as exc:
                raise WizardError(
                    f"Could not write {path}",
                    why=str(exc),
                    fix="Choose another file name or folder.",
                ) from exc
        if op.failed:
            return
        if self.session.workspace != str(folder):
            self.session.workspace = str(folder)  # kept: Review, Apply and the next run use it
            self.host.save_session()
        self.written = path
        result = self.query_one("#template-result", Static)
        docs = text.count("\nkind:") + (1 if text.startswith("kind:") else 0)
        noun = "document" if docs == 1 else "documents"
        result.update(f"✓ File {out_name} created ({docs} {noun}) in {path.parent}")
        result.display = True
        self.ready = True
        self.show_command(
            replace(
                self.session,
                service=service,
                upstream=upstream,
                out_file=out_name,
                template=self.template,
            )
        )
        result.scroll_visible()

    def ask_before_overwriting(self, path: Path, replaced: list[str]) -> None:
        """The file exists with other content (perhaps your Review edits): ask first."""
        from .modals import ChoiceModal

        def answered(choice: str | None) -> None:
            if choice == "replace":
                self.write_file(overwrite=True)
            else:
                self.notify(f"{path.name} was left as it is.")

        shown = "\n".join(replaced)
        self.app.push_screen(
            ChoiceModal(
                f"{path} already exists with other content. Writing replaces:\n{shown}",
                [("replace", "Replace it"), ("stay", "Keep it, change nothing")],
            ),
            callback=answered,
        )

    async def commit(self) -> None:
        s = self.session
        service = self.query_one("#service", Input).value
        changed = (s.service, s.upstream, s.template) != (
            service,
            self.query_one("#upstream", Input).value,
            self.template,
        )
        s.template = self.template
        s.service = service
        s.upstream = self.query_one("#upstream", Input).value
        s.out_file = self.query_one("#out-file", Input).value
        if changed:
            s.unmark("review", "apply", "status")
