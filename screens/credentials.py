"""Credentials: the portal's Request Access → Create Application → Dev → Generate Secrets,
as one screen. Over the portal's REST API where allowed, otherwise a guided browser hand-off
with the three values pasted back and checked."""

from __future__ import annotations

import asyncio
import webbrowser
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from tui.services.credentials import (
    ConsumerCredentials,
    ProductEnvironment,
    clean_pasted,
    default_application_name,
    handoff_steps,
    handoff_url,
    needs_handoff,
    pasted_problem,
)
from tui.services.errors import WizardError
from tui.services.session import Session
from tui.widgets import CommandBox, SecretField

from .base import WizardStep

MASK = "•" * 16
STORE_WORDS = {
    "keyring": "your operating system's keyring",
    "memory": "memory only, for this run (no keyring was found)",
    "file": "the owner-only secrets file you chose",
}


class CredentialsStep(WizardStep):
    STEP_ID = "credentials"
    AUTO_FOCUS = "#issue"
    BINDINGS = [
        Binding(
            "ctrl+g",
            "issue",
            "Generate secrets",
            id="credentials.issue",
            tooltip="Request access for a new application and generate its secrets",
        ),
        Binding(
            "ctrl+l",
            "handoff",
            "Use the portal",
            id="credentials.handoff",
            tooltip="Do it in the portal's web pages and paste the three values back",
        ),
        Binding(
            "ctrl+o",
            "open_portal",
            "Open browser",
            id="credentials.open",
            show=False,
            tooltip="Open the portal page where the clicks start",
        ),
        Binding(
            "ctrl+s",
            "use_pasted",
            "Use pasted values",
            id="credentials.use",
            show=False,
            tooltip="Check the pasted Client ID, Client Secret and Token Endpoint",
        ),
        Binding(
            "ctrl+t",
            "toggle_secret",
            "Show/hide secret",
            id="credentials.reveal",
            show=False,
            tooltip="Show or hide the client secret",
        ),
        Binding(
            "ctrl+y",
            "copy_secret",
            "Copy secret",
            id="credentials.copy",
            show=False,
            tooltip="Copy the client secret to the clipboard",
        ),
    ]
    HELP = """
So far you acted as the **provider**. Now switch roles: you are a **consumer** who wants to
call the API, and consumers need credentials.

In the portal this takes four clicks, which this step does as one:

1. **Request Access** on your product's card. You reach it through *Preview in Directory*,
   because your Dev environment is not public yet (`active: false`).
2. **Create Application**: an application stands for the consumer's client software. Each
   application gets its own credentials for each environment.
3. Choose the **Dev** environment and **Request Access & Continue**. Your product says
   `approval: false`, so access is granted at once; with approval an Access Manager would
   first have to approve it.
4. **Generate Secrets**: the portal registers a client in the shared login realm and shows
   **Client ID**, **Client Secret** and **Token Endpoint**, once.

A provider who holds the *CredentialIssuer.Generate* permission can do all of this over the
portal's API, which is what the wizard tries first. Without that permission the portal says
no (403), and you do the clicks in your browser; the wizard shows where and checks the
values you paste back.

Treat the secret like a password: it is shown masked, copied only when you ask, kept in
your keyring (or in memory), and never written to the wizard's session file or exports.
"""
    KEY_TERMS = (
        ("Consumer", "whoever calls the API; here, you, with your own credentials"),
        ("Application", "the consumer's client software; owns the credentials"),
        ("Product environment", "one deployable stage of a product (dev), with its own access"),
        ("Access request", "asks for an application's access to one environment"),
        ("Client ID / Secret", "the application's user name and password at the token endpoint"),
        ("Token Endpoint", "the login server URL that turns ID and secret into a token"),
    )
    DEFAULT_CSS = """
    CredentialsStep #env-info { height: auto; color: $text-muted; }
    CredentialsStep #rest-box, CredentialsStep #handoff-box, CredentialsStep #creds-box {
        height: auto;
    }
    CredentialsStep #handoff-box, CredentialsStep #creds-box { display: none; }
    CredentialsStep #handoff-box.-shown, CredentialsStep #creds-box.-shown { display: block; }
    CredentialsStep #handoff-steps { height: auto; padding: 0 1; }
    CredentialsStep #issue, CredentialsStep #use-pasted, CredentialsStep #open-portal {
        margin: 1 1 0 0;
    }
    CredentialsStep #creds { height: auto; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.environment: ProductEnvironment | None = None
        self.credentials: ConsumerCredentials | None = None
        self.source = ""
        self.revealed = False

    # -- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(
            "Act as a consumer of your API: Request Access → Create Application → Dev "
            "environment → Generate Secrets. The wizard does these portal clicks in one go "
            "where the portal allows it, or guides you through them in your browser.",
            classes="lead",
        )
        yield Static("Looking up your product's Dev environment…", id="env-info")
        with Vertical(id="rest-box"):
            yield Static("Application name", classes="field-label")
            yield Input(default_application_name(self.session.service), id="app-name")
            yield Static("", id="app-name-msg", classes="field-message")
            yield Button(
                "Request access & generate secrets (ctrl+g)", id="issue", variant="primary"
            )
        with Vertical(id="handoff-box"):
            yield Static("", id="handoff-why", classes="muted")
            yield Static("", id="handoff-steps")
            yield Button("Open the portal in a browser (ctrl+o)", id="open-portal")
            yield Static("Client ID", classes="field-label")
            yield Input(placeholder="e.g. 8C1D2E3F-0A1B2C3D4E5", id="paste-id")
            yield Static("", id="paste-id-msg", classes="field-message")
            yield Static("Client Secret", classes="field-label")
            yield SecretField("paste the Client Secret", input_id="paste-secret")
            yield Static("", id="paste-secret-msg", classes="field-message")
            yield Static("Token Endpoint", classes="field-label")
            yield Input(placeholder="https://…/protocol/openid-connect/token", id="paste-url")
            yield Static("", id="paste-url-msg", classes="field-message")
            yield Button("Use these values (ctrl+s)", id="use-pasted", variant="primary")
        with Vertical(id="creds-box", classes="result"):
            yield Static("", id="creds")
            yield CommandBox("", id="exports")

    async def on_mount(self) -> None:
        self.load()

    # -- loading: the environment, and credentials kept from earlier --------------------------
    @work(exclusive=True, group="credentials-load", exit_on_error=False, description="Loading")
    async def load(self) -> None:
        services = self.services
        kept = await services.credentials.remembered(self.session, services.secrets)
        if kept is not None:
            self.show_credentials(kept, self.session.credentials_source or "rest", earlier=True)
        async with self.operation("Reading your product's environments…", retry=self.load) as op:
            await self.fetch_environment()
        if op.failed:
            return

    async def fetch_environment(self) -> ProductEnvironment | None:
        """Find the Dev environment (GET …/products) and describe it; raises WizardError."""
        envs = await self.services.credentials.environments(self.session.gateway_id)
        chosen = next((e for e in envs if e.name == "dev"), envs[0] if envs else None)
        info = self.query_one("#env-info", Static)
        if chosen is None:
            info.update(
                "Your gateway has no product environment yet: apply the Product first (Apply step)."
            )
            return None
        self.environment = chosen
        approval = (
            "approval required: an Access Manager must approve"
            if chosen.approval
            else "no approval needed: access is granted at once"
        )
        info.update(
            f"Product: {chosen.product} · Environment: {chosen.name} (appId {chosen.app_id}) · "
            f"flow: {chosen.flow} · {approval}"
        )
        return chosen

    # -- REST issue -------------------------------------------------------------------------
    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        self.issue()

    @on(Input.Submitted, "#app-name")
    def _submit_name(self) -> None:
        self.issue()

    @work(exclusive=True, group="credentials", exit_on_error=False, description="Issuing")
    async def issue(self) -> None:
        name = self.query_one("#app-name", Input).value.strip()
        message = self.query_one("#app-name-msg", Static)
        if not name:
            message.update("Give the application a name (any label you like).")
            message.add_class("-error")
            return
        message.update("")
        message.remove_class("-error")
        handoff: WizardError | None = None
        creds: ConsumerCredentials | None = None
        async with self.operation(
            "Requesting access and generating secrets…", retry=self.issue
        ) as op:
            env = self.environment or await self.fetch_environment()
            if env is None:
                raise WizardError(
                    "There is no product environment to request access to",
                    "The gateway has no Product yet, so there is nothing to consume.",
                    "Go back to Apply and publish the file (its Product document).",
                    retryable=False,
                )
            try:
                creds = await self.services.credentials.issue(
                    self.session.gateway_id, env.app_id, name
                )
            except WizardError as exc:
                if not needs_handoff(exc):
                    raise
                handoff = exc
        if op.failed:
            return
        if handoff is not None:
            self.show_handoff(handoff)
            return
        if creds is not None:
            await self.keep(creds, "rest")

    # -- hand-off -----------------------------------------------------------------------------
    def action_handoff(self) -> None:
        self.show_handoff(None)

    def show_handoff(self, reason: WizardError | None) -> None:
        target = self.services.target
        why = self.query_one("#handoff-why", Static)
        if reason is not None:
            why.update(
                f"The portal refused to issue credentials over its API ({reason.status}: "
                f"{reason.detail or reason.what}). {reason.why} Do these clicks in the portal "
                "instead, then paste the three values below."
            )
        else:
            why.update("Do these clicks in the portal, then paste the three values below.")
        product = self.environment.product if self.environment else ""
        steps = handoff_steps(target, self.session.gateway_id, product, self.session.service)
        self.query_one("#handoff-steps", Static).update(
            "\n".join(f"{i}. {text}" for i, text in enumerate(steps, 1))
        )
        self.query_one("#handoff-box").add_class("-shown")
        self.query_one("#rest-box").display = False
        self.call_after_refresh(self.query_one("#paste-id", Input).focus)

    @on(Button.Pressed, "#open-portal")
    async def action_open_portal(self) -> None:
        url = handoff_url(self.services.target, self.session.gateway_id)
        opened = False
        try:
            opened = await asyncio.to_thread(webbrowser.open, url)
        except Exception:
            opened = False
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
            self.query_one(selector, Input).focus()
            return
        creds = ConsumerCredentials(clean_pasted(cid), clean_pasted(csc), clean_pasted(url))
        await self.keep(creds, "handoff")

    # -- the result ---------------------------------------------------------------------------
    async def keep(self, creds: ConsumerCredentials, source: str) -> None:
        try:
            await self.services.credentials.remember(self.session, self.services.secrets, creds)
        except WizardError as error:
            self.show_error(error)
            return
        self.services.tokens.forget()
        self.show_credentials(creds, source, earlier=False)
        self.query_one("#creds-box").scroll_visible(animate=False)

    def show_credentials(self, creds: ConsumerCredentials, source: str, *, earlier: bool) -> None:
        self.credentials, self.source = creds, source
        self.revealed = False
        self.render_credentials(earlier)
        self.query_one("#creds-box").add_class("-shown")
        self.ready = True

    def render_credentials(self, earlier: bool = False) -> None:
        creds = self.credentials
        if creds is None:
            return
        secret = creds.client_secret if self.revealed else MASK
        store = STORE_WORDS.get(getattr(self.services.secrets, "backend", ""), "the secret store")
        origin = (
            "from earlier in this tutorial; ctrl+g issues new ones"
            if earlier
            else "generated over the portal API"
            if self.source == "rest"
            else "pasted from the portal"
        )
        self.query_one("#creds", Static).update(
            f"✓ Credentials ({origin})\n"
            f"Client ID       {creds.client_id}\n"
            f"Client Secret   {secret}   (ctrl+t show/hide · ctrl+y copy)\n"
            f"Token Endpoint  {creds.token_endpoint}\n"
            f"The secret is kept in {store}; never in the session file."
        )
        self.query_one("#exports", CommandBox).show(
            f'export CID="{creds.client_id}"\n'
            'export CSC="<paste the Client Secret: ctrl+y copies it>"\n'
            f'export URL="{creds.token_endpoint}"'
        )

    def action_toggle_secret(self) -> None:
        if self.credentials is None:
            return
        self.revealed = not self.revealed
        self.render_credentials()

    async def action_copy_secret(self) -> None:
        if self.credentials is not None:
            await self.copy_text(self.credentials.client_secret, "Client secret")

    async def commit(self) -> None:
        creds = self.credentials
        if creds is None:
            raise WizardError("No credentials yet", "", "Generate them, or paste them back.")
        self.session.client_id = creds.client_id
        self.session.token_endpoint = creds.token_endpoint
        self.session.environment_app_id = (
            self.environment.app_id if self.environment else creds.client_id.split("-")[0]
        )
        self.session.credentials_source = self.source
        self.session.consumer_revoked = False
