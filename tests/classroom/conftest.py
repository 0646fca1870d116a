"""A class sandbox (``classroom=True``, a passcode, a fixed trainer key) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_sandbox
from tui.sandbox import device_flow
from tui.sandbox.server import SandboxServer

PASSCODE = "room-42"


@pytest.fixture
def class_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    server = start_sandbox(tmp_path / "class-data", classroom=True, passcode=PASSCODE)
    yield server
    server.stop()
