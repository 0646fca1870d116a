"""The Login step's device flow, as ``gwa login`` runs it: the code and its verification
page, the wait for approval with its countdown (slower after *slow down*), the sandbox's
approval page submitted for the learner (ctrl+l), and cancelling.

``DeviceLogin`` is one layer of ``screens/login.py`` ``LoginStep`` (see
docs/architecture.md, "A step in layers"); its widgets are composed, styled and bound to
keys by the step. ``_logged_in`` is where either login (device or service account) lands."""

from __future__ import annotations

import getpass
import re
from typing import Any

from textual import on, work
from textual.widgets import Button, Static

from tui.services.device_login import DeviceChallenge, PollResult
from tui.services.device_poll import PollSchedule
from tui.services.discovery import SandboxFacts
from tui.services.errors import WizardError
from tui.services.login_tokens import username_from_token
from tui.services.session import Session
from tui.widgets.sandbox_sign_in import SandboxSignIn

from .browser import open_in_browser
from .login_result import LoginResult

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


class DeviceLogin(LoginResult):
    """The ``#device-box`` half of the step: one device challenge at a time."""

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.challenge: DeviceChallenge | None = None
        self.schedule: PollSchedule | None = None  # the wait for approval, while one runs
        self.class_sandbox: SandboxFacts | None = None  # a class sandbox reached with --host

    @property
    def poll_interval(self) -> int:
        """Seconds between two checks of the login (the server's; longer after slow_down)."""
        return self.schedule.interval if self.schedule is not None else 0

    @property
    def on_sandbox(self) -> bool:
        target = self.host.target
        return bool(target is not None and target.kind == "sandbox") or bool(self.class_sandbox)

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

    async def _logged_in(self, access_token: str, method: str) -> None:
        self._end_challenge()
        user = username_from_token(access_token) or "(unknown user)"
        self.username = user
        self.session.login_method = method
        self.session.username = user  # the header shows who is logged in at once
        self._show_logged_in(user, method)
        self.refresh_chrome()
