"""A class sandbox (``classroom=True``, a passcode, a fixed trainer key) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.classroom.browser import ARGS
from tests.classroom.class_kit import PASSCODE
from tests.sandbox_kit import start_sandbox
from tui.sandbox import device_flow
from tui.sandbox.server import SandboxServer


@pytest.fixture
def class_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    server = start_sandbox(tmp_path / "class-data", classroom=True, passcode=PASSCODE)
    yield server
    server.stop()


# One browser per module (each test opens its own contexts, so no cookies are shared). Not per
# session: sync Playwright keeps an event loop current while it runs, which would break the
# async (Pilot) tests that run after it in the same process.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Playwright's chromium, Debian's build (Playwright cannot download browsers here)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield browser
        browser.close()
