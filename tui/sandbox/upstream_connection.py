"""One keep-alive connection of the data plane's upstream pool (:mod:`.upstream_pool`): an
:class:`asyncio.Protocol` whose received bytes wait in a buffer until the pool's response
reader takes them; it pauses reading past :data:`PAUSE_AT` buffered bytes, and a wait for more
bytes arms one timer, only when it really waits."""

from __future__ import annotations

import asyncio
import contextlib
import time

PAUSE_AT = 256 * 1024  # buffered response bytes past which reading pauses


class Connection(asyncio.Protocol):
    """One keep-alive connection to an upstream: what arrived waits in :attr:`buffer`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.paused = False
        self.waiter: asyncio.Future[None] | None = None
        self.writable: asyncio.Future[None] | None = None
        self.idle_since = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > PAUSE_AT and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self._wake()
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def pause_writing(self) -> None:
        self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def more(self, timeout: float) -> None:
        """Wait until more bytes (or the end) arrive; TimeoutError after ``timeout``."""
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        waiter = self.waiter = self.loop.create_future()
        timer = self.loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self.waiter = None

    def take(self, n: int) -> bytes:
        if n >= len(self.buffer):  # all of it (the usual case: a whole body arrived)
            data = bytes(self.buffer)
            self.buffer.clear()
        else:
            data = bytes(self.buffer[:n])
            del self.buffer[:n]
        if self.paused and len(self.buffer) <= PAUSE_AT and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data

    async def drain(self, timeout: float) -> None:
        if self.writable is not None:
            async with asyncio.timeout(timeout):
                await self.writable

    def usable(self, expiry: float) -> bool:
        return (
            not self.eof
            and not self.buffer  # bytes nobody asked for: the connection is out of step
            and self.transport is not None
            and not self.transport.is_closing()
            and time.monotonic() - self.idle_since < expiry
        )

    def close(self) -> None:
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
