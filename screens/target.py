"""Target: which APS instance to work against, checked with the discovery chain."""

from __future__ import annotations

import asyncio
from dataclasses import fields
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from tui.services.errors import WizardError
from tui.services.session import Session
from tui.services.target import PROD_HOST, TEST_HOST, Target, host_problem, parse_host
from tui.widgets import CommandBox, MarkedRadioButton, TextField

from .base import WizardStep

CHOICES = (
    ("sandbox", "Built-in sandbox: on this computer, offline, no account needed (recommended)"),
    ("test", f"APS test / training instance ({TEST_HOST}), needs an IDIR account"),
    ("prod", f"APS production ({PROD_HOST}): real services, only if you mean it"),
    ("custom", "Another host (a class sandbox, or a portal you run)"),
)


class TargetStep(WizardStep):
    STEP_ID = "target"
    AUTO_FOCUS = "#target-kind"
    HELP = """
Every later step talks to one **APS instance**: a portal with its login server and its
Kong gateway. This step chooses which one, and checks that it really is an APS portal.

The check is the same one `gwa` runs before it logs you in: it asks `GET /ds/api` and
expects an empty answer (204) with a `Link` header pointing at the portal's API description.
That description names the login server, and the login server's settings name the
addresses used for logging in. If any link of that chain is missing, the host is misspelt,
down, behind a VPN, or simply not a portal, and the message below says which.

The **built-in sandbox** plays the portal, the login server and the gateway on this
computer, so you can practise without an account and without touching anything real.
The **test instance** is where the official tutorial runs; **production** hosts real
services and should not be used for practice.

A host is a bare name such as `api-gov-bc-ca.test.api.gov.bc.ca`: no `https://`, no path.
The scheme (https, or http for a class sandbox) is a separate setting, exactly as in `gwa`.
"""
    KEY_TERMS = (
        (
            "APS instance",
            "one installation of the portal, login server and gateway "
            "(test/training or production)",
        ),
        (
            "Discovery",
            "GET /ds/api → 204 + Link, then the API description, then the login server's settings",
        ),
        ("Scheme", "https for APS; http only for a class sandbox on another machine"),
    )
    DEFAULT_CSS = """
    TargetStep #custom-box { height: auto; display: none; }
    TargetStep #custom-box.-shown { display: block; }
    TargetStep #custom-row { height: auto; }
    TargetStep #custom-host { width: 1fr; }
    TargetStep #scheme { width: 14; height: auto; }
    TargetStep #target-kind { width: 100%; }
    TargetStep #check { margin-top: 1; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.checked: Target | None = None
        self._checked_services: Any = None
        self._custom_box_started = False
        self._custom_box_mounted = asyncio.Event()

    # -- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        initial = self._initial_kind()
        yield Static(
            "Choose where to do the tutorial. The wizard checks that the host is an APS "
            "portal before going on.",
            classes="lead",
        )
        with RadioSet(id="target-kind"):
            for kind, label in CHOICES:
                yield MarkedRadioButton(label, id=f"kind-{kind}", value=kind == initial)
        if initial == "custom":
            self._custom_box_started = True
            self._custom_box_mounted.set()
            yield self._custom_box()
        # Otherwise the host fields (hidden until "Another host" is chosen: seven widgets, a
        # twentieth of the step's first-paint CPU) are mounted right after the first paint.
        yield Button("Check the host", id="check", variant="primary")
        yield Static("", id="target-result", classes="result")

    def _custom_box(self) -> Vertical:
        https = self.session.scheme != "http"
        return Vertical(
            Static("Host (bare name, optionally :port)", classes="field-label"),
            Horizontal(
                TextField(
                    self.session.host if self.session.target_kind == "custom" else "",
                    placeholder="api-gov-bc-ca.test.api.gov.bc.ca",
                    id="custom-host",
                ),
                RadioSet(
                    MarkedRadioButton("https", id="scheme-https", value=https),
                    MarkedRadioButton("http", id="scheme-http", value=not https),
                    id="scheme",
                ),
                id="custom-row",
            ),
            Static("", id="host-message", classes="field-message"),
            id="custom-box",
        )

    async def _mount_custom_box(self) -> None:
        """The host fields where compose_body would have put them: once, right after the
        step's first paint (hidden: nothing on screen changes), or at once if "Another host"
        is chosen before that."""
        if not self._custom_box_started:
            self._custom_box_started = True
            await self.query_one("#step-body").mount(self._custom_box(), before="#check")
            self._custom_box_mounted.set()
        await self._custom_box_mounted.wait()

    @property
    def starting(self) -> bool:
        """Shown at launch while the wizard still starts: no services yet."""
        return self.services is None

    @property
    def sandbox_booting(self) -> bool:
        """Shown at launch while the embedded sandbox boots (so no target yet)."""
        return self.starting and self.host.target is None

    def _initial_kind(self) -> str:
        kind = self.session.target_kind
        if kind == "sandbox" and not self.sandbox_booting and not self._sandbox_target():
            return "test"
        return kind if kind in ("sandbox", "test", "prod", "custom") else "sandbox"

    def _sandbox_target(self) -> Target | None:
        current = self.host.target
        return current if current is not None and current.kind == "sandbox" else None

    def on_mount(self) -> None:
        if self._sandbox_target() is None and not self.sandbox_booting:
            button = self.query_one("#kind-sandbox", RadioButton)
            button.disabled = True
            button.label = "Built-in sandbox: not running (this run was started with --host)"
        self._show_custom(self.kind == "custom")
        if not self._custom_box_started:
            self.call_after_refresh(self._mount_custom_box)
        self.query_one("#target-result", Static).display = False
        self._kind_seen = self.kind
        if self.kind != "custom":
            self.check()  # sandbox, test or production: check the chosen instance at once
        elif self.query_one("#custom-host", Input).value:
            self.check()  # a host given with --host (or saved): check it too
        if self.kind == "custom":
            # Start in the host field, so Enter re-checks the host instead of toggling the
            # first (possibly disabled) radio button. At once, before the first paint: keys
            # typed as soon as the step shows go to the field the learner sees the cursor in.
            host = self.query_one("#custom-host", Input)
            if host.focusable:
                self.set_focus(host)
            else:
                self.call_after_refresh(host.focus)

    @property
    def kind(self) -> str:
        pressed = self.query_one("#target-kind", RadioSet).pressed_button
        return (pressed.id or "kind-sandbox").removeprefix("kind-") if pressed else "sandbox"

    @property
    def scheme(self) -> str:
        pressed = self.query_one("#scheme", RadioSet).pressed_button
        return "http" if pressed is not None and pressed.id == "scheme-http" else "https"

    def _show_custom(self, shown: bool) -> None:
        box = self.query_one_optional("#custom-box")
        if box is not None:
            box.set_class(shown, "-shown")

    # -- choosing ---------------------------------------------------------------------------
    def chosen_target(self) -> Target:
        """The Target for the current choice; raises WizardError for a bad custom host."""
        kind = self.kind
        if kind == "sandbox":
            sandbox = self._sandbox_target()
            if sandbox is None:
                raise WizardError(
                    "The built-in sandbox is not running in this run",
                    fix="Quit and start gwa-wizard without --host.",
                    retryable=False,
                )
            return sandbox
        if kind == "test":
            return Target.test()
        if kind == "prod":
            return Target.prod()
        return parse_host(self.query_one("#custom-host", Input).value, self.scheme)

    def _invalidate(self) -> None:
        self.checked = None
        self.ready = False
        box = self.query_one_optional("#step-command", CommandBox)
        if box is not None:
            box.show("")  # hidden until a host passes the check
        result = self.query_one("#target-result", Static)
        result.display = False

    @on(RadioSet.Changed, "#target-kind")
    async def kind_changed(self) -> None:
        if self.kind == getattr(self, "_kind_seen", None):
            return  # the initial selection announcing itself, not a change
        self._kind_seen = self.kind
        self._invalidate()
        self.clear_error()
        if self.kind == "custom":
            await self._mount_custom_box()
        self._show_custom(self.kind == "custom")
        if self.kind == "custom":
            # A check still under way (or still waiting for the start-up) is for the
            # instance chosen before; the host is checked once typed.
            self.workers.cancel_group(self, "target")
            self.set_busy(None)
            self.query_one("#custom-host", Input).focus()
            self._validate_host()
        else:
            self.check()

    @on(RadioSet.Changed, "#scheme")
    def scheme_changed(self) -> None:
        self._invalidate()

    @on(Input.Changed, "#custom-host")
    def host_changed(self) -> None:
        self._invalidate()
        self._validate_host()

    def _validate_host(self) -> bool:
        field = self.query_one("#custom-host", Input)
        message = self.query_one("#host-message", Static)
        problem = host_problem(field.value)
        if problem and field.value.strip():
            message.update(problem)
            message.set_class(True, "-error")
            field.set_class(True, "-error")
        else:
            message.update("Press Enter or 'Check the host' to check it." if not problem else "")
            message.set_class(False, "-error")
            field.set_class(False, "-error")
        return problem is None

    @on(Input.Submitted, "#custom-host")
    @on(Button.Pressed, "#check")
    def check_pressed(self) -> None:
        if self.kind == "custom" and not self._validate_host():
            return
        self.check()

    # -- the check --------------------------------------------------------------------------
    @work(exclusive=True, group="target", exit_on_error=False, description="Checking the host")
    async def check(self) -> None:
        self._invalidate()
        if self.starting:
            waiting = (
                "Starting the built-in APS sandbox on this computer…"
                if self.sandbox_booting
                else "Getting ready…"
            )
            async with self.operation(waiting, retry=self.check) as op:
                self.services = await self.host.started()
            if op.failed:
                return
        try:
            target = self.chosen_target()
        except WizardError as error:
            self.show_error(error)
            return
        current = self.host.target
        services = self.services if target == current else self.host.make_services(target)
        async with self.operation(f"Checking {target.base_url}/ds/api …", retry=self.check) as op:
            found = await services.login.ensure_discovery()
        if op.failed:
            if services is not self.services:
                await services.aclose()
            return
        if self._checked_services is not None and self._checked_services is not services:
            await self._checked_services.aclose()
        self.checked, self._checked_services = target, services
        result = self.query_one("#target-result", Static)
        result.update(
            f"✓ {target.label}: an APS portal answers at {target.base_url}\n"
            f"  Login server: {found.issuer or found.token_endpoint}"
        )
        result.display = True
        self.ready = True
        self.show_command_for(target)

    def show_command_for(self, target: Target) -> None:
        self.show_command(Session(target_kind=target.kind, host=target.host, scheme=target.scheme))

    def _loses_progress(self) -> bool:
        s, target = self.session, self.checked
        if target is None or not (set(s.steps_done) - {"target"}):
            return False
        same = (s.target_kind, s.host, s.scheme) == (target.kind, target.host, target.scheme)
        return not same and not (s.target_kind == "sandbox" and target.kind == "sandbox")

    async def action_next(self) -> None:
        if self.ready and self._loses_progress() and not getattr(self, "_change_ok", False):
            from .modals.confirm import ConfirmModal

            def answered(ok: bool | None) -> None:
                if ok:
                    self._change_ok = True
                    self.call_later(self.action_next)

            question = (
                f"You have progress on {self.session.host or 'the current target'} "
                f"(gateway {self.session.gateway_id or 'none yet'}). Switching to "
                f"{self.checked.label if self.checked else 'another target'} starts the "
                "tutorial again there; nothing is deleted on the old one. Switch?"
            )
            self.app.push_screen(ConfirmModal(question, yes="Switch"), callback=answered)
            return
        self._change_ok = False
        await super().action_next()

    async def commit(self) -> None:
        target = self.checked
        if target is None:
            raise WizardError("Check the host first", retryable=False)
        services = self._checked_services
        if services is not None and services is not self.services:
            await self.host.adopt_target(target, services)
            self.services = services
        self._checked_services = None
        s = self.session
        if (s.target_kind, s.host, s.scheme) != (target.kind, target.host, target.scheme) and (
            s.target_kind != "sandbox" or target.kind != "sandbox"
        ):
            reset_session(s)
        s.target_kind, s.host, s.scheme = target.kind, target.host, target.scheme


def reset_session(session: Session) -> None:
    """A new target: nothing done on the old one applies (keep only the start time)."""
    fresh = Session(started_at=session.started_at)
    for f in fields(Session):
        setattr(session, f.name, getattr(fresh, f.name))
