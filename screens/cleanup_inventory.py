"""The Clean up step's picture of what exists: the inventory read from the portal (consumers,
services, products, the gateway and any extra gateways this session made), the three-line
plan with its ticks, and the closing message.

``CleanupInventory`` is one layer of ``screens/cleanup.py`` ``CleanupStep`` (see
docs/architecture.md, "A step in layers"); its widgets are composed and styled by the step."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.widgets import Static

from tui.services.cleanup import Inventory
from tui.services.errors import WizardError
from tui.services.session import Session

from .base import WizardStep


class CleanupInventory(WizardStep):
    """Fills ``#inventory``, ``#plan`` and ``#result``; knows what is revoked or destroyed."""

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.inventory: Inventory | None = None
        self.revoked = False
        self.destroyed = False

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
