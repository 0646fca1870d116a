"""The Login step's outcome: "logged in as …", the check of a login saved by an earlier
run, and where the tokens are kept (the keyring, memory, or an owner-only file the learner
chooses when no keyring works).

``LoginResult`` is one layer of ``screens/login.py`` ``LoginStep`` (see
docs/architecture.md, "A step in layers"); its widgets are composed and styled by the step."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.widgets import Button, Static

from tui.options import secrets_file
from tui.services.session import Session

from .base import WizardStep


class LoginResult(WizardStep):
    """Shows ``#login-result`` and ``#storage-box``, and checks a login kept from earlier."""

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.username = ""

    @work(exclusive=True, group="login", exit_on_error=False, description="Checking the login")
    async def check_existing(self) -> None:
        async with self.operation("Checking your saved login…") as op:
            user = await self.services.login.current_user()
        if op.failed or not user:
            return
        self.username = user
        self._show_logged_in(user, self.session.login_method or "device")

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
