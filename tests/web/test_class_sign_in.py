"""On a class sandbox the portal's sign-in asks for the room's passcode, as the device login does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.sandbox_kit import start_sandbox
from tests.web.browser import learner, sign_in


@pytest.fixture
def class_sandbox(tmp_path) -> Iterator:
    server = start_sandbox(tmp_path / "class", passcode="tulip")
    yield server
    server.stop()


def test_a_wrong_passcode_is_refused_beside_the_passcode_field(class_sandbox, page):
    page.goto(f"{class_sandbox.info.portal_url}/login")
    page.get_by_label("Username").fill(learner())
    page.get_by_label("Class passcode").fill("daisy")
    page.get_by_role("button", name="Login with IDIR").click()
    assert page.locator("#passcode-error").inner_text() == (
        "The class passcode is not right. Ask your trainer for it."
    )
    assert page.get_by_role("button", name="Logout").count() == 0


def test_the_right_passcode_signs_in(class_sandbox, page):
    sign_in(page, class_sandbox.info.portal_url, learner(), passcode="tulip")
    assert re.search(r"/manager/gateways/", page.url)
    expect(page.get_by_role("button", name="Logout")).to_be_visible()
