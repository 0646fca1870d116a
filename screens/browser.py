"""Opening a web page for the learner, in the learner's own browser.

In a terminal that is this computer's default browser (asked in a thread, because
``webbrowser.open`` can block). A wizard served to a browser (``sandbox serve --web-port``)
runs on the trainer's machine: there the page is opened by the learner's browser, the one
showing the wizard, never on the trainer's screen.
"""

from __future__ import annotations

import asyncio
import webbrowser

from textual.app import App


async def open_in_browser(app: App, url: str) -> bool:
    """Open ``url`` for the learner; whether a browser was asked to open it."""
    if app.is_web:
        app.open_url(url, new_tab=True)
        return True
    try:
        return await asyncio.to_thread(webbrowser.open, url)
    except Exception:
        return False
