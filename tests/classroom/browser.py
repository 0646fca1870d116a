"""Chromium's flags for Playwright on this machine (see common rules): no sandbox, no GPU,
no background traffic."""

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
