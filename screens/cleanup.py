"""Clean up: revoke the consumer, then destroy the gateway (confirmed), then verify it is gone.

The consumer goes either the tutorial's way, on the portal's Consumers page (the only way on
the live portal; the sandbox serves that page too), after which the wizard checks it is gone,
or over the sandbox's API shortcut."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.services.cleanup import Inventory, forget_consumer
from tui.services.errors import WizardError
from tui.services.portal_walkthrough import Walkthrough, cleanup_walkthrough
from tui.services.secrets import access_token_name, refresh_token_name
from tui.services.session import Session

from .base import WizardStep
from .browser import open_in_browser
from .modals.confirm import ConfirmModal


class CleanupStep(WizardStep):
    STEP_ID = "cleanup"
    AUTO_FOCUS = "#revoke"
    BINDINGS = [
        Binding(
            "ctrl+e",
            "revoke",
            "Revoke consumer",
            id="cleanup.revoke",
            tooltip="Remove the consumer's access (step 1)",
        ),
        Binding(
            "ctrl+d",
            "destroy",
            "Destroy gateway",
            id="cleanup.destroy",
            tooltip="Destroy the gateway with force, after a confirmation (step 2)",
        ),
        Binding(
            "ctrl+u",
            "portal_path",
            "Consumers page",
            id="cleanup.portal",
            tooltip="Delete the consumer on the portal's Consumers page, as the tutorial does",
        ),
        Binding(
            "ctrl+o",
            "open_portal",
            "Open browser",
            id="cleanup.open",
            show=False,
            tooltip="Open the portal where the Consumers page clicks start (and copy the URL)",
        ),
        Binding(
            "ctrl+k",
            "check",
            "Check revoked",
            id="cleanup.check",
            show=False,
            tooltip="Check that the consumer deleted in the portal no longer gets through",
        ),
        Binding(
            "ctrl+l",
            "reload",
            "Reload",
            id="cleanup.reload",
            show=False,
            tooltip="Read again what exists",
        ),
    ]
    HELP = """
Everything you built lives on: the gateway with its service, route and plugins, the
product, the authorization profile, and the consumer with its credentials. Cleaning up
removes it in the only order the portal accepts.

1. **Revoke the consumer.** A gateway whose products still have a consumer with access
   cannot be deleted, not even with force: the portal answers
   `1 consumer has access to products in this gateway.` The tutorial does it in the portal
   (ctrl+u shows the clicks; there is no API for it on the real portal):
   **Gateways** → your gateway → the **Consumers** card (`/manager/consumers`) → in the
   consumer's row the **…** menu → **Delete Consumer...** → in the dialog
   *Delete <client id> Consumer?* **Yes, Delete**; the page says *Consumer deleted*. The
   wizard then checks it is gone (ctrl+k): no longer listed, its credentials refused a
   token, or the API answering `Unable to find consumer`. The sandbox also offers an API
   shortcut (ctrl+e).
2. **Destroy the gateway** with force (`gwa gateway destroy --force`). Force is needed
   because services are configured; without it the portal refuses with
   `1 service has been configured in this gateway.` Destroy removes the Kong configuration,
   products and issuer (draft datasets stay). It cannot be undone, so first check that the
   **current gateway** is the one you mean (`gwa gateway current`): the confirmation names it.
3. **Verify**: reading the gateway must now fail (403 or 404).

