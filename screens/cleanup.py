"""Clean up: revoke the consumer, then destroy the gateway (confirmed), then verify it is gone.

The consumer goes either the tutorial's way, on the portal's Consumers page (the only way on
the live portal; the sandbox serves that page too), after which the wizard checks it is gone,
or over the sandbox's API shortcut.

This module holds the step's layout, keys, CSS and F1 text, and steps 2 and 3 (destroy,
verify, and what is deleted with them). Its layers, one module each: ``cleanup_revoke.py``
(step 1, both ways, and the check) on ``cleanup_inventory.py`` (what exists, the plan)."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.services.secrets import access_token_name, refresh_token_name

from .cleanup_revoke import ConsumerRevoke
from .modals.confirm import ConfirmModal


class CleanupStep(ConsumerRevoke):
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
