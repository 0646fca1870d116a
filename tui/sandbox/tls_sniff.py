"""Plain HTTP and TLS on one port: the data plane answers ``http://`` and ``https://`` alike.

The wizard and the tutorial call ``http://<host>.localhost:<port>``; ``gwa status --hosts``
prints ``https://<host>.localhost:<port>``, the same port. A TLS connection starts with a
handshake record (first byte ``0x16``), which no HTTP request line does, so the first bytes
tell the two apart. :func:`protocol_class` gives uvicorn (``Config(http=…)``) a protocol that
waits for those bytes, then hands the connection to uvicorn's own HTTP protocol, directly or
through asyncio's TLS layer with the sandbox CA's certificates (``sandbox_ca.py``).

``asyncio.sslproto.SSLProtocol`` is what ``loop.start_tls`` uses internally; it is used here
because ``start_tls`` cannot be given the bytes already read. Connections that send nothing
for :data:`FIRST_BYTES_TIMEOUT` seconds are closed.
"""

from __future__ import annotations

import asyncio
import ssl
from asyncio import sslproto
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

TLS_HANDSHAKE = 0x16
FIRST_BYTES_TIMEOUT = 30.0


def protocol_class(context: ssl.SSLContext) -> type[asyncio.Protocol]:
    """A uvicorn HTTP protocol class that also accepts TLS with ``context``."""

    class SniffingProtocol(asyncio.Protocol):
        def __init__(
            self,
            config: Any,
            server_state: Any,
            app_state: Any,
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            self._inner_args = (config, server_state, app_state)
            self._loop = _loop or asyncio.get_event_loop()
            self._transport: asyncio.Transport | None = None
            self._timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self._transport = transport
            self._timer = self._loop.call_later(FIRST_BYTES_TIMEOUT, transport.close)

        def data_received(self, data: bytes) -> None:
            transport = self._transport
            assert transport is not None
            if self._timer is not None:
                self._timer.cancel()
            config, server_state, app_state = self._inner_args
            inner = AutoHTTPProtocol(  # type: ignore[call-arg]
                config=config, server_state=server_state, app_state=app_state, _loop=self._loop
            )
            if data[0] != TLS_HANDSHAKE:
                transport.set_protocol(inner)
                inner.connection_made(transport)
                inner.data_received(data)
                return
            tls = sslproto.SSLProtocol(self._loop, inner, context, None, server_side=True)  # type: ignore[arg-type]  # no waiter: asyncio accepts None
            transport.set_protocol(tls)
            tls.connection_made(transport)
            buffer = tls.get_buffer(len(data))
            size = min(len(buffer), len(data))
            buffer[:size] = data[:size]
            tls.buffer_updated(size)
            rest = data[size:]
            while rest:  # larger than one buffer: feed the remainder the same way
                buffer = tls.get_buffer(len(rest))
                size = min(len(buffer), len(rest))
                buffer[:size] = rest[:size]
                tls.buffer_updated(size)
                rest = rest[size:]

        def eof_received(self) -> bool | None:
            return None  # nothing was sent: close

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()

    return SniffingProtocol
