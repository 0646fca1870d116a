"""The Login step on a class sandbox reached with --host: ctrl+l signs in with a name and the
class passcode, and the name stays the learner's when the wizard starts again (same state
dir); another learner's wizard gets the sandbox's refusal with what to do."""

from __future__ import annotations

from pathlib import Path

from screens.login import LoginStep
from tests.classroom.class_kit import PASSCODE
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text
from tests.waiting import until
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target


async def sign_in(server, state_dir: Path, name: str, passcode: str = PASSCODE) -> str:
    """One wizard run: Login step, start, type name and passcode, ctrl+l. What it then shows
    (the result line, or the error panel)."""
    target = Target("custom", server.ctx.portal_hostport, "http")
    services = build_services(target, secrets=SecretStore(), state_dir=state_dir)
    app = StepHarness(LoginStep, Session(), services, target=target, state_dir=state_dir)
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            step = app.step
            await pilot.click("#start-device")
            await until(pilot, lambda: step.challenge is not None, "a device code")
            await until(pilot, lambda: step.query_one("#approve").display, "ctrl+l offered")
            assert step.query_one("#class-passcode").display  # this class asks for one
            step.query_one("#sandbox-user").value = name
            step.query_one("#class-passcode").value = passcode
            await pilot.press("ctrl+l")

            def answered() -> str:
                if step.query_one("#login-result").display:
                    return body_text(app, "#login-result")
                return body_text(app, "#error-text")

            await until(pilot, answered, "the login to finish or fail")
            return answered()
    finally:
        await services.aclose()


async def test_the_login_step_keeps_a_class_name_across_restarts(
    class_sandbox, tmp_path: Path
) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    assert "Successfully logged in as alice" in await sign_in(class_sandbox, mine, "alice")
    assert "Successfully logged in as alice" in await sign_in(class_sandbox, mine, "Alice")

    refused = await sign_in(class_sandbox, theirs, "ALICE ")
    assert "already taken" in refused
    assert "ask your trainer to release it" in refused


async def test_a_wrong_class_passcode_says_to_ask_the_trainer(
    class_sandbox, tmp_path: Path
) -> None:
    shown = await sign_in(class_sandbox, tmp_path / "state", "carl", passcode="nope")
    assert "Type the class passcode your trainer gave you" in shown
