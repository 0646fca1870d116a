"""Gateway: create one (display name checked as the portal does) or pick one of yours."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from tui.services.gateway import Gateway, default_display_name, display_name_problem
from tui.services.session import Session
from tui.widgets import MarkedRadioButton, TextField

from .base import WizardStep


class GatewayStep(WizardStep):
    STEP_ID = "gateway"
    AUTO_FOCUS = "#display-name"
    HELP = """
A **gateway** is your own space in APS: think of it as a project. Everything you publish
later (services, the credential issuer, the product) belongs to one gateway, and only people
you grant access to it can change them.

The portal gives every gateway a generated **gateway ID** such as `gw-1a2b3`. That ID is what
the tools use; the **display name** is just a label for people (3 to 30 characters, starting
with a letter or digit). If you leave the name as suggested you get `<your name>'s Gateway`,
as the portal would name it.

Creating the gateway makes it the **current** one, so every later step uses it. In the YAML
you will see tags like `ns.gw-1a2b3`: they tie each object to this gateway, and the portal
refuses objects whose tag names another gateway.

If you already created a gateway (for example in an earlier session), pick it instead of
making another one: several half-used gateways are a common source of confusion.
"""
    KEY_TERMS = (
        ("Gateway", "your project or tenant in APS; owns services, issuers and products"),
        ("Gateway ID", "the generated id (gw-xxxxx) the tools use"),
        ("Display name", "a label for people, 3-30 characters"),
        ("Current gateway", "the one later commands act on (gwa config set gateway)"),
    )
    DEFAULT_CSS = """
    GatewayStep #create-box, GatewayStep #pick-box { height: auto; }
    GatewayStep #gateway-list { height: auto; max-height: 10; }
    GatewayStep #create { margin-top: 1; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.gateway_id = session.gateway_id
        self.display_name = session.gateway_display_name
        self.picked_existing = session.gateway_picked
        self.created_name: str | None = None  # the display name this screen last created

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Create the gateway that will hold your API, or pick one you already have.",
            classes="lead",
        )
        with RadioSet(id="gateway-mode"):
            yield MarkedRadioButton("Create a new gateway", id="mode-create", value=True)
            yield MarkedRadioButton("Use one of my gateways", id="mode-pick")
        with Vertical(id="create-box"):
            yield Static("Display name", classes="field-label")
            yield TextField(default_display_name(self.session.username or "My"), id="display-name")
            yield Static("", id="name-message", classes="field-message")
            yield Button("Create the gateway", id="create", variant="primary")
        with Vertical(id="pick-box"):
            yield OptionList(id="gateway-list")
            yield Static("", id="pick-message", classes="field-message")
        yield Static("", id="gateway-result", classes="result")

    def on_mount(self) -> None:
        self.query_one("#pick-box").display = False
        result = self.query_one("#gateway-result", Static)
        if self.gateway_id and "gateway" in self.session.steps_done:
            result.update(
                f"Current gateway: {self.gateway_id} ({self.display_name}). Press "
                "ctrl+n to keep it, or create or pick another."
            )
            self.ready = True
        else:
            result.display = False
        self._validate()

    @property
    def mode(self) -> str:
        pressed = self.query_one("#gateway-mode", RadioSet).pressed_button
        return "pick" if pressed is not None and pressed.id == "mode-pick" else "create"

    @on(RadioSet.Changed, "#gateway-mode")
    def mode_changed(self) -> None:
        self.clear_error()
        pick = self.mode == "pick"
        self.query_one("#create-box").display = not pick
        self.query_one("#pick-box").display = pick
        if pick:
            self.load_gateways()

    # -- create -----------------------------------------------------------------------------
    @on(Input.Changed, "#display-name")
    def _validate(self) -> bool:
        field = self.query_one("#display-name", Input)
        message = self.query_one("#name-message", Static)
        problem = display_name_problem(field.value.strip())
        message.update(problem or "✓ The portal accepts this name.")
        message.set_class(bool(problem), "-error")
        message.set_class(not problem, "-ok")
        field.set_class(bool(problem), "-error")
        busy = self.intents.running("gateway.create")
        self.query_one("#create", Button).disabled = bool(problem) or busy
        return problem is None

    @on(Input.Submitted, "#display-name")
    @on(Button.Pressed, "#create")
    def create_pressed(self) -> None:
        if self.intents.running("gateway.create"):
            self.notify("The gateway is being created; one moment.")
            return
        name = self.query_one("#display-name", Input).value.strip()
        if self.created_name is not None and name == self.created_name:
            self.notify(
                f"Gateway {self.gateway_id} was just created with this name. Press ctrl+n to go "
                "on, or change the name to create another one.",
                severity="warning",
            )
            return
        # Claimed before the worker starts: a second Enter is ignored (one create per intent).
        if self._validate() and self.intents.claim("gateway.create", "#create"):
            self.create()

    @work(exclusive=True, group="gateway", exit_on_error=False, description="Creating the gateway")
    async def create(self) -> None:
        name = self.query_one("#display-name", Input).value.strip()
        try:
            async with (
                self.intents.hold("gateway.create", "#create"),
                self.operation(f"Creating the gateway {name!r}…", retry=self.create) as op,
            ):
                gateways, found = self.services.gateways, None
                pending = self.session.pending_gateway_create
                if pending.get("name") == name:
                    # An earlier attempt got no answer: it may have made the gateway all the same.
                    found = await gateways.made_since(frozenset(pending["ids_before"]), name)
                else:
                    if pending:  # one under another name got no answer: Clean up must know it
                        orphan = await gateways.made_since(
                            frozenset(pending["ids_before"]), pending["name"]
                        )
                        if orphan is not None:
                            self._adopt_orphan(orphan)
                    ids = await gateways.ids()
                    self.session.pending_gateway_create = {"name": name, "ids_before": sorted(ids)}
                    self.host.save_session()  # a quit while the create is under way keeps it
                gateway = found or await gateways.create(name)
        finally:
            self._validate()  # disables the button again when the name is not fine
        if op.failed:
            return
        self.session.pending_gateway_create = {}
        self.session.created_gateways.append(gateway.gateway_id)
        self.created_name = name
        self.picked_existing = False
        lost = " (by the earlier attempt whose answer was lost; not made twice)" if found else ""
        self._use(
            gateway.gateway_id,
            gateway.display_name or name,
            f"Gateway created{lost}. Gateway ID: {gateway.gateway_id}, display name: "
            f"{gateway.display_name or name}",
        )
        # The gateway exists now: record it at once, so quitting before Next cannot lose it.
        await self.commit()
        self.session.mark_done("gateway")
        self.host.save_session()
        self.refresh_chrome()

    def _adopt_orphan(self, orphan: Gateway) -> None:
        """A gateway an earlier create made, under a name since changed, whose answer was
        lost: recorded as made in this session, so that Clean up offers to destroy it."""
        if orphan.gateway_id not in self.session.created_gateways:
            self.session.created_gateways.append(orphan.gateway_id)
        self.notify(
            f"An earlier create of {orphan.display_name!r}, whose answer was lost, made "
            f"gateway {orphan.gateway_id}. Clean up will offer to destroy it too.",
            severity="warning",
            timeout=12,
        )

    # -- pick -------------------------------------------------------------------------------
    @work(exclusive=True, group="gateway", exit_on_error=False, description="Listing gateways")
    async def load_gateways(self) -> None:
        options = self.query_one("#gateway-list", OptionList)
        async with self.operation("Listing your gateways…", retry=self.load_gateways) as op:
            gateways = await self.services.gateways.list()
        if op.failed:
            return
        options.clear_options()
        message = self.query_one("#pick-message", Static)
        if not gateways:
            message.update("You have no gateways yet: create one instead.")
            return
        message.update("Choose one with the arrow keys and Enter.")
        options.add_options(
            Option(f"{g.gateway_id}  {g.display_name}", id=g.gateway_id) for g in gateways
        )
        self._names = {g.gateway_id: g.display_name for g in gateways}
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#gateway-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        gateway_id = event.option.id or ""
        name = getattr(self, "_names", {}).get(gateway_id, "")
        self.picked_existing = True
        self._use(gateway_id, name, f"Using gateway {gateway_id} ({name}).")

    def _use(self, gateway_id: str, name: str, text: str) -> None:
        self.gateway_id, self.display_name = gateway_id, name
        result = self.query_one("#gateway-result", Static)
        result.update(f"✓ {text}")
        result.display = True
        self.ready = True
        self.show_command(
            replace(
                self.session,
                gateway_id=gateway_id,
                gateway_display_name=name,
                gateway_picked=self.picked_existing,
            )
        )

    async def commit(self) -> None:
        changed = self.session.gateway_id != self.gateway_id
        self.session.gateway_id = self.gateway_id
        self.session.gateway_display_name = self.display_name
        self.session.gateway_picked = self.picked_existing
        if changed:
            self.session.gateway_destroyed = (
                False  # what was built for another gateway does not apply to this one
            )
            self.session.unmark("template", "review", "apply", "status")
            self.session.published = []
