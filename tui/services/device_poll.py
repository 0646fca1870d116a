"""When the next device-flow poll may go out (RFC 8628 intervals), and a way to ask for one
early: :meth:`LoginService.wait_for_approval` waits on it, the Login screen reads it to show
its countdown. No textual."""

from __future__ import annotations

import asyncio
import contextlib
import time


class PollSchedule:
    """When the next device-flow poll may go out: never sooner than the server's interval
    after the last one; the first one ``interval`` seconds after the code was shown."""

    def __init__(self, interval: int) -> None:
        self.interval = interval
        self.next_poll_at = time.monotonic() + interval
        self.polls = 0
        self.last_poll_at = 0.0
        self._wake = asyncio.Event()

    def seconds_to_next(self) -> int:
        return max(0, round(self.next_poll_at - time.monotonic()))

    def check_soon(self) -> None:
        """Poll at once (after an approval), unless that is sooner than the interval allows."""
        now = time.monotonic()
        earliest = self.last_poll_at + self.interval if self.polls else now
        self.next_poll_at = max(now, earliest)
        self._wake.set()

    async def wait_turn(self) -> None:
        while (delay := self.next_poll_at - time.monotonic()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
        self.polls += 1
        self.last_poll_at = time.monotonic()

    def polled(self, interval: int) -> None:
        self.interval = interval
        self.next_poll_at = time.monotonic() + interval
