"""SVG snapshots (100×30) of the provider steps' key states, against a real sandbox.

The sandbox picks free ports and random ids, so before each screenshot :func:`mask` rewrites
what is on screen: loopback ports, gateway ids, user codes, the temporary workspace path and
the login countdown become fixed values. Everything else is what the learner sees.
Review changes with ``snapshot_report.html`` before ``--snapshot-update``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from screens.apply import ApplyStep
from screens.gateway import GatewayStep
from screens.login import LoginStep
from screens.review import ReviewStep
from screens.status import StatusStep
from screens.target import TargetStep
from screens.template import TemplateStep
from tests.screens.harness import StepHarness
from tests.waiting import until
from tui.sandbox.server import SandboxServer
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config

SIZE = (100, 30)
USER = "learner"
SERVICE = "my-service"
WORKSPACE_SHOWN = "/home/learner/work"
GATEWAY = "gw-1a2b3"


@pytest.fixture(autouse=True)
def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None, raising=False)

    async def no_clipboard(text: str) -> bool:
        return False

    monkeypatch.setattr("tui.services.clipboard.copy", no_clipboard)


class Masker:
    def __init__(self, workspace: Path, sandbox: SandboxServer | None = None) -> None:
        exact: list[tuple[re.Pattern[str], str]] = []
        if sandbox is not None:
            upstream_port = sandbox.info.upstream_url.rsplit(":", 1)[1]
            exact = [
                (re.compile(rf"127\.0\.0\.1:{upstream_port}\b"), "127.0.0.1:8462"),
                (re.compile(rf"^port: {upstream_port}$", re.M), "port: 8462"),
            ]
        self.rules: list[tuple[re.Pattern[str], str]] = exact + [
            (re.compile(re.escape(str(workspace))), WORKSPACE_SHOWN),
            (re.compile(r"127\.0\.0\.1:\d{4,5}"), "127.0.0.1:8460"),
            (re.compile(r"\.localhost:\d+"), ".localhost:8461"),
            (re.compile(r"\bgw-[0-9a-f]{5}\b"), "gw-1a2b3"),
            (re.compile(r"\b[A-Z]{4}-[A-Z]{4}\b"), "WDJB-MJHT"),
            (
                re.compile(
                    r"\b([A-Z]) ([A-Z]) ([A-Z]) ([A-Z]) - ([A-Z]) ([A-Z]) ([A-Z]) ([A-Z])\b"
                ),
                "W D J B - M J H T",
            ),
            (re.compile(r"next check in \d+ s"), "next check in 5 s"),
            (re.compile(r"expires in \d+:\d\d"), "expires in 9:59"),
            (
                re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
                "00000000-0000-4000-8000-000000000000",
            ),
        ]

    def text(self, value: str) -> str:
        for pattern, fixed in self.rules:
            value = pattern.sub(fixed, value)
        return value

    def apply(self, app: Any) -> None:
        app.clear_notifications()
        screen = app.screen
        for widget in screen.query(Static):
            if type(widget).__name__ in ("Static", "CommandBox", "WizardHeader") or widget.id:
                original = str(widget.content)
                masked = self.text(original)
                if masked != original:
                    widget.update(Content(masked))  # plain text: never read as markup
        for field in screen.query(Input):
            masked = self.text(field.value)
            if masked != field.value:
                with field.prevent(Input.Changed):
                    field.value = masked
        for area in screen.query(TextArea):
            masked = self.text(area.text)
            if masked != area.text:
                where = area.cursor_location
                with area.prevent(TextArea.Changed, TextArea.SelectionChanged):
                    area.load_text(masked)
                    area.cursor_location = where
                area.scroll_cursor_visible(center=True, animate=False)
        for table in screen.query(DataTable):
            for row_key in list(table.rows):
                for column_key in list(table.columns):
                    cell = table.get_cell(row_key, column_key)
                    if isinstance(cell, str) and self.text(cell) != cell:
                        table.update_cell(row_key, column_key, self.text(cell))


Prepare = Callable[[Any, Session], Awaitable[None]]


def shoot(
    snap_compare,
    sandbox: SandboxServer,
    tmp_path: Path,
    step_class: type,
    session: Session,
    before: Callable[[Pilot], Awaitable[None]] | None = None,
    size: tuple[int, int] = SIZE,
) -> bool:
    target = Target.sandbox(sandbox.info.portal_host)
    services = build_services(target, secrets=SecretStore())
    app = StepHarness(
        step_class,
        session,
        services,
        target=target,
        workspace=tmp_path,
        sandbox_upstream=sandbox.info.upstream_url,
        make_services=lambda t: build_services(t, secrets=SecretStore()),
    )
    masker = Masker(tmp_path, sandbox)

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()  # let on_mount start its workers before waiting for them
        await settle(pilot)
        if before is not None:
            await before(pilot)
            await settle(pilot)
        masker.apply(pilot.app)
        await pilot.pause()

    return snap_compare(app, run_before=run_before, terminal_size=size)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    if hasattr(screen, "refresh_chrome"):
        screen.refresh_chrome()


async def log_in(services: Any) -> None:
    challenge = await services.login.start_device()
    await services.login.approve_on_sandbox(challenge, USER)
    assert (await services.login.poll_once(challenge)).state == "done"


def base_session(sandbox: SandboxServer) -> Session:
    return Session(
        target_kind="sandbox",
        host=sandbox.info.portal_host,
        scheme="http",
        username=USER,
        steps_done=["target", "login"],
    )


async def setup_gateway(pilot: Pilot) -> None:
    """Log in and create the gateway (inside the app's loop), recorded in the session."""
    app = pilot.app
    await log_in(app.services)
    # A fixed gateway id (the portal accepts one), so the screenshots need no masking for it.
    await app.services.client.request(
        "POST",
        "/ds/api/v3/gateways",
        action="Create the gateway",
        json={"gatewayId": GATEWAY, "displayName": f"{USER}'s Gateway"},
    )
    app.session.gateway_id = GATEWAY
    app.session.gateway_display_name = f"{USER}'s Gateway"
    app.session.mark_done("gateway")


async def setup_file(pilot: Pilot) -> None:
    await setup_gateway(pilot)
    app = pilot.app
    text = generate_config(
        "client-credentials-shared-idp", SERVICE, app.sandbox_upstream, app.session.gateway_id
    )
    (app.workspace / "gw-config-client-cred.yaml").write_text(text)
    app.session.service, app.session.upstream = SERVICE, app.sandbox_upstream
    app.session.out_file = "gw-config-client-cred.yaml"


# -- Target ---------------------------------------------------------------------------------


def test_target_sandbox_checked(snap_compare, fresh_sandbox, tmp_path):
    assert shoot(snap_compare, fresh_sandbox, tmp_path, TargetStep, Session())


def test_target_custom_host_with_scheme(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await pilot.click("#kind-custom")
        await pilot.press(*"https://api.example")

    assert shoot(snap_compare, fresh_sandbox, tmp_path, TargetStep, Session(), before)


def test_target_refused(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await pilot.click("#kind-custom")
        await pilot.click("#scheme-http")
        pilot.app.screen.query_one("#custom-host").focus()
        await pilot.press(*"127.0.0.1:9", "enter")

    assert shoot(snap_compare, fresh_sandbox, tmp_path, TargetStep, Session(), before)


# -- Login ----------------------------------------------------------------------------------


def test_login_code_shown(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.challenge is not None, "a device code")
        pilot.app.screen.query_one("#sandbox-user").value = USER

    session = Session(target_kind="sandbox", host=fresh_sandbox.info.portal_host)
    # the poll worker keeps running: do not wait for workers after the press
    target = Target.sandbox(fresh_sandbox.info.portal_host)
    services = build_services(target, secrets=SecretStore())
    app = StepHarness(LoginStep, session, services, target=target, workspace=tmp_path)
    masker = Masker(tmp_path, fresh_sandbox)

    async def run_before(pilot: Pilot) -> None:
        await before(pilot)
        for timer in list(pilot.app.screen._timers):
            timer.pause()  # freeze the countdown so the screenshot is the same every run
        # A tick already queued before the pause (a loaded machine lets several pile up)
        # lands now, not after the countdown was masked.
        await pilot.pause()
        masker.apply(pilot.app)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_login_done(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.challenge is not None, "a device code")
        pilot.app.screen.query_one("#sandbox-user").value = USER
        await pilot.press("ctrl+l")

    session = Session(target_kind="sandbox", host=fresh_sandbox.info.portal_host)
    assert shoot(snap_compare, fresh_sandbox, tmp_path, LoginStep, session, before)


# -- Gateway --------------------------------------------------------------------------------


def test_gateway_created(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await log_in(pilot.app.services)
        await pilot.press("enter")

    assert shoot(
        snap_compare, fresh_sandbox, tmp_path, GatewayStep, base_session(fresh_sandbox), before
    )


def test_gateway_name_refused(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        pilot.app.screen.query_one("#display-name").value = "x!"

    assert shoot(
        snap_compare, fresh_sandbox, tmp_path, GatewayStep, base_session(fresh_sandbox), before
    )


# -- Template -------------------------------------------------------------------------------


def test_template_written(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await setup_gateway(pilot)
        await pilot.press(*SERVICE)
        await until(pilot, lambda: pilot.app.screen.available_for == SERVICE, "the name check")
        await settle(pilot)
        await pilot.press("enter")

    assert shoot(
        snap_compare, fresh_sandbox, tmp_path, TemplateStep, base_session(fresh_sandbox), before
    )


# -- Review ---------------------------------------------------------------------------------


def test_review_loaded(snap_compare, fresh_sandbox, tmp_path):
    """Review works on the file alone (no network), so the file can be fixed text."""
    text = generate_config("client-credentials-shared-idp", SERVICE, "https://httpbin.org", GATEWAY)
    (tmp_path / "gw-config-client-cred.yaml").write_text(text)

    async def before(pilot: Pilot) -> None:
        editor = pilot.app.screen.query_one("#yaml")
        row = next(i for i, line in enumerate(editor.text.splitlines()) if "allowed_aud" in line)
        editor.cursor_location = (row, editor.document.get_line(row).index("allowed_aud") + 1)
        editor.scroll_to(x=0, y=max(0, row - 8), animate=False)

    session = base_session(fresh_sandbox)
    session.out_file = "gw-config-client-cred.yaml"
    session.gateway_id, session.service = GATEWAY, SERVICE
    session.steps_done += ["gateway", "template"]
    assert shoot(snap_compare, fresh_sandbox, tmp_path, ReviewStep, session, before)


# -- Apply ----------------------------------------------------------------------------------


def test_apply_published(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await setup_file(pilot)
        await pilot.press("ctrl+a")

    session = base_session(fresh_sandbox)
    session.out_file = "gw-config-client-cred.yaml"
    assert shoot(snap_compare, fresh_sandbox, tmp_path, ApplyStep, session, before)


def test_apply_failed_for_another_gateway(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await setup_file(pilot)
        path = pilot.app.workspace / "gw-config-client-cred.yaml"
        path.write_text(
            generate_config(
                "client-credentials-shared-idp", SERVICE, pilot.app.sandbox_upstream, "gw-other"
            )
        )
        await pilot.press("ctrl+a")

    session = base_session(fresh_sandbox)
    session.out_file = "gw-config-client-cred.yaml"
    assert shoot(snap_compare, fresh_sandbox, tmp_path, ApplyStep, session, before)


# -- Status ---------------------------------------------------------------------------------


def test_status_up(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await setup_file(pilot)
        app = pilot.app
        text = (app.workspace / "gw-config-client-cred.yaml").read_text()
        assert (await app.services.apply.apply(app.session.gateway_id, text)).ok
        await pilot.press("f5")

    session = base_session(fresh_sandbox)
    session.service = SERVICE
    assert shoot(snap_compare, fresh_sandbox, tmp_path, StatusStep, session, before)


def test_help_for_the_status_step(snap_compare, fresh_sandbox, tmp_path):
    async def before(pilot: Pilot) -> None:
        await pilot.press("f1")

    assert shoot(
        snap_compare, fresh_sandbox, tmp_path, StatusStep, base_session(fresh_sandbox), before
    )
