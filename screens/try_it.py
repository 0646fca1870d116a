"""Try it: call the API with no token, and see the gateway refuse (the 401 we want)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Static

from tui.services.probe import ApiCall, explain
from tui.widgets import CommandBox
from tui.widgets.exchange import ExchangeView, VerdictView

from .base import WizardStep


class TryItStep(WizardStep):
    STEP_ID = "try_it"
    AUTO_FOCUS = "#send"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "send",
            "Send",
            id="try_it.send",
            tooltip="Call your API with no token, as an anonymous client would",
        ),
    ]
    HELP = """
Your API is now published on the gateway, protected by the **jwt-keycloak** plugin. Before
getting any credentials, call it the way a stranger would: a plain `GET` with no token.

The request travels **client → gateway → route (matched by host, path and method) → the
route's plugins → upstream**. The plugin looks for a Bearer token (in the `Authorization`
header, a `?jwt=` query parameter or a cookie). It finds none, so it answers
**401 `{"message":"Unauthorized"}`** itself and never forwards the request to your upstream.

That refusal is the success of this step: it proves that anonymous callers are kept out.
Many learners read a 401 as a failure; here it is the opposite.

Other answers mean something else is wrong: a **404 `no Route matched with those values`**
means the gateway has no route for that host (use the host Status showed you, with `-dev`);
**502/503/504** mean the upstream behind the gateway is broken, not the authentication; a
DNS or connection error means the request never reached the gateway at all.
"""
    KEY_TERMS = (
        ("Route", "how the gateway matches a request (host, path, method) to a service"),
        ("jwt-keycloak", "the gateway plugin that demands and checks a token"),
        ("401 Unauthorized", "no acceptable token: the plugin refused the request"),
        ("Upstream", "your real backend, which only sees requests the gateway let through"),
    )
    DEFAULT_CSS = """
    TryItStep #api-url { height: auto; }
    TryItStep #send { margin: 1 0 0 0; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Call your API as an anonymous client (no token). The gateway should refuse: a 401 "
            "here means your API is protected.",
            classes="lead",
        )
        yield Static("", id="api-url")
        yield CommandBox("", id="command")
        yield Button("Send the request (ctrl+s)", id="send", variant="primary")
        yield ExchangeView(id="exchange")
        yield VerdictView(id="verdict")

    def on_mount(self) -> None:
        url = self.session.api_url
        label = self.query_one("#api-url", Static)
        if url:
            label.update(f"API URL (from Status): {url}")
        else:
            label.update("No API URL yet: finish the Status step first.")
            self.query_one("#send", Button).disabled = True
        self.query_one("#command", CommandBox).show(self.equivalent_command() if url else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send":
            return True if self.session.api_url else None
        return super().check_action(action, parameters)

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.session.api_url:
            self.send()

    @work(exclusive=True, group="try_it", exit_on_error=False, description="Calling the API")
    async def send(self) -> None:
        async with self.operation("Calling your API without a token…", retry=self.send) as op:
            call = await self.services.probe.call(self.session.api_url)
        if op.failed:
            return
        self.show_result(call)

    def show_result(self, call: ApiCall) -> None:
        verdict = explain(call)
        self.query_one("#exchange", ExchangeView).show_call(call)
        self.query_one("#verdict", VerdictView).show_verdict(verdict)
        self.query_one("#verdict").scroll_visible(animate=False)
        self.ready = verdict.ok
