"""Launching Debian's chromium for Playwright, and the clicks every portal test shares."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


def chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()


def launch_options() -> dict[str, Any]:
    return {"executable_path": CHROMIUM, "args": LAUNCH_ARGS}


def learner(prefix: str = "learner") -> str:
    """A username the sign-in page accepts (the login realm's rule: 2–20 characters)."""
    return f"{prefix}-{secrets.token_hex(3)}"


def sign_in(page: Any, base: str, username: str, passcode: str | None = None) -> None:
    page.goto(f"{base}/manager/gateways")
    page.get_by_label("Username").fill(username)
    if passcode is not None:
        page.get_by_label("Class passcode").fill(passcode)
    page.get_by_role("button", name="Login with IDIR").click()
    page.wait_for_url(re.compile(r"/manager/gateways/"))


def open_gateway(page: Any, base: str, gateway_id: str) -> None:
    page.goto(f"{base}/manager/gateways/list")
    page.get_by_role("button", name=re.compile(re.escape(gateway_id))).click()
    page.wait_for_url(re.compile(r"/manager/gateways/detail$"))


def request_credentials(
    page: Any, base: str, gateway_id: str, service: str, app: str, *, submit: str | None = None
) -> dict:
    """Gateways → gateway → Preview in Directory → card → Request Access → … → Generate Secrets."""
    open_gateway(page, base, gateway_id)
    page.get_by_role("link", name="Preview in Directory").click()
    page.get_by_role("link", name=service, exact=True).click()
    page.get_by_role("link", name="Request Access").click()
    page.get_by_role("button", name="Create Application").click()
    page.get_by_label("Application Name").fill(app)
    page.get_by_role("button", name="Create", exact=True).click()
    page.get_by_role("status").filter(has_text="Application created!").wait_for()
    page.get_by_label("dev", exact=True).check()
    label = submit or re.compile(r"^Request Access")
    page.get_by_role("button", name=label, exact=submit is not None).click()
    page.get_by_role("button", name="Generate Secrets").click()
    return {
        label: page.get_by_label(label, exact=True).input_value()
        for label in ("Client ID", "Client Secret", "Token Endpoint")
    }


def delete_consumer(page: Any, base: str, gateway_id: str, client_id: str) -> None:
    open_gateway(page, base, gateway_id)
    page.get_by_role("link", name="Consumers", exact=True).click()
    page.get_by_role("button", name=f"Actions for {client_id}").click()
    page.get_by_role("menuitem", name="Delete Consumer...").click()
    page.get_by_role("dialog", name=f"Delete {client_id} Consumer?").get_by_role(
        "button", name="Yes, Delete"
    ).click()
    page.get_by_role("status").filter(has_text="Consumer deleted").wait_for()


def follow_walkthrough(start_url: str, username: str, action: Any) -> Any:
    """Open the wizard's start URL in a fresh chromium, sign in, then run ``action(page, base)``.

    Uses Playwright's sync API, so call it from a thread when an event loop is running
    (``await asyncio.to_thread(follow_walkthrough, ...)`` inside a Pilot test).
    """
    from urllib.parse import urlsplit

    from playwright.sync_api import sync_playwright

    parts = urlsplit(start_url)
    base = f"{parts.scheme}://{parts.netloc}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto(start_url)
            page.get_by_label("Username").fill(username)
            page.get_by_role("button", name="Login with IDIR").click()
            page.wait_for_url(start_url)
            return action(page, base)
        finally:
            browser.close()
