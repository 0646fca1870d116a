"""'Keep my login in an owner-only file' is honoured on the next launch: no second login."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.e2e.flow_kit import next_step, on_step, options_in, wait_for
from tui.app import WizardApp


async def test_owner_only_file_chosen_once_keeps_the_login_next_launch(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: on_step(app, "target"), "the Target step")
        await next_step(pilot, app, "target", "login")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.challenge is not None, "the user code")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.screen.ready, "the login")
        await pilot.click("#use-file")  # no keyring here: the learner chooses the file
        await wait_for(pilot, lambda: app.services.secrets.backend == "file", "the file")
        await next_step(pilot, app, "login", "gateway")
        user = app.session.username
    path = options.resolved_secrets_file
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600

    again = WizardApp(options)
    async with again.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: again.ready_event.is_set(), "the resumed step")
        assert on_step(again, "gateway")  # the login was read back from the file
        assert "login" in again.session.steps_done
        assert not any("Login step is to do again" in n.message for n in again._notifications)
        assert again.services.secrets.backend == "file"
        assert await again.services.login.current_user() == user
