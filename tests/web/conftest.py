"""Browser fixtures for the portal pages: one chromium per run, a fresh context per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import VIEWPORT, chromium_missing, launch_options


# Module scope, not session: sync Playwright keeps an event loop current while it runs, which
# would break the async (Pilot) tests that run after it in the same process.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if chromium_missing():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def second_page(chromium: Any) -> Iterator[Any]:
    """Another learner's browser (its own cookies)."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# The wizard's hand-off tests record what would have been copied (no clipboard in CI).
from tests.screens.conftest import no_clipboard  # noqa: E402, F401
