"""Login: the device flow with PKCE as ``gwa login`` does it, or a service-account login.

This module holds the step's layout, keys, CSS and F1 text, the choice between the two
halves and the service-account half. Its layers, one module each: ``login_device.py`` (the
device flow) on ``login_result.py`` (the outcome and where the tokens are kept)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioSet, Static

from tui.services.discovery import sandbox_facts
from tui.widgets import MarkedRadioButton, SecretField, TextField
from tui.widgets.sandbox_sign_in import SandboxSignIn

from .login_device import DeviceLogin, local_username


class LoginStep(DeviceLogin):
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
            yield TextField(placeholder="the service account's client id", id="cc-id")
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

    async def commit(self) -> None:
        self.session.username = self.username
        if not self.session.login_method:
            self.session.login_method = self.method