Afterwards, clear the shell variables you exported: `unset CID CSC URL TOKEN`.
"""
    KEY_TERMS = (
        ("Revoke", "remove a consumer's access; its tokens stop working at the gateway"),
        ("Destroy --force", "delete a gateway even though services are configured on it"),
        ("Current gateway", "the gateway later commands act on (gwa gateway current)"),
    )
    DEFAULT_CSS = """
    CleanupStep #inventory, CleanupStep #plan { height: auto; }
    CleanupStep #plan { margin: 1 0 0 0; }
    CleanupStep .button-row { height: auto; margin: 1 0 0 0; }
    CleanupStep .button-row Button { margin-right: 1; }
    CleanupStep #handoff-box { display: none; height: auto; border: round $accent; padding: 0 1; }
    CleanupStep #handoff-box.-shown { display: block; }
    CleanupStep #result { display: none; }
    CleanupStep #result.-shown { display: block; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.inventory: Inventory | None = None
        self.revoked = False
        self.destroyed = False

    @property
    def on_sandbox(self) -> bool:
        return getattr(self.services.target, "kind", "") == "sandbox"

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Remove what you built, in the only order that works: first the consumer's access, "
            "then the gateway with everything in it.",
            classes="lead",
        )
        yield Static("Reading what exists…", id="inventory")
        yield Static("", id="plan")
        if self.on_sandbox:
            # Two ways to revoke on one row, destroy on the next: one row would not fit.
            with Horizontal(id="buttons", classes="button-row"):
                yield Button(
                    "1. On the Consumers page (recommended) (ctrl+u)",
                    id="portal-path",
                    variant="primary",
                )
                yield Button("or by API (ctrl+e)", id="revoke")
            with Horizontal(id="buttons-destroy", classes="button-row"):
                yield Button("2. Destroy the gateway (ctrl+d)", id="destroy", variant="error")
        else:
            with Horizontal(id="buttons", classes="button-row"):
                yield Button("1. Revoke the consumer (ctrl+e)", id="revoke", variant="primary")
                yield Button("2. Destroy the gateway (ctrl+d)", id="destroy", variant="error")
        with Vertical(id="handoff-box"):
            yield Static("", id="handoff-text")
            with Horizontal():
                yield Button("Open the portal (ctrl+o)", id="open-portal")
                yield Button("I deleted it: check (ctrl+k)", id="check")
        yield Static("", id="result", classes="result")

    def on_mount(self) -> None:
        self.reload()

    # -- what exists --------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.reload()

    @work(exclusive=True, group="cleanup-read", exit_on_error=False, description="Reading")
    async def reload(self) -> None:
        async with self.operation("Reading what exists…", retry=self.reload) as op:
            inv = await self.services.cleanup.inventory(self.session.gateway_id, self.session)
        if op.failed:
            return
        self.show_inventory(inv)

    def show_inventory(self, inv: Inventory) -> None:
        self.inventory = inv
        if not inv.consumers:
            self.revoked = True
        lines = ["What exists now (read from the portal):"]
        source = "" if inv.consumers_listed else " (from this session)"
        lines.append(f"  Consumers  {', '.join(inv.consumers) or 'none'}{source}")
        if inv.gateway_exists:
            lines.append(f"  Services   {', '.join(inv.services) or 'none'}")
            lines.append(f"  Products   {', '.join(inv.products) or 'none'}")
            lines.append(
                f"  Gateway    {inv.gateway_id} ({inv.display_name}): the current "
                "gateway, as gwa gateway current shows"
            )
        else:
            lines.append(f"  Gateway    {inv.gateway_id or '—'}: gone")
        if inv.extra_gateways:
            lines.append(
                f"  Also made in this session: {', '.join(inv.extra_gateways)} "
                "(destroyed with your gateway at step 2)"
            )
        self.query_one("#inventory", Static).update("\n".join(lines))
        if inv.empty and not self.destroyed:
            self.destroyed = True
            self.finish(f"Nothing left to clean up: gateway {inv.gateway_id} does not exist.")
        self.render_plan()

    def render_plan(self) -> None:
        def mark(done: bool) -> str:
            return "✓" if done else "·"

        self.query_one("#plan", Static).update(
            f"{mark(self.revoked)} 1. Revoke the consumer's access\n"
            f"{mark(self.destroyed)} 2. Destroy the gateway with force (confirmation first)\n"
            f"{mark(self.destroyed)} 3. Verify that the gateway is gone"
        )

    # -- 1. revoke ----------------------------------------------------------------------------
    @on(Button.Pressed, "#revoke")
    def action_revoke(self) -> None:
        if self.intents.claim("cleanup.revoke", "#revoke", notice="Revoking; one moment."):
            self.revoke()

    @work(exclusive=True, group="cleanup", exit_on_error=False, description="Revoking")
    async def revoke(self) -> None:
        inv = self.inventory
        consumers = list(inv.consumers) if inv else []
        if not consumers:
            self.notify("No consumer to revoke.")
            return
        handoff: WizardError | None = None
        async with (
            self.intents.hold("cleanup.revoke", "#revoke"),
            self.operation("Revoking the consumer's access…", retry=self.revoke) as op,
        ):
            handoff = await self.services.cleanup.revoke_consumers(
                self.session.gateway_id, consumers
            )
        if op.failed:
            return
        if handoff is not None:
            self.show_handoff(handoff)
            return
        await self.consumer_gone("Consumer access revoked over the API.")

    async def consumer_gone(self, message: str) -> None:
        services = self.services
        await forget_consumer(self.session, services.credentials, services.secrets, services.tokens)
        self.host.save_session()
        self.revoked = True
        self.query_one("#handoff-box").remove_class("-shown")
        self.notify(f"{message} Next: destroy the gateway (ctrl+d).")
        self.reload()

    def walkthrough(self) -> Walkthrough:
        s = self.session
        return cleanup_walkthrough(
            self.services.target,
            gateway_id=s.gateway_id,
            gateway_name=s.gateway_display_name,
            client_id=self.walkthrough_client_id(),
            username=s.username,
        )

    @on(Button.Pressed, "#portal-path")
    def action_portal_path(self) -> None:
        if self.revoked:
            self.notify("No consumer to delete.")
            return
        self.show_handoff(None)

    def show_handoff(self, error: WizardError | None) -> None:
        why = (
            f"{error.what}. {error.why}"
            if error is not None
            else "The tutorial's way, and the only one on the live portal: delete the consumer "
            "on the portal's Consumers page."
        )
        self.query_one("#handoff-text", Static).update(f"{why}\n{self.walkthrough().numbered()}")
        self.query_one("#handoff-box").add_class("-shown")

    @on(Button.Pressed, "#open-portal")
    async def action_open_portal(self) -> None:
        url = self.walkthrough().start_url
        await self.copy_text(url, "The portal URL")
        opened = await open_in_browser(self.app, url)
        self.notify(
            f"Opened {url}." if opened else f"Open {url} in your browser.",
            severity="information" if opened else "warning",
        )

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        if self.intents.claim("cleanup.check", "#check", notice="Checking; one moment."):
            self.check()

    @work(exclusive=True, group="cleanup", exit_on_error=False, description="Checking")
    async def check(self) -> None:
        services = self.services
        async with (
            self.intents.hold("cleanup.check", "#check"),
            self.operation("Checking that the consumer is gone…", retry=self.check) as op,
        ):
            evidence = await services.cleanup.confirm_revoked(
                self.session,
                services.credentials,
                services.secrets,
                client_id=self.walkthrough_client_id(),
            )
        if op.failed:
            return
        await self.consumer_gone(f"Revoked: {evidence}")

    def walkthrough_client_id(self) -> str:
        inv = self.inventory
        return (inv.consumers[0] if inv and inv.consumers else "") or self.session.client_id

    # -- 2. destroy and 3. verify ---------------------------------------------------------------
    @on(Button.Pressed, "#destroy")
    def action_destroy(self) -> None:
        inv = self.inventory
        gw = self.session.gateway_id
        # The claim covers the question too: ctrl+d twice asks once and destroys once.
        if not self.intents.claim(
            "cleanup.destroy", "#destroy", notice="The gateway is being destroyed; one moment."
        ):
            return
        if (inv is not None and inv.empty) or self.destroyed:
            self.intents.release("cleanup.destroy")
            self.notify("The gateway is already gone.")
            return
        display = inv.display_name if inv else self.session.gateway_display_name
        extras = inv.extra_gateways if inv else ()
        question = (
            f"Destroy gateway {gw} ({display})?\n\n"
            "This is gwa gateway destroy --force. It removes the gateway's services, routes, "
            "plugins, products and authorization profile, and cannot be undone.\n\n"
            "Current gateway (gwa gateway current):\n"
            f"  Display Name  {display}\n"
            f"  Gateway ID    {gw}"
        ) + (f"\n\nAlso made in this session, destroyed too: {', '.join(extras)}" if extras else "")
        self.app.push_screen(
            ConfirmModal(question, yes="Destroy (y)", no="Keep it (esc)"), callback=self._confirmed
        )

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.destroy()
        else:
            self.intents.release("cleanup.destroy")
            self.notify("Nothing was destroyed.")

    @work(exclusive=True, group="cleanup", exit_on_error=False, description="Destroying")
    async def destroy(self) -> None:
        gw = self.session.gateway_id
        extras = self.inventory.extra_gateways if self.inventory else ()
        async with (
            self.intents.hold("cleanup.destroy", "#destroy"),
            self.operation(f"Destroying {gw} with force…", retry=self.destroy) as op,
        ):
            await self.services.cleanup.destroy_extras(extras)
            if self.inventory is None or self.inventory.gateway_exists:
                await self.services.cleanup.destroy_and_verify(gw)
        if op.failed:
            await self._refresh_after_failure()
            return
        self.destroyed = True
        self.session.gateway_destroyed = True
        self.refresh_chrome()  # the header no longer shows it as the current gateway
        cleared = self.clear_saved_session()
        removed = await self.clear_secrets_file()
        also = f"(and {', '.join(extras)}) " if extras else ""
        self.finish(
            f"✓ Gateway {gw} {also}destroyed and verified gone (reading it now answers 403/404). "
            + ("Your saved progress was cleared: the next run starts afresh. " if cleared else "")
            + (f"The owner-only secrets file {removed} was deleted. " if removed else "")
            + "In your shell: unset CID CSC URL TOKEN. Press ctrl+n for the summary."
        )
        self.reload()

    def clear_saved_session(self) -> bool:
        """Delete the saved progress (what was built no longer exists); this run keeps it in
        memory for the summary and the export."""
        return self.host.retire_session()

    async def clear_secrets_file(self) -> str:
        """Delete the owner-only secrets file, if the learner chose one: its tokens and the
        revoked client secret must not outlive the clean-up. This run's login stays in memory.
        Returns the path deleted ("" when there was no file)."""
        host = self.session.host
        keep = (access_token_name(host), refresh_token_name(host))
        try:
            removed = await asyncio.to_thread(self.services.secrets.forget_file, keep=keep)
        except OSError as exc:
            self.notify(f"Could not delete the secrets file: {exc}", severity="error")
            return ""
        return str(removed) if removed else ""

    async def _refresh_after_failure(self) -> None:
        try:
            inv = await self.services.cleanup.inventory(self.session.gateway_id, self.session)
        except WizardError:
            return
        self.inventory = inv
        self.revoked = not inv.consumers
        self.render_plan()

    def finish(self, text: str) -> None:
        result = self.query_one("#result", Static)
        result.update(text)
        result.add_class("-shown")
        self.render_plan()
        self.ready = True
