"""Credentials: the portal's Request Access → Create Application → Dev → Generate Secrets.

Two ways to the same three values: the portal walk-through (the tutorial's own way, numbered
clicks in the portal's pages, the values pasted back and checked by requesting a token), and
the REST shortcut where the portal allows it. On the sandbox both are offered, the
walk-through first; elsewhere the walk-through is the fallback when REST is refused.

This module holds the step's layout, keys, CSS, the environment lookup and the REST
shortcut. Its layers, one module each: ``credentials_walkthrough.py`` (the portal
hand-off and the pasted values' check) on ``credentials_secret.py`` (the result: the secret
masked, revealed, copied); the F1 text is in ``credentials_help.py``."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from tui.services.credentials import (
    ConsumerCredentials,
    ProductEnvironment,
    default_application_name,
    needs_handoff,
)
from tui.services.errors import WizardError
from tui.widgets import CommandBox, SecretField, TextField

from . import credentials_help
from .credentials_walkthrough import CredentialsWalkthrough


class CredentialsStep(CredentialsWalkthrough):
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
            "Walk through the portal",
            id="credentials.handoff",
            tooltip="Do the tutorial's clicks in the portal's web pages and paste the three "
            "values back",
        ),
        Binding(
            "ctrl+o",
            "open_portal",
            "Open browser",
            id="credentials.open",
            show=False,
            tooltip="Open the portal page where the clicks start (and copy its URL)",
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
    HELP = credentials_help.HELP
    KEY_TERMS = credentials_help.KEY_TERMS
    DEFAULT_CSS = """
    CredentialsStep #env-info { height: auto; color: $text-muted; }
    CredentialsStep #route-box { height: auto; }
    CredentialsStep #route-text { height: auto; }
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

    # -- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(
            "Act as a consumer of your API: Request Access → Create Application → Dev "
            "environment → Generate Secrets. The wizard does these portal clicks in one go "
            "where the portal allows it, or guides you through them in your browser.",
            classes="lead",
        )
        yield Static("Looking up your product's Dev environment…", id="env-info")
        if self.on_sandbox:
            with Vertical(id="route-box"):
                yield Static(
                    "Two ways to the same three values. Recommended for learning: the "
                    "tutorial's own clicks in the portal's web pages, which this sandbox "
                    "serves; on the live portal most accounts can only do it this way. Or the "
                    "API shortcut below, which does the clicks in one go.",
                    id="route-text",
                )
                yield Button(
                    "Walk through the portal (recommended) (ctrl+l)",
                    id="walkthrough",
                    variant="primary",
                )
        with Vertical(id="rest-box"):
            yield Static("Application name", classes="field-label")
            yield TextField(default_application_name(self.session.service), id="app-name")
            yield Static("", id="app-name-msg", classes="field-message")
            yield Button(
                "Shortcut: request access & generate secrets over the API (ctrl+g)"
                if self.on_sandbox
                else "Request access & generate secrets (ctrl+g)",
                id="issue",
                variant="default" if self.on_sandbox else "primary",
            )
        with Vertical(id="handoff-box"):
            yield Static("", id="handoff-why", classes="muted")
            yield Static("", id="handoff-steps")
            yield Button("Open the portal in a browser (ctrl+o)", id="open-portal")
            yield Static("Client ID", classes="field-label")
            yield TextField(placeholder="e.g. 8C1D2E3F-0A1B2C3D4E5", id="paste-id")
            yield Static("", id="paste-id-msg", classes="field-message")
            yield Static("Client Secret", classes="field-label")
            yield SecretField("paste the Client Secret", input_id="paste-secret")
            yield Static("", id="paste-secret-msg", classes="field-message")
            yield Static("Token Endpoint", classes="field-label")
            yield TextField(placeholder="https://…/protocol/openid-connect/token", id="paste-url")
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
        # One consumer per intent: ctrl+g pressed three times quickly issues one.
        if self.intents.claim(
            "credentials.issue", "#issue", notice="The secrets are being generated; one moment."
        ):
            self.issue()

    @on(Input.Submitted, "#app-name")
    def _submit_name(self) -> None:
        self.action_issue()

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
        async with (
            self.intents.hold("credentials.issue", "#issue"),
            self.operation("Requesting access and generating secrets…", retry=self.issue) as op,
        ):
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
                # Recorded at once: Clean up lists and revokes every consumer made here.
                self.session.issued_consumers.append(creds.client_id)
                self.host.save_session()
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
