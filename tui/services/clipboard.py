"""Copy text to the system clipboard with pyperclip, in a thread (it shells out and blocks).

A machine without a clipboard (headless Linux, ssh) is a normal case: :func:`copy` returns
False and the screen falls back to Textual's OSC 52 copy and a notice. Never raises.
"""

from __future__ import annotations

import asyncio


async def copy(text: str) -> bool:
    """True when the system clipboard now holds ``text``."""
    import pyperclip  # on first copy: it loads ctypes, which no screen needs before that

    try:
        await asyncio.to_thread(pyperclip.copy, text)
    except (pyperclip.PyperclipException, OSError):
        return False
    return True


class Clipboard:
    """The bundle's clipboard object (a class so tests can swap it)."""

    async def copy(self, text: str) -> bool:
        return await copy(text)
