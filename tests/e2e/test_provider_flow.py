"""The whole wizard, keyboard only, from Target to Status against its embedded sandbox.

``drive_provider_flow`` (in ``flow_kit``) is shared: the consumer-half e2e test continues from
where it stops, and ``tests/benchmarks/bench_startup.py`` measures event-loop stalls while it runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.flow_kit import (
    SERVICE,
    drive_provider_flow,
    next_step,
    on_step,
    options_in,
    wait_for,
)
from tui.app import WizardApp
from tui.sandbox.db import Database


async def test_target_to_status_keyboard_only(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot)
        session = app.session
        sandbox = app.sandbox
        assert sandbox is not None
        db = Database(sandbox.database_path)  # the sandbox runs in its own process
        gateway_id = session.gateway_id
        # The sandbox's own records: the gateway, one Kong service, issuer, dataset, product.
        gateway = db.query_one("SELECT * FROM gateways WHERE gateway_id=?", (gateway_id,))
        assert gateway is not None and gateway["display_name"] == f"{session.username}'s Gateway"
        services = db.query("SELECT name FROM kong_services WHERE gateway_id=?", (gateway_id,))
        assert [r["name"] for r in services] == [f"{SERVICE}-dev"]
        assert db.query_one("SELECT 1 FROM issuers WHERE gateway_id=?", (gateway_id,))
        assert db.query_one("SELECT 1 FROM datasets WHERE name=?", (f"{SERVICE}-dataset",))
        assert db.query_one("SELECT 1 FROM products WHERE gateway_id=?", (gateway_id,))
        assert len(session.published) == 4
        status = await app.services.status.services(gateway_id)
        assert [(s.name, s.status) for s in status] == [(f"{SERVICE}-dev", "UP")]
        assert session.api_url.endswith("/uuid") and ".localhost:" in session.api_url
        assert (options.resolved_workspace / "gw-config-client-cred.yaml").exists()
    # The session was saved after each step, with no secret in it.
    saved = json.loads((options.resolved_state_dir / "session.json").read_text())
    assert saved["steps_done"] == [
        "target",
        "login",
        "gateway",
        "template",
        "review",
        "apply",
        "status",
    ]
    assert saved["current_step"] == "try_it"
    assert "token" not in json.dumps(saved).lower().replace("token_endpoint", "")
    assert app.sandbox is None  # stopped on exit
    assert sandbox.process.poll() is not None  # and its process is gone, not orphaned


async def test_resume_rechecks_reality(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot, "resume-svc")
        gateway_id = app.session.gateway_id
    # Run again: tokens were in memory only (no keyring), so the login is to do again;
    # the gateway still exists in the sandbox's data folder.
    again = WizardApp(options)
    async with again.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: again.ready_event.is_set(), "the resumed step")
        assert on_step(again, "login")
        assert "login" not in again.session.steps_done
        assert again.session.gateway_id == gateway_id
        assert any("Login step is to do again" in n.message for n in again._notifications)
        # Log in again; the gateway check now passes and later steps stay done.
        await pilot.press("enter")
        await wait_for(pilot, lambda: again.screen.challenge is not None, "the user code")
        await pilot.press("ctrl+l")
        # Everything after Login was still true, so Next goes on where the learner was.
        await next_step(pilot, again, "login", "try_it")
        assert "apply" in again.session.steps_done


async def test_back_keeps_the_earlier_step_and_next_returns(tmp_path: Path) -> None:
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: on_step(app, "target"), "the Target step")
        await next_step(pilot, app, "target", "login")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.challenge is not None, "the user code")
        await pilot.press("ctrl+l")
        await next_step(pilot, app, "login", "gateway")
        login_screen = app.screen_stack[-2]
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: on_step(app, "login"), "back at Login")
        assert app.screen is login_screen and app.screen.ready  # same screen, result kept
        assert "Successfully logged in" in str(app.screen.query_one("#login-result").content)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: on_step(app, "gateway"), "the Gateway step again")
        assert app.session.steps_done == ["target", "login"]
