"""The data plane's HTTP/1.1 client: a stack of idle keep-alive connections per upstream origin.

One :class:`UpstreamPool` belongs to one sandbox (opened and closed by the data plane's
lifespan). A request takes the most recently used idle connection of its origin, or opens a
new one, writes the request head and body itself and parses the response head; the caller
reads the body through :meth:`UpstreamResponse.chunks` and :meth:`UpstreamResponse.aclose`
gives the connection back when the body was read to its end and both sides allow keep-alive.

Only asyncio streams and the standard library: measured with
``tests/benchmarks/bench_dataplane.py``, an ``httpx.AsyncClient`` here cost about 2 ms per
proxied request and capped the gateway near a tenth of the upstream's own throughput.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

Origin = tuple[str, str, int]  # scheme, host, port
MAX_HEAD = 64 * 1024
NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamError(Exception):
    """The upstream could not be reached or broke the protocol (Kong answers 502)."""


class UpstreamConnectError(UpstreamError):
    """No connection could be opened (refused, unknown host, TLS failure)."""


class UpstreamTimeout(UpstreamError):
    """Connecting, sending or waiting for the upstream took longer than allowed (504)."""


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float
    write: float


class _Connection:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    def usable(self, expiry: float) -> bool:
        return (
            not self.reader.at_eof()
            and not self.writer.is_closing()
            and time.monotonic() - self.idle_since < expiry
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


def _clean(value: str) -> str:
    if "\r" in value or "\n" in value or "\0" in value:
        raise UpstreamError("header value with a line break")
    return value


def encode_head(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {_clean(target)} HTTP/1.1"]
    lines.extend(f"{_clean(k)}: {_clean(v)}" for k, v in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def parse_head(head: bytes) -> tuple[int, bool, list[tuple[bytes, bytes]]]:
    """(status, HTTP/1.1?, raw headers) of a response head ending in a blank line."""
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise UpstreamError("not an HTTP/1 status line")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise UpstreamError("malformed header line")
        headers.append((name.lower(), value.strip()))
    return int(parts[1]), parts[0] == b"HTTP/1.1", headers


class UpstreamResponse:
    """A response whose head has arrived; its body is read through :meth:`chunks`."""

    def __init__(
        self,
        pool: UpstreamPool,
        origin: Origin,
        conn: _Connection,
        status: int,
        headers: list[tuple[bytes, bytes]],
        *,
        length: int | None,
        chunked: bool,
        reusable: bool,
        read_timeout: float,
    ) -> None:
        self.status = status
        self.headers = headers
        self.length = length  # None: chunked or until the connection closes
        self._pool, self._origin, self._conn = pool, origin, conn
        self._chunked = chunked
        self._reusable = reusable
        self._timeout = read_timeout
        self._done = length == 0
        self._closed = False

    async def _read(self, coro):
        try:
            async with asyncio.timeout(self._timeout):
                return await coro
        except TimeoutError as exc:
            raise UpstreamTimeout("reading the body timed out") from exc
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise UpstreamError(f"the body broke off: {exc}") from exc

    async def read_all(self) -> bytes:
        """The whole body, for responses with a known small length."""
        if self.length is not None and not self._done:
            body = await self._read(self._conn.reader.readexactly(self.length))
            self._done = True
            return body
        return b"".join([part async for part in self.chunks()])

    async def chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        reader = self._conn.reader
        if self._done:
            return
        if self.length is not None:
            left = self.length
            while left:
                part = await self._read(reader.read(min(size, left)))
                if not part:
                    raise UpstreamError("the body ended early")
                left -= len(part)
                yield part
        elif self._chunked:
            while True:
                line = await self._read(reader.readuntil(b"\r\n"))
                try:
                    n = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError as exc:
                    raise UpstreamError("bad chunk size") from exc
                if n == 0:
                    while await self._read(reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers are dropped, as Kong does
                    break
                data = await self._read(reader.readexactly(n + 2))
                yield data[:-2]
        else:
            while part := await self._read(reader.read(size)):
                yield part
        self._done = True

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._done and self._reusable:
            self._pool.check_in(self._origin, self._conn)
        else:
            self._conn.close()


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The trust store for https upstreams, loaded once per process (reading the bundle
    costs tens of milliseconds; a status call makes a pool of its own each time)."""
    try:
        import certifi  # what httpx trusts; the system store otherwise

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


