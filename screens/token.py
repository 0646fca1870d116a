"""Token: the tutorial's client-credentials request, the JWT decoded, and a live countdown."""

from __future__ import annotations

import time
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Static

from tui.services.consumer_token import (
    CLAIM_HELP,
    EXPLAINED_CLAIMS,
    ConsumerToken,
    claim_value,
    format_countdown,
    seconds_left,
)
from tui.services.errors import WizardError
from tui.services.probe import mask_token
from tui.services.session import Session
from tui.widgets import CommandBox

from .base import WizardStep

SHOWN_CLAIMS = ("iss", "aud", "azp", "exp", "iat", "typ")


def now() -> float:
    """The wall clock (a seam for tests)."""
    return time.time()


def no_credentials() -> WizardError:
    return WizardError(
        "No client credentials are available for this run",
        "The Client ID is known but its secret is not in the secret store (without a keyring, "
        "secrets live in memory only until you quit).",
        "Go back to Credentials (ctrl+b) and generate or paste them again.",
        retryable=False,
    )


class TokenStep(WizardStep):
    STEP_ID = "token"
    AUTO_FOCUS = "#get-token"
    BINDINGS = [
        Binding(
            "ctrl+g",
            "get_token",
            "Get a token",
            id="token.get",
            tooltip="Ask the token endpoint for a fresh access token",
        ),
        Binding(
            "ctrl+t",
            "toggle_token",
            "Show/hide token",
            id="token.reveal",
            show=False,
            tooltip="Show or hide the access token",
        ),
        Binding(
            "ctrl+y",
            "copy_token",
            "Copy token",
            id="token.copy",
            show=False,
            tooltip="Copy the access token to the clipboard",
        ),
    ]
    HELP = """
With a Client ID and Secret, the consumer asks the **token endpoint** (the shared login
realm's Keycloak) for an access token, using the **client-credentials grant**: the form
fields `client_id`, `client_secret` and `grant_type=client_credentials`. The gateway is not
involved in this exchange at all. (The tutorial also sends `scopes=openid`; Keycloak ignores
that field, whose standard name would be `scope`.)

The answer holds `access_token`, a **JWT**: three base64url parts, a header (which key and
algorithm signed it), the **claims** (facts about the token) and a signature. The claims the
gateway checks are:

* `iss`: who issued it; must be in the plugin's `allowed_iss`.
* `aud`: who it is for; the shared realm adds `ap-<gateway>-default-dev` for your Dev
  environment, which the plugin's `allowed_aud` demands.
* `azp`: the client that asked, your Client ID; the gateway finds your consumer by it.
* `exp`: when it stops working. Consumer tokens live a few minutes; the countdown shows how
  long this one has. Pause too long and the call fails with *token expired*: get a new one.

The wizard keeps the token in memory only. Common failures: `unauthorized_client` (a known ID
with the wrong secret), `invalid_client` (an unknown ID, or a client still waiting for
approval) and a token endpoint that cannot be reached.
"""
    KEY_TERMS = (
        ("Client-credentials grant", "a client proves its own identity with ID and secret"),
        ("Token endpoint", "the URL that issues tokens; part of the login server, not the gateway"),
        ("JWT", "JSON Web Token: header.claims.signature, signed by the issuer"),
        ("Claim", "one fact in the token: iss, aud, azp, exp …"),
    )
    DEFAULT_CSS = """
    TokenStep #get-token { margin: 1 0 0 0; }
    TokenStep #token-box { display: none; height: auto; }
    TokenStep #token-box.-shown { display: block; }
    TokenStep #countdown { text-style: bold; }
    TokenStep #countdown.-expired { color: $error; }
    TokenStep #jwt-claims { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.token: ConsumerToken | None = None
        self.revealed = False

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Exchange your Client ID and Secret for an access token at the token endpoint, "
            "as the tutorial's curl does (the wizard sends the same form):",
            classes="lead",
        )
        yield CommandBox(self.equivalent_command(), id="command")
        yield Button("Get a token (ctrl+g)", id="get-token", variant="primary")
        with Vertical(id="token-box", classes="result"):
            yield Static("", id="countdown")
            yield Static("", id="token-raw")
            yield Static("", id="jwt-header")
            yield Static("", id="jwt-claims")

    def on_mount(self) -> None:
        current = self.services.tokens.current
        if current is not None and current.claims.get("azp") == self.session.client_id:
            self.show_token(current)
        self.set_interval(1.0, self.tick)

    # -- getting a token ----------------------------------------------------------------------
    @on(Button.Pressed, "#get-token")
    def action_get_token(self) -> None:
        if self.intents.claim(
            "token.request", "#get-token", notice="A token is being requested; one moment."
        ):
            self.get_token()

    @work(exclusive=True, group="token", exit_on_error=False, description="Getting a token")
    async def get_token(self) -> None:
        services = self.services
        async with (
            self.intents.hold("token.request", "#get-token"),
            self.operation("Asking the token endpoint for a token…", retry=self.get_token) as op,
        ):
            creds = await services.credentials.remembered(self.session, services.secrets)
            if creds is None:
                raise no_credentials()
            token = await services.tokens.request(creds)
        if op.failed:
            return
        self.show_token(token)
        self.query_one("#token-box").scroll_visible(animate=False)

    # -- showing it ---------------------------------------------------------------------------
    def show_token(self, token: ConsumerToken) -> None:
        self.token = token
        self.revealed = False
        header = " · ".join(f"{k} {v}" for k, v in token.header.items())
        self.query_one("#jwt-header", Static).update(f"Header: {header}")
        self.query_one("#jwt-claims", Static).update(self.claims_content(token))
        self.render_token()
        self.tick()
        self.query_one("#token-box").add_class("-shown")
        self.ready = True

    def claims_content(self, token: ConsumerToken) -> Content:
        parts: list[Content] = [Content.styled("Claims\n", "bold")]
        for name in SHOWN_CLAIMS:
            if name in token.claims:
                parts.append(
                    Content.styled(f"  {name:<4} ", "bold $accent")
                    + Content(f"{claim_value(token.claims, name)}\n")
                )
        others = [k for k in token.claims if k not in SHOWN_CLAIMS]
        if others:
            parts.append(Content.styled(f"  also: {', '.join(others)}\n", "$text-muted"))
        for name in EXPLAINED_CLAIMS:
            parts.append(Content.styled(f"\n{name}: ", "bold") + Content(CLAIM_HELP[name]))
        return Content("").join(parts)

    def render_token(self) -> None:
        if self.token is None:
            return
        value = self.token.access_token if self.revealed else mask_token(self.token.access_token)
        self.query_one("#token-raw", Static).update(
            f"access_token  {value}\n"
            f"token_type {self.token.token_type} · expires_in {self.token.expires_in} s · "
            "kept in memory only (ctrl+t show/hide · ctrl+y copy)"
        )

    def tick(self) -> None:
        if self.token is None:
            return
        left = seconds_left(self.token, now())
        label = self.query_one("#countdown", Static)
        if left > 0:
            label.update(f"Expires in {format_countdown(left)}")
        else:
            label.update("Expired: press ctrl+g for a fresh token")
        label.set_class(left <= 0, "-expired")

    def action_toggle_token(self) -> None:
        if self.token is not None:
            self.revealed = not self.revealed
            self.render_token()

    async def action_copy_token(self) -> None:
        if self.token is not None:
            await self.copy_text(self.token.access_token, "Access token")
