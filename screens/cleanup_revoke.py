"""The Clean up step's first part: revoking the consumer, over the API shortcut or the
tutorial's way on the portal's Consumers page (the walk-through), then checking that the
consumer deleted there is gone (no longer listed, its credentials refused a token).

``ConsumerRevoke`` is one layer of ``screens/cleanup.py`` ``CleanupStep`` (see
docs/architecture.md, "A step in layers"); its widgets are composed, styled and bound to
keys by the step."""

from __future__ import annotations

from textual import on, work
from textual.widgets import Button, Static

from tui.services.cleanup import forget_consumer
from tui.services.errors import WizardError
from tui.services.portal_walkthrough import Walkthrough, cleanup_walkthrough

from .browser import open_in_browser
from .cleanup_inventory import CleanupInventory


class ConsumerRevoke(CleanupInventory):
    """Step 1 of the plan; shows ``#handoff-box`` for the portal's way."""

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
