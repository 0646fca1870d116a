"""Summary: what was built, URLs, time per step; export writes the record without secrets."""

from __future__ import annotations

import time
from pathlib import Path

from screens.summary import SummaryScreen
from tests.screens.harness import StepHarness
from tests.services.test_export import SECRET, TOKEN, finished_session
from tui.services.consumer_token import ConsumerToken
from tui.services.credentials import ConsumerCredentials
from tui.services.export import REPORT_NAME, SCRIPT_NAME
from tui.services.session import SessionStore


class FakeServices:
    """Only what the summary reads: the run's current credentials and token."""

    class _Holder:
        def __init__(self, current: object) -> None:
            self.current = current

    def __init__(self) -> None:
        self.credentials = self._Holder(ConsumerCredentials("8C1D2E3F-0A1B2C3D4E5", SECRET, "x"))
        self.tokens = self._Holder(ConsumerToken(TOKEN, 300, time.time(), {}, {}))


def markdown_text(app) -> str:
    return str(app.screen.query_one("#report").content)


async def test_summary_shows_the_record_and_exports_it(tmp_path: Path) -> None:
    session = finished_session()
    app = StepHarness(SummaryScreen, session, FakeServices(), workspace=tmp_path / "ws")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = markdown_text(app)
        assert "gw-1a2b3" in shown and "my-svc" in shown
        assert "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid" in shown
        assert "Login" in shown and "1 min 05 s" in shown and "Token endpoint" in shown
        assert "3/12 steps in 1 min 12 s on sandbox (http://127.0.0.1:8460)" in shown
        assert "ctrl+e" in str(app.screen.query_one("#summary-note").content)
        await pilot.press("ctrl+e")
        await pilot.pause()
        result = str(app.screen.query_one("#export-result").content)
        assert "✓ Written" in result
    script = tmp_path / "ws" / SCRIPT_NAME
    report = tmp_path / "ws" / REPORT_NAME
    assert script.exists() and report.exists()
    for path in (script, report):
        text = path.read_text()
        assert SECRET not in text and TOKEN not in text


async def test_finishing_after_cleanup_clears_the_saved_session(tmp_path: Path) -> None:
    session = finished_session()
    session.mark_done("cleanup")
    store = SessionStore(tmp_path / "state" / "session.json")
    store.save(session)
    app = StepHarness(SummaryScreen, session, FakeServices(), workspace=tmp_path)
    app.store = store  # what WizardApp has
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "saved progress was cleared" in str(app.screen.query_one("#summary-note").content)
    assert store.load() is None


async def test_an_export_that_would_leak_is_refused(tmp_path: Path) -> None:
    session = finished_session()
    session.service = SECRET
    app = StepHarness(SummaryScreen, session, FakeServices(), workspace=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert "could not be written" in str(app.screen.query_one("#export-result").content)
    assert not (tmp_path / SCRIPT_NAME).exists()
