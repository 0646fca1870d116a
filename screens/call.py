"""Call: the API with ``Authorization: Bearer <token>``; a 200 with a UUID finishes the tutorial."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Static

from tui.services.consumer_token import ConsumerToken, format_countdown, seconds_left
from tui.services.probe import ApiCall, explain
from tui.widgets import CommandBox
from tui.widgets.exchange import ExchangeView, VerdictView

from . import token as token_step
from .base import WizardStep

# Verdicts after which the fix is a new token (back on the Token step).
NEW_TOKEN_KINDS = ("expired", "bad_token", "no_token", "signature")


class CallStep(WizardStep):
    STEP_ID = "call"
    AUTO_FOCUS = "#send"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "send",
            "Call the API",
            id="call.send",
            tooltip="Call your API with the access token",
        ),
        Binding(
            "ctrl+g",
            "new_token",
            "New token",
            id="call.new_token",
            tooltip="Go back to the Token step for a fresh token",
        ),
    ]
    HELP = """
The same request as in *Try it*, now with the header `Authorization: Bearer <token>`.

The gateway's **jwt-keycloak** plugin checks the token in a fixed order and answers with
the first failure:

1. the issuer (`iss`) is one of `allowed_iss`;
2. the audience (`aud`) contains `allowed_aud` (`ap-<gateway>-default-dev`);
3. the algorithm is RS256;
4. the signature verifies with the issuer's published keys;
5. the token has not expired (`exp`);
6. a **consumer** exists whose custom ID equals the token's `azp`: the one created when
   access was granted;
7. roles and scopes, if configured (the template configures none).

Only then is the request passed to your upstream, which answers with a fresh UUID. Each
refusal has its own message; the wizard explains the cause and the fix for every one. The
most common is *token expired*: tokens live minutes, so get a new one and call again.
"""
    KEY_TERMS = (
        ("Bearer token", "whoever holds it may use it; sent as Authorization: Bearer …"),
        ("Consumer", "the gateway's record of who may call; matched by the token's azp"),
        ("allowed_iss / allowed_aud", "the plugin settings the token's iss and aud must match"),
    )
    DEFAULT_CSS = """
    CallStep #token-state { height: auto; margin: 1 0 0 0; }
    CallStep #token-state.-expired { color: $error; }
    CallStep #send { margin: 1 0 0 0; }
    CallStep #done { display: none; height: auto; text-style: bold; color: $success; }
    CallStep #done.-shown { display: block; }
    CallStep #done.-hint { color: $warning; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Call your API with the token, as the tutorial's last curl does. The gateway checks "
            "the token, finds your consumer, and only then forwards the call.",
            classes="lead",
        )
        yield CommandBox(self.equivalent_command() if self.session.api_url else "", id="command")
        yield Static("", id="token-state")
        yield Button("Call the API with your token (ctrl+s)", id="send", variant="primary")
        yield ExchangeView(id="exchange")
        yield VerdictView(id="verdict")
        yield Static("", id="done")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.tick()

    @property
    def token(self) -> ConsumerToken | None:
        current = self.services.tokens.current
        if (
            current is not None
            and current.claims.get("azp", self.session.client_id) == self.session.client_id
        ):
            return current
        return None

    def tick(self) -> None:
        label = self.query_one("#token-state", Static)
        token = self.token
        if token is None:
            label.update("No token in memory: press ctrl+g to get one on the Token step.")
            label.add_class("-expired")
            return
        left = seconds_left(token, token_step.now())
        if left > 0:
            label.update(f"Token: expires in {format_countdown(left)}")
        else:
            label.update(
                "Token: expired. Calling now shows the gateway's answer to that; "
                "ctrl+g gets a new one."
            )
        label.set_class(left <= 0, "-expired")

    # -- calling ------------------------------------------------------------------------------
    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.token is None:
            self.notify("No token yet: press ctrl+g to get one.", severity="warning")
            return
        self.send()

    @work(exclusive=True, group="call", exit_on_error=False, description="Calling the API")
    async def send(self) -> None:
        token = self.token
        if token is None:
            return
        async with self.operation("Calling your API with the token…", retry=self.send) as op:
            call = await self.services.probe.call(self.session.api_url, token.access_token)
        if op.failed:
            return
        self.show_result(call)

    def show_result(self, call: ApiCall) -> None:
        verdict = explain(call)
        self.query_one("#exchange", ExchangeView).show_call(call)
        self.query_one("#verdict", VerdictView).show_verdict(verdict)
        done = self.query_one("#done", Static)
        self.call_after_refresh(done.scroll_visible, animate=False)
        if verdict.ok:
            done.update(
                "✓ Done: you protected an API with the client-credentials flow and "
                "called it as a consumer. Press ctrl+n to clean up."
            )
            done.add_class("-shown")
            done.remove_class("-hint")
            self.session.mark_done(self.STEP_ID)
            self.host.save_session()
            self.refresh_chrome()
            self.ready = True
            return
        done.remove_class("-shown")
        if verdict.kind in NEW_TOKEN_KINDS:
            done.update("Press ctrl+g to get a new token, then call again.")
            done.add_class("-shown", "-hint")

    def action_new_token(self) -> None:
        self.host.go_back(self)