class UpstreamPool:
    def __init__(self, *, max_idle_per_origin: int = 128, keepalive_expiry: float = 30.0) -> None:
        self._idle: dict[Origin, list[_Connection]] = {}
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._tls: ssl.SSLContext | None = None

    def _ssl(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = _default_tls()
        return self._tls

    def _check_out(self, origin: Origin) -> _Connection | None:
        stack = self._idle.get(origin)
        while stack:
            conn = stack.pop()
            if conn.usable(self._expiry):
                return conn
            conn.close()
        return None

    def check_in(self, origin: Origin, conn: _Connection) -> None:
        stack = self._idle.setdefault(origin, [])
        if len(stack) < self._max_idle and conn.usable(self._expiry):
            conn.idle_since = time.monotonic()
            stack.append(conn)
        else:
            conn.close()

    async def _open(self, origin: Origin, timeout: float) -> _Connection:
        scheme, host, port = origin
        tls = self._ssl() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None, limit=MAX_HEAD
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(f"connecting to {host}:{port} timed out") from exc
        except (OSError, ssl.SSLError, UnicodeError, ValueError) as exc:
            raise UpstreamConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return _Connection(reader, writer)

    async def request(
        self,
        origin: Origin,
        head: bytes,
        body: AsyncIterator[bytes] | None,
        *,
        chunked_body: bool,
        method: str,
        timeouts: Timeouts,
    ) -> UpstreamResponse:
        """Send one request (``head`` from :func:`encode_head`); returns once the response
        head arrived. A reused connection that turns out closed is replaced once when there
        is no body to resend."""
        conn = self._check_out(origin)
        reused = conn is not None
        while True:
            if conn is None:
                conn = await self._open(origin, timeouts.connect)
            try:
                return await self._exchange(
                    origin, conn, head, body, chunked_body, method, timeouts
                )
            except _StaleConnection as exc:
                conn.close()
                if not reused or body is not None:
                    raise UpstreamError("the upstream closed the connection") from exc
                conn, reused = None, False
            except BaseException:
                conn.close()
                raise

    async def _exchange(
        self,
        origin: Origin,
        conn: _Connection,
        head: bytes,
        body: AsyncIterator[bytes] | None,
        chunked_body: bool,
        method: str,
        timeouts: Timeouts,
    ) -> UpstreamResponse:
        writer, reader = conn.writer, conn.reader
        try:
            writer.write(head)
            if body is not None:
                async for part in body:  # errors of the incoming body propagate unchanged
                    if part:
                        writer.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked_body else part)
                        async with asyncio.timeout(timeouts.write):
                            await writer.drain()
                if chunked_body:
                    writer.write(b"0\r\n\r\n")
            if writer.transport.get_write_buffer_size():  # the kernel did not take it all
                async with asyncio.timeout(timeouts.write):
                    await writer.drain()
            else:
                await writer.drain()  # nothing to wait for: no timer (a write error surfaces)
        except TimeoutError as exc:
            raise UpstreamTimeout("sending to the upstream timed out") from exc
        except OSError as exc:
            raise _StaleConnection from exc
        try:
            async with asyncio.timeout(timeouts.read):
                while True:
                    raw = await reader.readuntil(b"\r\n\r\n")
                    status, http11, headers = parse_head(raw)
                    if not 100 <= status < 200 or status == 101:
                        break  # interim responses (100 Continue) are skipped
        except TimeoutError as exc:
            raise UpstreamTimeout("the upstream did not answer in time") from exc
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise _StaleConnection from exc
            raise UpstreamError("the response head broke off") from exc
        except asyncio.LimitOverrunError as exc:
            raise UpstreamError("the response head is too large") from exc
        except OSError as exc:
            raise _StaleConnection from exc
        return self._response(origin, conn, status, http11, headers, method, timeouts.read)

    def _response(
        self,
        origin: Origin,
        conn: _Connection,
        status: int,
        http11: bool,
        headers: list[tuple[bytes, bytes]],
        method: str,
        read_timeout: float,
    ) -> UpstreamResponse:
        length: int | None = None
        chunked = False
        close = not http11
        for name, value in headers:
            if name == b"content-length":
                if not value.isdigit() or (length is not None and length != int(value)):
                    raise UpstreamError("bad Content-Length")
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value.lower().rsplit(b",", 1)[-1].strip() == b"chunked"
            elif name == b"connection":
                tokens = {t.strip() for t in value.lower().split(b",")}
                close = b"close" in tokens or (not http11 and b"keep-alive" not in tokens)
        if method == "HEAD" or status in NO_BODY_STATUSES or status < 200:
            length, chunked = 0, False
        elif chunked:
            length = None
        elif length is None:
            close = True  # the body runs until the connection closes
        return UpstreamResponse(
            self,
            origin,
            conn,
            status,
            headers,
            length=length,
            chunked=chunked,
            reusable=not close,
            read_timeout=read_timeout,
        )

    async def aclose(self) -> None:
        stacks, self._idle = self._idle, {}
        for stack in stacks.values():
            for conn in stack:
                conn.close()


class _StaleConnection(Exception):
    """The connection was closed before any byte of a response arrived."""
