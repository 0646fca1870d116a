"""The trainer's board and the one-name-per-browser rule, in chromium (Playwright)."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.classroom.class_kit import PASSCODE, CurlLearner
from tests.sandbox.login_helpers import poll, start_device
from tui.sandbox.classroom.board import trainer_key

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
LIVE = 3000  # ms: the board promises an update within 2 s


def open_board(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{server.ctx.portal_url}/class?key={trainer_key(server.ctx)}")
    assert page.url == f"{server.ctx.portal_url}/class"  # the key left the address bar
    return context, page


def sign_in_on_page(context, server, name: str):
    """Open the verification page for a new device code in ``context`` and approve it."""
    device = start_device(server)
    page = context.new_page()
    page.goto(device.verification_uri_complete)
    page.fill("#username", name)
    page.fill("#passcode", PASSCODE)
    page.click("button[value=approve]")
    return device, page


def test_board_is_refused_without_the_key(chromium, class_sandbox) -> None:
    CurlLearner(class_sandbox, "hidden", passcode=PASSCODE).login()
    page = chromium.new_page()
    response = page.goto(f"{class_sandbox.ctx.portal_url}/class")
    assert response.status == 401
    assert "hidden" not in page.content()
    response = page.goto(f"{class_sandbox.ctx.portal_url}/class.json?key=nope")
    assert response.status == 403
    assert "hidden" not in page.content()


def test_rows_appear_and_change_live_and_the_report_downloads(chromium, class_sandbox) -> None:
    context, board = open_board(chromium, class_sandbox)
    assert "no learners yet" in board.inner_text("#summary")
    ivy = CurlLearner(class_sandbox, "Ivy", passcode=PASSCODE)
    ivy.login()
    row = board.locator('tr[data-name="Ivy"]')
    row.wait_for(timeout=LIVE)  # no reload: the page updates itself
    assert "login (1/9)" in row.locator(".step").inner_text()
    ivy.create_gateway()
    board.wait_for_function(
        "() => document.querySelector('tr[data-name=\"Ivy\"] .step')"
        ".textContent.startsWith('gateway')",
        timeout=LIVE,
    )
    for _ in range(3):
        ivy.http.post("/ds/api/v3/gateways", json={"displayName": "!"}, headers=ivy.headers)
    board.wait_for_selector('tr.stuck[data-name="Ivy"]', timeout=LIVE)
    assert "⚠ STUCK" in row.locator(".state").inner_text()  # a text mark, not only colour
    assert "422" in row.locator(".err").inner_text()
    assert "1 at gateway · 1 stuck" in board.inner_text("#summary")
    board.screenshot(path=str(class_sandbox.config.data_dir / "board.png"))

    with board.expect_download() as info:
        board.click("text=Download class report (CSV)")
    report = info.value.path().read_text("utf-8")
    (line,) = list(csv.DictReader(io.StringIO(report)))
    assert line["name"] == "Ivy" and line["step_reached"] == "gateway"
    assert line["errors"] == "3"
    context.close()


def test_a_claimed_name_is_refused_from_another_browser_until_released(
    chromium, class_sandbox
) -> None:
    first = chromium.new_context()
    device, page = sign_in_on_page(first, class_sandbox, "Grace")
    assert "You are signed in as Grace" in page.inner_text("body")
    assert poll(class_sandbox, device).status_code == 200

    again, page = sign_in_on_page(first, class_sandbox, "grace")  # same browser: fine
    assert "You are signed in as Grace" in page.inner_text("body")

    second = chromium.new_context()
    refused_device, refused = sign_in_on_page(second, class_sandbox, "  GRACE ")
    message = refused.inner_text("[role=alert]")
    assert "already taken" in message and "ask your trainer to release it" in message
    assert poll(class_sandbox, refused_device).json()["error"] == "authorization_pending"

    context, board = open_board(chromium, class_sandbox)
    board.locator('tr[data-name="Grace"] button', has_text="Release name").click()
    assert "Released the name Grace" in board.inner_text(".notice")

    _, page = sign_in_on_page(second, class_sandbox, "grace")
    assert "You are signed in as grace" in page.inner_text("body")
    # ...and now the first browser is the other one
    _, page = sign_in_on_page(first, class_sandbox, "Grace")
    assert "already taken" in page.inner_text("[role=alert]")
    for c in (first, second, context):
        c.close()


def test_cleanup_from_the_board_asks_for_confirmation(chromium, class_sandbox) -> None:
    jack = CurlLearner(class_sandbox, "jack", passcode=PASSCODE)
    jack.login()
    jack.create_gateway()
    context, board = open_board(chromium, class_sandbox)
    board.locator('tr[data-name="jack"] button', has_text="Clean up").click()
    assert jack.gateway in board.inner_text("body")
    board.click("button[value=yes]")
    assert "Removed 1 gateway(s)" in board.inner_text(".notice")
    listed = httpx.get(
        f"{class_sandbox.ctx.portal_url}/ds/api/v3/gateways", headers=jack.headers
    ).json()
    assert listed == []
    context.close()


def test_portal_pages_and_device_login_share_one_identity(chromium, class_sandbox) -> None:
    from tests.web.browser import sign_in as portal_sign_in

    base = class_sandbox.ctx.portal_url
    first = chromium.new_context()
    portal_sign_in(first.new_page(), base, "Kim", passcode=PASSCODE)  # claims "kim"
    _, page = sign_in_on_page(first, class_sandbox, "kim")  # same browser, device login
    assert "You are signed in as Kim" in page.inner_text("body")  # the claimed spelling

    second = chromium.new_context()
    other = second.new_page()
    other.goto(f"{base}/manager/gateways")
    other.get_by_label("Username").fill("KIM")
    other.get_by_label("Class passcode").fill(PASSCODE)
    other.get_by_role("button", name="Login with IDIR").click()
    assert "already taken" in other.inner_text("body")
    assert other.get_by_role("button", name="Logout").count() == 0
    _, refused = sign_in_on_page(second, class_sandbox, "kim")
    assert "already taken" in refused.inner_text("[role=alert]")
    first.close()
    second.close()
