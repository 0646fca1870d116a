"""The step base class, the registry, help, palette and resume re-check."""

from __future__ import annotations

import asyncio

import pytest
from textual import work
from textual.widgets import Static

from screens.base import WizardStep
from screens.steps import screen_for
from tests.screens.harness import StepHarness
from tests.screens.step_kit import sandbox_target
from tests.waiting import until
from tui.resume import recheck
from tui.services.errors import WizardError
from tui.services.session import Session
from tui.steps import STEP_IDS


class DemoStep(WizardStep):
    STEP_ID = "gateway"
    HELP = "Demo help text."
    KEY_TERMS = (("Term", "meaning"),)
    attempts = 0

    def compose_body(self):
        yield Static("", id="out")

    @work(exclusive=True, group="gateway", exit_on_error=False)
    async def flaky(self) -> None:
        async with self.operation("Trying…", retry=self.flaky) as op:
            DemoStep.attempts += 1
            await asyncio.sleep(0)
            if DemoStep.attempts == 1:
                raise WizardError("It failed", why="a reason", fix="a fix")
        if not op.failed:
            self.query_one("#out", Static).update("worked")
            self.ready = True

    @work(exclusive=True, group="gateway", exit_on_error=False)
    async def buggy(self) -> None:
        raise ValueError("a bug")


async def test_next_is_greyed_until_ready_and_retry_only_after_an_error():
    DemoStep.attempts = 0
    app = StepHarness(DemoStep, Session(gateway_id="gw-abc12"), None)
    async with app.run_test(size=(100, 30)) as pilot:
        step = app.step
        assert step.check_action("next", ()) is None  # shown greyed out
        assert step.check_action("retry", ()) is False  # hidden
        await pilot.press("ctrl+n")
        assert app.completed == []
        step.flaky()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(step.query_one("#error-text").content)
        assert "It failed" in text and "Why: a reason" in text and "Fix: a fix" in text
        assert step.check_action("retry", ()) is True
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(step.query_one("#out").content) == "worked"
        assert not step.query_one("#step-error").shown
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["gateway"]


async def test_an_unexpected_exception_is_shown_not_crashing():
    app = StepHarness(DemoStep, Session(), None)
    async with app.run_test(size=(100, 30)) as pilot:
        app.step.buggy()
        await until(pilot, lambda: str(app.step.query_one("#error-text").content), "the error")
        text = str(app.step.query_one("#error-text").content)
        assert "unexpected problem: ValueError" in text and "a bug" in text
        assert app.is_running


async def test_f1_help_has_what_terms_and_the_real_command():
    session = Session(gateway_display_name="Team Gateway")
    app = StepHarness(DemoStep, session, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        markdown = app.screen.markdown
        assert "Demo help text." in markdown and "**Term**: meaning" in markdown
        assert "gwa gateway create --display-name 'Team Gateway'" in markdown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DemoStep)


@pytest.mark.parametrize("step_id", STEP_IDS[:7])
def test_every_provider_step_has_help_and_terms(step_id):
    cls = screen_for(step_id)
    assert step_id == cls.STEP_ID
    assert len(cls.HELP.split()) > 60 and len(cls.KEY_TERMS) >= 3


async def test_resume_unmarks_a_deleted_gateway(logged_in, sandbox):
    services, user = logged_in
    gateway = await services.gateways.create(f"{user} gone")
    session = Session(
        target_kind="sandbox",
        host=sandbox.info.portal_host,
        username=user,
        gateway_id=gateway.gateway_id,
        current_step="status",
        steps_done=["target", "login", "gateway", "template", "review", "apply"],
    )
    await services.gateways.destroy(gateway.gateway_id, force=True)
    report = await recheck(session, services)
    assert report.step == "gateway"
    assert session.steps_done == ["target", "login"]
    assert any("no longer exists" in n for n in report.notices)


