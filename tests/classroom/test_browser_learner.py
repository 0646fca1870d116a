"""A learner with only a browser: ``sandbox serve --web-port`` serves the wizard itself.

The page opens, the terminal in it shows the wizard's Target step (read from what the
server sends the page's terminal), keys typed in the page reach the wizard, each browser
gets its own state folder (kept across a reload), the login's verification page opens in the
learner's own browser and the name is that browser's, and past the limit the page says so."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.classroom.class_kit import PASSCODE
from tests.sandbox.login_helpers import start_device
from tui.sandbox.classroom import identity
from tui.sandbox.classroom.web_learners import WebLearners

pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    # The server's stop closes its wizards' process transports while its loop still runs:
    # none may be finalised later against a closed loop ("Event loop is closed").
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def web(class_sandbox, tmp_path: Path) -> Iterator[WebLearners]:
    server = WebLearners(
        host="127.0.0.1",
        port=0,
        public_host=None,
        sandbox_host=class_sandbox.ctx.portal_hostport,
        state_root=tmp_path / "browsers",
        limit=1,
    )
    server.start()
    yield server
    server.stop()


class Terminal:
    """Everything the wizard wrote to the page's terminal, as text."""

    def __init__(self, page) -> None:
        self.page = page
        self.chunks: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else str(payload).encode()
        self.chunks.append(data.decode("utf-8", "ignore"))

    def tail(self) -> str:
        """The last of what the page received, escape sequences dropped (for a failure)."""
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", "".join(self.chunks))
        return re.sub(r"[\s▕▔▁▊▎]+", " ", text)[-1500:]

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in "".join(self.chunks):
            assert time.monotonic() < deadline, f"{text!r} never reached the page:\n{self.tail()}"
            self.page.wait_for_timeout(40)  # lets Playwright deliver the frames


def test_the_page_shows_the_wizard_and_keys_reach_it(chromium, web, class_sandbox) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    terminal = Terminal(page)
    page.goto(web.url)
    terminal.wait_for("Step 1 of 12: Target")
    terminal.wait_for(class_sandbox.ctx.portal_hostport)  # already pointed at this sandbox
    page.focus("textarea.xterm-helper-textarea")  # the page's terminal takes the keys
    page.keyboard.type("zqx")
    terminal.wait_for("zqx")  # the wizard echoed what was typed in the browser
    homes = list(web.state_root.iterdir())
    assert len(homes) == 1 and (homes[0] / "state").is_dir()
    terminal.chunks.clear()
    page.reload()  # a reload: a new wizard process, the same private folder
    terminal.wait_for("Step 1 of 12: Target")
    assert list(web.state_root.iterdir()) == homes
    context.close()


def test_the_login_page_opens_in_the_learners_browser_and_the_name_is_theirs(
    chromium, web, class_sandbox
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    terminal = Terminal(page)
    page.goto(web.url)
    terminal.wait_for("an APS portal answers")  # Target checked the class sandbox
    page.focus("textarea.xterm-helper-textarea")
    page.keyboard.press("Control+n")
    terminal.wait_for("Step 2 of 12: Login")
    page.keyboard.press("Enter")  # Start the login
    terminal.wait_for("Open browser (ctrl+o)")
    with context.expect_page() as opened:
        page.keyboard.press("Control+o")
    approval = opened.value  # a tab of this browser, not a window on the trainer's screen
    approval.wait_for_load_state()
    assert approval.url.startswith(f"{class_sandbox.ctx.portal_url}/auth/realms/aps/device")
    approval.fill("#username", "Nora")
    approval.fill("#passcode", PASSCODE)
    approval.click("button[value=approve]")
    assert "You are signed in as Nora" in approval.inner_text("body")
    terminal.wait_for("logged in as Nora")  # the wizard in the page got its tokens
    terminal.chunks.clear()
    page.reload()  # a new wizard process with this browser's folder: it resumes at Login
    terminal.wait_for("Step 2 of 12: Login")

    browser_cookie = next(c for c in context.cookies() if c["name"] == identity.COOKIE)
    assert browser_cookie["httpOnly"]  # one cookie: the page's wizard and its tabs share it
    other = chromium.new_context().new_page()  # another learner's browser, a code of theirs
    other.goto(start_device(class_sandbox).verification_uri_complete)
    other.fill("#username", "NORA")
    other.fill("#passcode", PASSCODE)
    other.click("button[value=approve]")
    assert "already taken" in other.inner_text("[role=alert]")
    other.context.close()
    context.close()


def test_past_the_limit_the_page_says_so(chromium, web) -> None:
    first = chromium.new_context()
    page = first.new_page()
    terminal = Terminal(page)
    page.goto(web.url)
    terminal.wait_for("Step 1 of 12: Target")
    second = chromium.new_context().new_page()
    response = second.goto(web.url)
    assert response.status == 503
    text = second.inner_text("body")
    assert "No free browser wizard right now" in text
    assert "Ask your trainer, or install gwa-wizard on your own computer" in text  # what to do
    assert "Traceback" not in text
    assert not list(web.state_root.iterdir())[1:]  # no wizard, no folder for the refused one

    first.close()  # a learner leaves: their place is free for the next
    deadline = time.monotonic() + 60
    while web.active:
        assert time.monotonic() < deadline, "the first wizard never ended"
        second.wait_for_timeout(40)
    terminal = Terminal(second)
    assert second.goto(web.url).status == 200
    terminal.wait_for("Step 1 of 12: Target")
    second.context.close()
