"""Every step usable in an 80×24 terminal: Quit in the footer, the editor wide enough to
edit, the login code never under a toast.

The step list collapses under 100 columns (tested in test_base); these tests pin what a
learner at 80×24 needs beyond that.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import TextArea

from screens.login import LoginStep
from screens.review import ReviewStep
from screens.steps import screen_for
from screens.summary import SummaryScreen
from tests.screens.consumer_kit import settle
from tests.screens.harness import StepHarness
from tests.screens.step_kit import sandbox_target
from tests.waiting import until
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.steps import STEP_IDS

SMALL = (80, 24)


def footer_key(app: Any, action: str) -> Any:
    keys = [key for key in app.screen.query("FooterKey") if getattr(key, "action", "") == action]
    assert len(keys) == 1, f"{action} is not in the footer once: {keys}"
    return keys[0]


def whole_on_screen(app: Any, widget: Any) -> bool:
    region = widget.region
    return region.area > 0 and app.screen.region.contains_region(region)


@pytest.mark.parametrize("step_id", [*STEP_IDS, "summary"])
async def test_quit_stays_in_the_footer_at_80x24(step_id: str, session, sandbox, tmp_path) -> None:
    step = SummaryScreen if step_id == "summary" else screen_for(step_id)
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(step, session, services, target=sandbox_target(sandbox), workspace=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await until(pilot, lambda: app.screen.query("FooterKey"), "the footer's keys")
        # The footer is recomposed when a step's keys change: wait for the keys to be laid out.
        await until(pilot, lambda: whole_on_screen(app, footer_key(app, "quit")), "Quit on screen")
        assert "Quit" in str(footer_key(app, "quit").render())


async def test_review_keeps_the_editor_wide_and_the_notes_in_view_at_80x24(
    with_file, session, sandbox, tmp_path
) -> None:
    services, _, _ = with_file
    app = StepHarness(
        ReviewStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        editor = screen.query_one("#yaml", TextArea)
        assert editor.size.width >= 70  # was 18 with the step list beside it, 46 without
        assert whole_on_screen(app, editor)
        assert whole_on_screen(app, screen.query_one("#review-side"))
        # The notes follow the cursor and say whether the file is fine.
        assert whole_on_screen(app, screen.query_one("#field-help"))
        assert "No problems" in str(screen.query_one("#problems").content)


@pytest.mark.parametrize("size", [SMALL, (100, 30)], ids=["80x24", "100x30"])
async def test_no_toast_covers_the_login_code(size, session, sandbox, tmp_path) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(
        LoginStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        app.screen.query_one("#start-device").press()
        await until(pilot, lambda: app.screen.challenge is not None, "a device code")
        # Starting the login copies the code and says so in a toast (a long warning when no
        # clipboard is found, as here).
        await until(pilot, lambda: list(app.screen.query("Toast")), "the copy toast")
        await pilot.pause()
        code = app.screen.query_one("#user-code")
        url = app.screen.query_one("#verify-url")
        assert whole_on_screen(app, code)
        for toast in app.screen.query("Toast"):
            assert not toast.region.overlaps(code.region), (toast.region, code.region)
            assert not toast.region.overlaps(url.region), (toast.region, url.region)