async def test_resume_keeps_what_is_still_true(logged_in, sandbox):
    services, user = logged_in
    gateway = await services.gateways.create(f"{user} kept")
    session = Session(
        target_kind="sandbox",
        username=user,
        gateway_id=gateway.gateway_id,
        current_step="template",
        steps_done=["target", "login", "gateway"],
    )
    report = await recheck(session, services)
    assert report.step == "template" and report.notices == []
    assert session.steps_done == ["target", "login", "gateway"]


async def test_a_login_that_no_longer_works_leaves_no_user_in_the_header(services, sandbox):
    # services has no login at all: as after a relaunch with tokens kept in memory only.
    session = Session(
        target_kind="sandbox", username="someone-earlier", steps_done=["target", "login"]
    )
    report = await recheck(session, services)
    assert "login" not in session.steps_done and session.username == ""
    assert any("Login step is to do again" in n for n in report.notices)
    app = StepHarness(DemoStep, session, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        header = str(app.step.query_one("#wizard-header").content)
        assert "someone-earlier" not in header and "User: —" in header


async def test_palette_lists_reachable_steps_only(services, sandbox):
    from tui.palette import WizardCommands

    session = Session(steps_done=["target", "login"])

    class PaletteHarness(StepHarness):
        def can_goto(self, step_id: str) -> bool:
            return step_id in ("target", "login", "gateway")

    app = PaletteHarness(DemoStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        provider = WizardCommands(app.screen)
        titles = [title for title, _, _ in provider._commands()]
        assert "Go to step: Gateway" in titles and "Go to step: Template" not in titles
        assert "Help for this step" in titles
        await pilot.pause()


def test_help_keeps_placeholders_and_wraps_long_commands() -> None:
    from tui.widgets.step_help import help_markdown, wrap_command

    command = (
        "gwa generate-config --template client-credentials-shared-idp --service <MYSERVICE> "
        '--upstream https://httpbin.org --out "my file.yaml"'
    )
    text = help_markdown("Step", "Call https://<MYSERVICE>.api.gov.bc.ca", [("T", "<id>")], command)
    assert "https://\\<MYSERVICE\\>.api.gov.bc.ca" in text and "\\<id\\>" in text
    assert "  --service <MYSERVICE> \\\n" in text  # inside the fence, as written
    wrapped = wrap_command(command)
    assert all(len(line) <= 60 for line in wrapped.splitlines())
    assert wrapped.replace(" \\\n  ", " ") == command  # still the same command
    assert wrap_command('curl -H "x --y" http://a') == 'curl -H "x --y" http://a'  # short
    long_quoted = "echo 'a --b " + "x" * 60 + "'"
    assert wrap_command(long_quoted) == long_quoted  # never split inside quotes


async def test_help_shows_placeholders_and_says_how_to_close(tmp_path) -> None:
    from textual.app import App

    from screens.modals import HelpModal
    from tui.widgets.step_help import help_markdown

    markdown = help_markdown("Step", "Use <MYSERVICE> here", [], "gwa status --hosts")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(HelpModal(markdown))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = str(app.screen.query_one("#help-keys").content)
        assert "Esc or F1 closes this help" in keys
        panel = app.screen.query_one("#help-text")
        rendered = " ".join(str(w.render()) for w in panel.query("*"))
        assert "<MYSERVICE>" in rendered
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpModal)


async def test_command_box_shows_brackets_as_written() -> None:
    from textual.app import App, ComposeResult

    from tui.widgets import CommandBox

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield CommandBox("echo '[bold]x[/bold]' <MYSERVICE>", id="box")

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.query_one("#box").render())
        assert "[bold]x[/bold]" in text and "<MYSERVICE>" in text


async def test_the_sidebar_collapses_at_80_columns_and_returns_at_100(session, services) -> None:
    from screens.gateway import GatewayStep
    from tests.screens.harness import StepHarness

    app = StepHarness(GatewayStep, session, services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.step.query_one("#wizard-sidebar").display
        assert "Step 3 of 12" in str(app.step.query_one("#step-title").content)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert app.step.query_one("#wizard-sidebar").display
