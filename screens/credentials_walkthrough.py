"""The Credentials step's portal walk-through (the hand-off): the tutorial's numbered clicks
in the portal's pages, the three values pasted back, and the check that they get a token.

``CredentialsWalkthrough`` is one layer of ``screens/credentials.py`` ``CredentialsStep``
(see docs/architecture.md, "A step in layers"); its widgets are composed, styled and bound
to keys by the step."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.widgets import Button, Input, Static

from tui.services.credentials import (
    ConsumerCredentials,
    ProductEnvironment,
    clean_pasted,
    pasted_problem,
)
from tui.services.errors import WizardError
from tui.services.portal_walkthrough import Walkthrough, credentials_walkthrough
from tui.services.session import Session
from tui.widgets import SecretField

from .browser import open_in_browser
from .credentials_secret import CredentialsSecretPanel


class CredentialsWalkthrough(CredentialsSecretPanel):
    """Shows ``#handoff-box`` (hiding the API shortcut) and checks what is pasted into it."""

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.environment: ProductEnvironment | None = None  # set by the step once read

    @property
    def on_sandbox(self) -> bool:
        target = self.services.target
        return getattr(target, "kind", "") == "sandbox"

    @on(Button.Pressed, "#walkthrough")
    def action_handoff(self) -> None:
        self.show_handoff(None)

    def walkthrough(self) -> Walkthrough:
        env = self.environment
        s = self.session
        return credentials_walkthrough(
            self.services.target,
            gateway_id=s.gateway_id,
            gateway_name=s.gateway_display_name,
            product=env.product if env else "",
            service=s.service,
            username=s.username,
            approval=bool(env and env.approval),
        )

    def show_handoff(self, reason: WizardError | None) -> None:
        target = self.services.target
        why = self.query_one("#handoff-why", Static)
        if reason is not None:
            why.update(
                f"The portal refused to issue credentials over its API ({reason.status}: "
                f"{reason.detail or reason.what}). {reason.why} Do these clicks in the portal "
                "instead, then paste the three values below."
            )
        elif getattr(target, "kind", "") == "sandbox":
            why.update(
                "The tutorial's way, and the one you will take on the live portal: do these "
                "clicks in the sandbox's portal pages (ctrl+o opens the first one and copies "
                "its URL), then paste the three values below. The wizard checks them by "
                "asking the Token Endpoint for a token."
            )
        else:
            why.update(
                "Do these clicks in the portal, then paste the three values below; the "
                "wizard checks them by asking the Token Endpoint for a token."
            )
        self.query_one("#handoff-steps", Static).update(self.walkthrough().numbered())
        self.query_one("#handoff-box").add_class("-shown")
        self.query_one("#rest-box").display = False
        if self.on_sandbox:
            self.query_one("#route-box").display = False
        self.call_after_refresh(self.query_one("#paste-id", Input).focus)

    @on(Button.Pressed, "#open-portal")
    async def action_open_portal(self) -> None:
        url = self.walkthrough().start_url
        await self.copy_text(url, "The portal URL")
        opened = await open_in_browser(self.app, url)
        if opened:
            self.notify(f"Opened {url} in your browser.")
        else:
            self.notify(
                f"No browser could be opened here; open {url} yourself.", severity="warning"
            )

    @on(Input.Submitted, "#paste-url")
    @on(Button.Pressed, "#use-pasted")
    async def action_use_pasted(self) -> None:
        if not self.query_one("#handoff-box").has_class("-shown"):
            return
        if self.intents.running("credentials.check"):
            self.notify("The pasted values are being checked; one moment.", title="Please wait")
            return
        cid = self.query_one("#paste-id", Input).value
        csc = self.query_one(SecretField).value
        url = self.query_one("#paste-url", Input).value
        problems = pasted_problem(cid, csc, url, allow_http=self.services.target.scheme == "http")
        for field, selector in (
            ("client_id", "#paste-id"),
            ("client_secret", "#paste-secret"),
            ("token_endpoint", "#paste-url"),
        ):
            msg = self.query_one(f"{selector}-msg", Static)
            text = problems.get(field, "")
            msg.update(text or "✓")
            msg.set_class(bool(text), "-error")
            msg.set_class(not text, "-ok")
            self.query_one(selector, Input).set_class(bool(text), "-error", "-invalid")
        if problems:
            first = next(
                f for f in ("client_id", "client_secret", "token_endpoint") if f in problems
            )
            selector = {
                "client_id": "#paste-id",
                "client_secret": "#paste-secret",
                "token_endpoint": "#paste-url",
            }[first]
            # Show the first problem but leave the focus where the learner is: moving it
            # made the next keystrokes land in another field.
            self.query_one(selector, Input).scroll_visible(animate=False)
            return
        creds = ConsumerCredentials(clean_pasted(cid), clean_pasted(csc), clean_pasted(url))
        if self.intents.claim("credentials.check", "#use-pasted"):
            self.check_pasted(creds)

    @work(exclusive=True, group="credentials", exit_on_error=False, description="Checking")
    async def check_pasted(self, creds: ConsumerCredentials) -> None:
        """The tutorial's next command, done now: these values must get a token."""
        async with (
            self.intents.hold("credentials.check", "#use-pasted"),
            self.operation(
                "Checking the pasted values: asking the Token Endpoint for a token…",
                retry=lambda: self.check_pasted(creds),
            ) as op,
        ):
            await self.services.credentials.verify(creds)
        if op.failed:
            return
        self.checked = True
        await self.keep(creds, "handoff")
