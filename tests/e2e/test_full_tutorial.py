"""The whole tutorial, keyboard only, from Target to Clean up against the embedded sandbox.

Continues the provider flow (``drive_provider_flow``) through Try it, Credentials, Token,
Call and Clean up, then exports the record from the summary. It asserts on the sandbox's own
store (no gateway, no consumer left), on the saved session (cleared at the end), and that the
exported files contain neither the client secret nor the access token.
"""

from __future__ import annotations

from pathlib import Path

from screens.modals import ConfirmModal
from screens.summary import SummaryScreen
from tests.e2e.flow_kit import (
    drive_provider_flow,
    next_step,
    on_step,
    options_in,
    pass_quiz,
    wait_for,
)
from tui.app import WizardApp
from tui.sandbox.db import Database
from tui.services.export import LAST_SESSION_NAME, REPORT_NAME, SCRIPT_NAME

SERVICE = "full-svc"


async def test_target_to_clean_up_keyboard_only(tmp_path: Path) -> None:
    options = options_in(tmp_path)
    app = WizardApp(options)
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot, SERVICE)
        sandbox = app.sandbox
        assert sandbox is not None
        db = Database(sandbox.database_path)  # the sandbox runs in its own process
        session = app.session
        gateway_id = session.gateway_id

        # Try it: no token → 401, explained as success.
        await pilot.press("ctrl+s")
        await next_step(pilot, app, "try_it", "credentials")

        # Credentials: issued over the sandbox's REST API.
        await wait_for(pilot, lambda: app.screen.environment is not None, "the Dev environment")
        await pilot.press("ctrl+g")
        await next_step(pilot, app, "credentials", "token")
        creds = app.services.credentials.current
        assert creds is not None and session.client_id == creds.client_id
        secret = creds.client_secret
        rows = db.query("SELECT client_id FROM consumers WHERE gateway_id=?", (gateway_id,))
        assert [r["client_id"] for r in rows] == [creds.client_id]
        saved = (options.resolved_state_dir / "session.json").read_text()
        assert creds.client_id in saved and secret not in saved  # the secret never goes to disk

        # Token: client credentials at the shared IdP.
        await pilot.press("ctrl+g")
        await next_step(pilot, app, "token", "call")
        token = app.services.tokens.current
        assert token is not None and token.claims["azp"] == creds.client_id
        access_token = token.access_token

        # Call: 200 with a UUID.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.ready, "the call")
        assert "call" in session.steps_done
        assert "UUID" in str(app.screen.query_one("#verdict").content)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: on_step(app, "cleanup"), "the Clean up step")

        # Clean up: consumer first, then the gateway after the confirmation.
        await wait_for(pilot, lambda: app.screen.inventory is not None, "the inventory")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: session.consumer_revoked, "the revoke")
        assert db.query("SELECT 1 FROM consumers WHERE gateway_id=?", (gateway_id,)) == []
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the confirmation")
        assert gateway_id in str(app.screen.query_one("#confirm-question").content)
        await pilot.press("y")
        await wait_for(pilot, lambda: on_step(app, "cleanup") and app.screen.ready, "the destroy")
        await pilot.press("ctrl+n")
        await pass_quiz(pilot, app, "a")  # Check your understanding: why the consumer first
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")

        # The sandbox's own state: nothing left.
        assert db.query_one("SELECT 1 FROM gateways WHERE gateway_id=?", (gateway_id,)) is None
        assert db.query("SELECT 1 FROM consumers WHERE gateway_id=?", (gateway_id,)) == []
        assert db.query("SELECT 1 FROM kong_services WHERE gateway_id=?", (gateway_id,)) == []
        assert session.steps_done[-5:] == ["try_it", "credentials", "token", "call", "cleanup"]

        # Export from the summary; no secret and no token in either file.
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app.screen.exported is not None, "the export")
        script, report = app.screen.exported
    assert script == options.resolved_workspace / SCRIPT_NAME
    assert report == options.resolved_workspace / REPORT_NAME
    for path in (script, report):
        text = path.read_text()
        assert secret not in text and access_token not in text
        assert gateway_id in text
    assert ': "${CSC:?set CSC to the Client Secret}"' in script.read_text()
    # The answers stay in the session and the report: skipped ones and the one answered.
    assert session.answers[-1] == {
        "step": "cleanup",
        "question": "cleanup-order",
        "answer": "a",
        "correct": True,
    }
    assert [a["answer"] for a in session.answers[:3]] == ["skipped"] * 3
    assert "still has access to its products (right)" in report.read_text()
    # Everything was cleaned up, so the saved progress is gone: the next run starts afresh.
    assert not (options.resolved_state_dir / "session.json").exists()
    # ... but the finished tutorial is kept beside it for a later `gwa-wizard export`.
    kept = (options.resolved_state_dir / LAST_SESSION_NAME).read_text()
    assert gateway_id in kept and secret not in kept
