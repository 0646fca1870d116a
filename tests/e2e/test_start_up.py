"""The whole app at launch: Target at once while the sandbox boots, and a sandbox that cannot
start explained on the start-up screen, with what to do."""

from __future__ import annotations

from pathlib import Path

from screens.startup import StartupScreen
from screens.target import TargetStep
from tests.e2e.flow_kit import options_in, wait_for
from tui.app import WizardApp


async def test_a_first_launch_shows_target_at_once_and_its_check_when_the_sandbox_serves(
    tmp_path: Path,
) -> None:
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, TargetStep)  # the first screen: no start-up screen
        step = app.screen
        await wait_for(pilot, lambda: step.ready, "the check")
        assert "an APS portal answers at" in str(step.query_one("#target-result").content)
        assert app.target is not None and app.target.host in str(
            step.query_one("#target-result").content
        )
        assert app.session.host == app.target.host  # saved with the sandbox's address


async def test_a_sandbox_that_cannot_start_is_explained_on_the_start_up_screen(
    tmp_path: Path,
) -> None:
    options = options_in(tmp_path)
    data = options.resolved_data_dir
    data.mkdir(parents=True)
    (data / "sandbox.sqlite3").write_bytes(b"not a database " * 200)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StartupScreen), "the start-up screen")
        await wait_for(pilot, lambda: app.screen.query_one("#startup-error").shown, "the reason")
        text = str(app.screen.query_one("#error-text").content)
        assert "The built-in sandbox could not start" in text
        assert "file is not a database" in text and "--data-dir" in text  # why, and a fix
