"""The no-clipboard fixture shared by the step and web tests (imported by their conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """pyperclip has no clipboard in CI; record what would have been copied instead."""
    copied: list[str] = []

    async def fake_copy(text: str) -> bool:
        copied.append(text)
        return False

    monkeypatch.setattr("tui.services.clipboard.copy", fake_copy)
    return copied
