"""Which screen the wizard opens on: the first step's own screen, at once, unless saved
progress on this target has to be re-checked first (the start-up screen then)."""

from __future__ import annotations

from pathlib import Path

from screens.startup import StartupScreen
from screens.steps import screen_for
from tests.e2e.flow_kit import options_in
from tui.app import WizardApp
from tui.options import WizardOptions
from tui.services.session import Session, SessionStore
from tui.services.target import Target
from tui.steps import STEP_IDS


def saved(options: WizardOptions, session: Session) -> None:
    SessionStore(options.resolved_state_dir / "session.json").save(session)


def test_a_first_launch_opens_on_the_first_steps_own_screen(tmp_path: Path) -> None:
    app = WizardApp(options_in(tmp_path))
    screen = app.get_default_screen()
    assert type(screen) is screen_for(STEP_IDS[0])
    assert screen.session is app.session and app.session.target_kind == "sandbox"


def test_saved_progress_on_this_target_opens_the_start_up_screen_to_recheck_it(
    tmp_path: Path,
) -> None:
    options = options_in(tmp_path)
    saved(options, Session(target_kind="sandbox", steps_done=["target", "login"]))
    assert isinstance(WizardApp(options).get_default_screen(), StartupScreen)


def test_progress_saved_on_another_target_or_nothing_done_opens_on_target(
    tmp_path: Path,
) -> None:
    options = options_in(tmp_path)
    saved(options, Session(target_kind="custom", host="10.0.0.5:8460", steps_done=["target"]))
    assert type(WizardApp(options).get_default_screen()) is screen_for("target")
    saved(options, Session(target_kind="sandbox", started_at=1764583200.0))
    app = WizardApp(options)
    assert type(app.get_default_screen()) is screen_for("target")
    assert app.session.started_at == 1764583200.0  # the same run, not a new one


def test_a_host_given_with_dash_dash_host_is_the_target_shown(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    options = WizardOptions(
        host="10.0.0.5:8460",
        scheme="http",
        data_dir=options.data_dir,
        state_dir=options.state_dir,
        workspace=options.workspace,
    )
    app = WizardApp(options)
    assert type(app.get_default_screen()) is screen_for("target")
    assert (app.session.target_kind, app.session.host, app.session.scheme) == (
        "custom",
        "10.0.0.5:8460",
        "http",
    )
    assert app.target == Target("custom", "10.0.0.5:8460", "http")  # no sandbox to wait for


def test_a_host_that_cannot_be_used_opens_the_start_up_screen_which_says_why(
    tmp_path: Path,
) -> None:
    options = options_in(tmp_path)
    bad = WizardOptions(host="https://api.example/x", state_dir=options.state_dir)
    assert isinstance(WizardApp(bad).get_default_screen(), StartupScreen)
