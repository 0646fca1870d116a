"""The blocking error dialog: cause and fix shown, Retry only when retrying can help."""

from __future__ import annotations

from textual.app import App

from screens.modals.error import ErrorModal
from tests.waiting import until
from tui.services.errors import WizardError

ERROR = WizardError("The sandbox did not start", why="port 8460 is in use", fix="stop the other")


class Host(App[None]):
    def __init__(self, can_retry: bool) -> None:
        super().__init__()
        self.can_retry = can_retry
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(ErrorModal(ERROR, can_retry=self.can_retry), self.answers.append)


async def shown(pilot) -> str:
    await until(pilot, lambda: isinstance(pilot.app.screen, ErrorModal), "the error dialog")
    return str(pilot.app.screen.query_one("#error-text").content)


async def test_the_dialog_shows_cause_and_fix_and_retry_answers_true() -> None:
    app = Host(can_retry=True)
    async with app.run_test(size=(100, 30)) as pilot:
        text = await shown(pilot)
        assert "The sandbox did not start" in text
        assert "port 8460 is in use" in text and "stop the other" in text
        assert app.screen.query("#error-retry")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.answers, "the answer")
    assert app.answers == [True]


async def test_escape_closes_with_false() -> None:
    app = Host(can_retry=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.answers, "the answer")
    assert app.answers == [False]


async def test_the_buttons_answer_like_the_keys() -> None:
    for button, answer in (("#error-retry", True), ("#error-close", False)):
        app = Host(can_retry=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await shown(pilot)
            await pilot.click(button)
            await until(pilot, lambda app=app: app.answers, "the answer")
        assert app.answers == [answer]


async def test_without_retry_there_is_no_retry_button_and_ctrl_r_does_nothing() -> None:
    app = Host(can_retry=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        assert not app.screen.query("#error-retry")
        assert app.screen.check_action("retry", ()) is False
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.answers == [] and isinstance(app.screen, ErrorModal)
