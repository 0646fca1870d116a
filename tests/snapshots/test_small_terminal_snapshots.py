"""SVG snapshots of every step at 80×24, the smallest terminal the wizard promises to work in.

One snapshot per step (plus the Credentials paste-back and the Summary), in the state a
learner spends most time looking at. The setups are the 100×30 ones
(``test_provider_snapshots``: real sandbox, masked; ``test_consumer_snapshots``: a fixed
backend, frozen clock). At this size the step list is collapsed, so the step's own widgets
get the full width. Review changes with ``snapshot_report.html`` before ``--snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from screens.apply import ApplyStep
from screens.call import CallStep
from screens.cleanup import CleanupStep
from screens.credentials import CredentialsStep
from screens.gateway import GatewayStep
from screens.login import LoginStep
from screens.modals import QuizModal
from screens.review import ReviewStep
from screens.status import StatusStep
from screens.summary import SummaryScreen
from screens.target import TargetStep
from screens.template import TemplateStep
from screens.token import TokenStep
from screens.try_it import TryItStep
from tests.screens.harness import StepHarness
from tests.snapshots import test_consumer_snapshots as consumer
from tests.snapshots import test_provider_snapshots as provider
from tests.waiting import until
from tui.lessons import quiz
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config

SMALL = (80, 24)

# The fixtures that make the 100×30 screenshots steady (no cursor blink, no clipboard, a
# frozen clock) apply here too.
steady = provider.steady
frozen = consumer.frozen


# -- provider half (real sandbox) -------------------------------------------------------------


def test_target_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    assert provider.shoot(snap_compare, fresh_sandbox, tmp_path, TargetStep, Session(), size=SMALL)


def test_login_code_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    session = Session(target_kind="sandbox", host=fresh_sandbox.info.portal_host)
    target = Target.sandbox(fresh_sandbox.info.portal_host)
    services = build_services(target, secrets=SecretStore())
    app = StepHarness(LoginStep, session, services, target=target, workspace=tmp_path)
    masker = provider.Masker(tmp_path, fresh_sandbox)

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.challenge is not None, "a device code")
        pilot.app.screen.query_one("#sandbox-user").value = provider.USER
        for timer in list(pilot.app.screen._timers):
            timer.pause()  # freeze the countdown so the screenshot is the same every run
        # A tick already queued before the pause (a loaded machine lets several pile up)
        # lands now, not after the countdown was masked.
        await pilot.pause()
        masker.apply(pilot.app)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_gateway_created_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await provider.log_in(pilot.app.services)
        await pilot.press("enter")

    session = provider.base_session(fresh_sandbox)
    assert provider.shoot(
        snap_compare, fresh_sandbox, tmp_path, GatewayStep, session, before, size=SMALL
    )


def test_template_written_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await provider.setup_gateway(pilot)
        await pilot.press(*provider.SERVICE)
        await until(
            pilot, lambda: pilot.app.screen.available_for == provider.SERVICE, "the name check"
        )
        await provider.settle(pilot)
        await pilot.press("enter")

    session = provider.base_session(fresh_sandbox)
    assert provider.shoot(
        snap_compare, fresh_sandbox, tmp_path, TemplateStep, session, before, size=SMALL
    )


def test_review_loaded_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    text = generate_config(
        "client-credentials-shared-idp", provider.SERVICE, "https://httpbin.org", provider.GATEWAY
    )
    (tmp_path / "gw-config-client-cred.yaml").write_text(text)

    async def before(pilot: Pilot) -> None:
        editor = pilot.app.screen.query_one("#yaml")
        row = next(i for i, line in enumerate(editor.text.splitlines()) if "allowed_aud" in line)
        editor.cursor_location = (row, editor.document.get_line(row).index("allowed_aud") + 1)
        editor.scroll_to(x=0, y=max(0, row - 4), animate=False)

    session = provider.base_session(fresh_sandbox)
    session.out_file = "gw-config-client-cred.yaml"
    session.gateway_id, session.service = provider.GATEWAY, provider.SERVICE
    session.steps_done += ["gateway", "template"]
    assert provider.shoot(
        snap_compare, fresh_sandbox, tmp_path, ReviewStep, session, before, size=SMALL
    )


def test_apply_published_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await provider.setup_file(pilot)
        await pilot.press("ctrl+a")

    session = provider.base_session(fresh_sandbox)
    session.out_file = "gw-config-client-cred.yaml"
    assert provider.shoot(
        snap_compare, fresh_sandbox, tmp_path, ApplyStep, session, before, size=SMALL
    )


def test_status_up_at_80x24(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await provider.setup_file(pilot)
        app = pilot.app
        text = (app.workspace / "gw-config-client-cred.yaml").read_text()
        assert (await app.services.apply.apply(app.session.gateway_id, text)).ok
        await pilot.press("f5")

    session = provider.base_session(fresh_sandbox)
    session.service = provider.SERVICE
    assert provider.shoot(
        snap_compare, fresh_sandbox, tmp_path, StatusStep, session, before, size=SMALL
    )


# -- consumer half (fixed backend) ------------------------------------------------------------


def test_try_it_401_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await consumer.settle(pilot)

    app = consumer.app_for(TryItStep, consumer.Backend(), consumer.session())
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_credentials_issued_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await consumer.settle(pilot)
        await pilot.press("ctrl+g")
        await consumer.settle(pilot)
        # The focus moves while the button is disabled, and that scroll is animated: wait for
        # it, then put the credentials at a fixed place, so every run shows the same lines.
        await pilot.wait_for_scheduled_animations()
        screen = pilot.app.screen
        body = screen.query_one("#step-body")
        body.scroll_to_widget(screen.query_one("#creds"), animate=False, top=True)
        await pilot.pause()

    app = consumer.app_for(CredentialsStep, consumer.Backend(consumer=False), consumer.session())
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_credentials_paste_errors_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await consumer.settle(pilot)
        await pilot.press("ctrl+g")
        await consumer.settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#paste-id").value = "my-app"
        screen.query_one("#paste-secret").value = "abc"
        screen.query_one("#paste-url").value = "https://example.org/auth"
        screen.query_one("#paste-url").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        body = screen.query_one("#step-body")
        body.scroll_to_widget(screen.query_one("#paste-id"), animate=False, top=True)
        await pilot.pause()

    backend = consumer.Backend(consumer=False, issue_status=403)
    app = consumer.app_for(CredentialsStep, backend, consumer.session())
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_token_decoded_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+g")
        await consumer.settle(pilot)

    app = consumer.app_for(TokenStep, consumer.Backend(), consumer.consumer_session(), creds=True)
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_call_200_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await consumer.settle(pilot)

    app = consumer.app_for(
        CallStep,
        consumer.Backend(),
        consumer.consumer_session(),
        creds=True,
        token=consumer.fixed_jwt(),
    )
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_cleanup_inventory_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await consumer.settle(pilot)

    app = consumer.app_for(CleanupStep, consumer.Backend(), consumer.consumer_session(), creds=True)
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_summary_at_80x24(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()

    app = consumer.app_for(SummaryScreen, consumer.Backend(), consumer.summary_session())
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


def test_quiz_at_80x24(snap_compare) -> None:
    """The check-your-understanding question: long choices wrap, the chosen one is marked."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(QuizModal(quiz.question_after("status")))
        await until(pilot, lambda: isinstance(pilot.app.screen, QuizModal), "the question")
        await pilot.press("down", "enter")
        await pilot.pause()

    app = consumer.app_for(SummaryScreen, consumer.Backend(), consumer.summary_session())
    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)
