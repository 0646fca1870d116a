"""The wizard at 80×24, reached the way a learner reaches each step (Next), keys only."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.flow_kit import drive_to_template, options_in
from tui.app import WizardApp


async def test_a_step_opens_at_its_top_with_the_focused_field_in_view(tmp_path: Path) -> None:
    """At 80×24 the Template step used to open 14 lines down: its explanation and template
    choice above the fold and the focused Service name field hidden under the title, though
    all of it fitted (Textual centred the focus before the step's narrow layout existed)."""
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await drive_to_template(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

        screen = app.screen
        body = screen.query_one("#step-body")
        service = screen.query_one("#service")
        assert app.focused is service
        assert body.scroll_y == 0, "the step opened scrolled down"
        assert screen.can_view_entire(service), "the focused field is not in view"
        assert screen.can_view_entire(screen.query_one("#template-choice")), "the choice is hidden"
