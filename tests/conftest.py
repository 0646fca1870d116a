"""Shared fixtures: an isolated home for every test, and a real sandbox on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.sandbox_kit import start_sandbox
from tui.sandbox.server import SandboxServer

# No timing assertions in tests: Hypothesis' per-example deadline (200 ms) fails property tests
# on a loaded machine (seen under -n 2). Examples still run; only the clock check is off.
settings.register_profile("gwa-wizard", deadline=None)
settings.load_profile("gwa-wizard")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real user's config, data, state and keyring."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One sandbox for the whole run; tests stay independent by using their own usernames."""
    server = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield server
    server.stop()


@pytest.fixture
def fresh_sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """A sandbox of one's own, for tests that restart it or need an empty store."""
    server = start_sandbox(tmp_path / "sandbox-data")
    yield server
    server.stop()
