"""Login: the device flow with PKCE as ``gwa login`` does it, or a service-account login."""

from __future__ import annotations

import asyncio
import getpass
import re
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioSet, Static

from tui.options import secrets_file
from tui.services.device_login import DeviceChallenge, PollResult
from tui.services.device_poll import PollSchedule
from tui.services.discovery import SandboxFacts, sandbox_facts
from tui.services.errors import WizardError
from tui.services.login_tokens import username_from_token
from tui.services.session import Session
from tui.widgets import MarkedRadioButton, SecretField
from tui.widgets.sandbox_sign_in import SandboxSignIn

from .base import WizardStep
from .browser import open_in_browser

SANDBOX_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,19}$")


def local_username() -> str:
    """This computer's user name if the sandbox accepts it, else ``learner``."""
    try:
        name = getpass.getuser()
    except Exception:
        return "learner"
    name = re.sub(r"[^A-Za-z0-9._-]", "", name)[:20]
    return name if SANDBOX_USERNAME.match(name) else "learner"


def countdown(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


class LoginStep(WizardStep):
    STEP_ID = "login"
    AUTO_FOCUS = "#start-device"
    BINDINGS = [
        Binding(
            "ctrl+o",
            "open_browser",
            "Open browser",
            id="login.open",
            tooltip="Open the verification page in your web browser",
        ),
        Binding(
            "ctrl+l",
            "approve",
            "Approve (sandbox)",
            id="login.approve",
            tooltip="Do what the browser would do: approve the code on the sandbox",
        ),
        Binding(
            "escape",
            "cancel_login",
            "Cancel login",
            show=False,
            id="login.cancel",
            tooltip="Stop waiting for this login",
        ),
    ]
    HELP = """
`gwa login` does not ask for your password. It uses the **device authorization flow**:
the login server gives the CLI a short **user code** and a web address. You open that page
in any browser, sign in there (with IDIR on the real portal) and approve the request. The
CLI meanwhile asks the login server every few seconds whether you have approved yet; when
you have, it receives an **access token** (proof of who you are, valid a few minutes) and a
**refresh token** (to get new access tokens without logging in again).

**PKCE** protects this exchange: the CLI keeps a random secret, sends only its hash when it
starts, and proves it knows the secret when it collects the tokens, so nobody who merely saw
the code can take your login.

The login server may answer *slow down* if asked too often; the wizard then waits longer,
as the standard asks. The code expires after a while; start again if it does.

On the built-in sandbox there is no IDIR: a key submits the sandbox's
approval page for you (**ctrl+l**), which is exactly what your browser would do.

A **service account** (client id and secret) logs in without a browser; that is how scripts
and pipelines use `gwa`.

The wizard keeps tokens in your operating system's keyring. Where there is none (for example
on a headless Linux machine) they stay in memory until you quit, unless you choose to keep
them in a file only you can read.
"""
    KEY_TERMS = (
        ("Device flow", "log in on a web page using a short code shown by the CLI"),
        ("User code", "the short code you type (or confirm) on the verification page"),
        ("Access token", "a signed JWT sent with every API call; expires after minutes"),
        ("Refresh token", "trades for a new access token without logging in again"),
        ("PKCE", "a one-time secret that ties the token request to the login that began it"),
    )
    DEFAULT_CSS = """
    LoginStep #device-box, LoginStep #cc-box { height: auto; }
    LoginStep #challenge { height: auto; display: none; border: round $accent; padding: 0 1; }
    LoginStep #challenge.-shown { display: block; }
    LoginStep #user-code {
        text-style: bold; color: $accent; width: auto; height: 3;
        border: heavy $accent; padding: 0 2; margin: 0 0 0 3;
    }
    LoginStep #poll-status { color: $text-muted; }
    LoginStep #challenge-buttons { height: auto; }
    LoginStep #challenge-buttons Button { margin-right: 1; }
    LoginStep #storage-box { height: auto; display: none; }
    LoginStep #storage-box.-shown { display: block; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.challenge: DeviceChallenge | None = None
        self.schedule: PollSchedule | None = None  # the wait for approval, while one runs
        self.username = ""
        self.class_sandbox: SandboxFacts | None = None  # a class sandbox reached with --host

    @property
    def poll_interval(self) -> int:
        """Seconds between two checks of the login (the server's; longer after slow_down)."""
        return self.schedule.interval if self.schedule is not None else 0

    # -- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(
            "Log in to the portal. The wizard runs the same login as gwa login: you approve a "
            "short code in a browser and the wizard receives your tokens.",
            classes="lead",
        )
        with RadioSet(id="method"):
            yield MarkedRadioButton(
                "Log in with a browser (device login, as gwa login)",
                id="method-device",
                value=self.session.login_method != "client_credentials",
            )
            yield MarkedRadioButton(
                "Service account (client id and secret)",
                id="method-cc",
                value=self.session.login_method == "client_credentials",
            )
        with Vertical(id="device-box"):
            yield Button("Start the login", id="start-device", variant="primary")
            with Vertical(id="challenge"):
                yield Static("", id="verify-url")
                yield Static("", id="user-code")
                yield Static("", id="poll-status")
                with Horizontal(id="challenge-buttons"):
                    yield Button("Open browser (ctrl+o)", id="open-browser")
                    yield Button("Approve on the sandbox (ctrl+l)", id="approve")
                    yield Button("Cancel (esc)", id="cancel-login")
                yield SandboxSignIn(local_username(), id="sandbox-sign-in")
        with Vertical(id="cc-box"):
            yield Static("Client ID", classes="field-label")
            yield Input(placeholder="the service account's client id", id="cc-id")
            yield Static("Client secret", classes="field-label")
            yield SecretField("the service account's secret", input_id="cc-secret")
            yield Static("", id="cc-message", classes="field-message")
            yield Button("Log in", id="cc-login", variant="primary")
        yield Static("", id="login-result", classes="result")
        with Vertical(id="storage-box"):
            yield Static("", id="storage-text")
            yield Button("Keep my login in an owner-only file", id="use-file")

    def on_mount(self) -> None:
        self.query_one("#login-result").display = False
        self._show_method()
        self.set_interval(1.0, self._tick)
        if self.session.username and "login" in self.session.steps_done:
            self.check_existing()
        target = self.host.target
        if target is not None and target.kind == "custom":
            self.detect_class_sandbox()

    @work(group="login.class", exit_on_error=False, description="Asking the host about itself")
    async def detect_class_sandbox(self) -> None:
        """A class sandbox (a gwa-wizard sandbox reached with --host) gets ctrl+l too."""
        facts = await sandbox_facts(self.services.client)
        if facts is None:
            return
        self.class_sandbox = facts
        self.query_one(SandboxSignIn).for_class(facts.passcode_required)
        self._show_method()
        self.refresh_bindings()

    @property
    def method(self) -> str:
        pressed = self.query_one("#method", RadioSet).pressed_button
        return (
            "client_credentials" if pressed is not None and pressed.id == "method-cc" else "device"
        )

    @property
    def on_sandbox(self) -> bool:
        target = self.host.target
        return bool(target is not None and target.kind == "sandbox") or bool(self.class_sandbox)

    def _show_method(self) -> None:
        device = self.method == "device"
        self.query_one("#device-box").display = device
        self.query_one("#cc-box").display = not device
        self.query_one("#approve").display = self.on_sandbox
        self.query_one(SandboxSignIn).display = self.on_sandbox

    @on(RadioSet.Changed, "#method")
    def method_changed(self) -> None:
        self.cancel_login()
        self._show_method()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_browser", "cancel_login"):
            return self.challenge is not None
        if action == "approve":
            return self.challenge is not None and self.on_sandbox
        return super().check_action(action, parameters)

    # -- device flow ------------------------------------------------------------------------
    @on(Button.Pressed, "#start-device")
    def start_pressed(self) -> None:
        self.start_device()

    @work(exclusive=True, group="login", exit_on_error=False, description="Logging in")
    async def start_device(self) -> None:
        self._reset_result()
        async with self.operation(
            "Asking the login server for a code…", retry=self.start_device
        ) as op:
            challenge = await self.services.login.start_device()
        if op.failed:
            return
        self.challenge = challenge
        self.schedule = PollSchedule(challenge.interval)
        self.query_one("#verify-url", Static).update(
            f"1. Open  {challenge.verification_uri_complete}\n"
            f"2. Check that the page shows this code, sign in and approve:"
        )
        self.query_one("#user-code", Static).update(" ".join(challenge.user_code))
        self.query_one("#challenge").add_class("-shown")
        self.query_one("#start-device").display = False
        # The focus was on the button just hidden: put it on the next thing to press.
        self.query_one("#approve" if self.on_sandbox else "#open-browser", Button).focus()
        self.refresh_bindings()
        self._tick()
        await self.copy_text(challenge.user_code, "The user code")
        try:
            tokens = await self.services.login.wait_for_approval(
                challenge, self.schedule, on_poll=self._polled
            )
        except WizardError as error:
            self._end_challenge()
            self.show_error(error, retry=self.start_device)
            return
        await self._logged_in(tokens.access_token, "device")

    def _polled(self, result: PollResult) -> None:
        if result.state == "slow_down":
            self.notify(
                f"The login server asked us to slow down: checking every {result.interval} s now.",
                severity="warning",
            )
        self._tick()

    def _tick(self) -> None:
        if self.challenge is None or self.schedule is None:
            return
        left = self.challenge.seconds_left()
        next_in = self.schedule.seconds_to_next()
        self.query_one("#poll-status", Static).update(
            f"Waiting for your approval: next check in {next_in} s (every "
            f"{self.poll_interval} s); the code expires in {countdown(left)}."
        )

    def action_open_browser(self) -> None:
        if self.challenge is None:
            return
        url = self.challenge.verification_uri_complete
        self.run_worker(open_in_browser(self.app, url), group="login.browser", exit_on_error=False)
        self.notify(f"Opening {url} in your browser (if one is available).")

    @on(Button.Pressed, "#open-browser")
    def open_pressed(self) -> None:
        self.action_open_browser()

    @on(Button.Pressed, "#approve")
    def action_approve(self) -> None:
        if self.challenge is not None and self.on_sandbox:
            self.approve()

    @work(
        exclusive=True,
        group="login.approve",
        exit_on_error=False,
        description="Approving on the sandbox",
    )
    async def approve(self) -> None:
        challenge = self.challenge
        if challenge is None:
            return
        sign_in = self.query_one(SandboxSignIn)
        name = sign_in.username
        if not SANDBOX_USERNAME.match(name):
            self.notify(
                "The sandbox user name must be 2-20 letters, digits, '.', '_' or '-'.",
                severity="error",
            )
            return
        try:
            await self.services.login.approve_on_sandbox(challenge, name, sign_in.passcode)
        except WizardError as error:
            self.show_error(error)
            return
        self.notify(
            f"Approved as {name} on the sandbox's verification page, as a browser "
            "would. Collecting the tokens…"
        )
        if self.schedule is not None:
            self.schedule.check_soon()

    @on(Button.Pressed, "#cancel-login")
    def action_cancel_login(self) -> None:
        self.cancel_login()

    def cancel_login(self) -> None:
        if self.challenge is None:
            return
        self.workers.cancel_group(self, "login")
        self._end_challenge()
        self.notify("Login cancelled. Start it again when you are ready.")

    def _end_challenge(self) -> None:
        self.challenge = None
        self.query_one("#challenge").remove_class("-shown")
        self.query_one("#start-device").display = True
        self.refresh_bindings()

    # -- service account --------------------------------------------------------------------
    @on(Button.Pressed, "#cc-login")
    @on(Input.Submitted, "#cc-id")
    @on(Input.Submitted, "#cc-secret")
    def cc_pressed(self) -> None:
        client_id = self.query_one("#cc-id", Input).value.strip()
        secret = self.query_one(SecretField).value.strip()
        message = self.query_one("#cc-message", Static)
        problem = ""
        if not client_id:
            problem = "Type the service account's client id."
        elif not secret:
            problem = "Type the service account's client secret."
        message.update(problem)
        message.set_class(bool(problem), "-error")
        if not problem:
            self.client_login(client_id, secret)

    @work(exclusive=True, group="login", exit_on_error=False, description="Logging in")
    async def client_login(self, client_id: str, secret: str) -> None:
        self._reset_result()
        async with self.operation("Logging in with the service account…") as op:
            tokens = await self.services.login.client_credentials(client_id, secret)
        if op.failed:
            return
        await self._logged_in(tokens.access_token, "client_credentials")

    # -- result -----------------------------------------------------------------------------
    @work(exclusive=True, group="login", exit_on_error=False, description="Checking the login")
    async def check_existing(self) -> None:
        async with self.operation("Checking your saved login…") as op:
            user = await self.services.login.current_user()
        if op.failed or not user:
            return
        self.username = user
        self._show_logged_in(user, self.session.login_method or "device")

    async def _logged_in(self, access_token: str, method: str) -> None:
        self._end_challenge()
        user = username_from_token(access_token) or "(unknown user)"
        self.username = user
        self.session.login_method = method
        self.session.username = user  # the header shows who is logged in at once
        self._show_logged_in(user, method)
        self.refresh_chrome()

    def _show_logged_in(self, user: str, method: str) -> None:
        how = "with the device flow" if method == "device" else "as a service account"
        result = self.query_one("#login-result", Static)
        result.update(f"✓ Successfully logged in as {user} ({how}).")
        result.display = True
        # Not "Start the login" beside "✓ Successfully logged in": the button now says what
        # it would do.
        self.query_one("#start-device", Button).label = "Log in again (as someone else)"
        self.show_command()
        self._show_storage()
        self.ready = True
        self.refresh_chrome()

    def _show_storage(self) -> None:
        store = self.services.secrets
        box = self.query_one("#storage-box")
        text = self.query_one("#storage-text", Static)
        if store.backend == "keyring":
            box.remove_class("-shown")
            return
        if store.backend == "file":
            text.update(f"Your tokens are kept in {store.file_path} (readable only by you).")
            self.query_one("#use-file").display = False
        else:
            text.update(
                "No keyring works on this computer, so your tokens are kept in memory only: "
                "you will log in again next time. You can keep them in a file only you can "
                f"read instead ({self._secrets_file()})."
            )
        box.add_class("-shown")

    def _secrets_file(self) -> str:
        return str(secrets_file(self.host.state_dir))

    @on(Button.Pressed, "#use-file")
    async def use_file(self) -> None:
        path = self._secrets_file()
        try:
            await asyncio.to_thread(self.services.secrets.use_file, path)
        except OSError as exc:
            self.notify(f"Could not create {path}: {exc}", severity="error")
            return
        self.notify(f"Tokens now kept in {path} (owner-only).")
        self._show_storage()

    def _reset_result(self) -> None:
        self.ready = False
        self.query_one("#login-result").display = False

    async def commit(self) -> None:
        self.session.username = self.username
        if not self.session.login_method:
            self.session.login_method = self.method
