"""The data plane's HTTP/1.1 client: a stack of idle keep-alive connections per upstream origin.

One :class:`UpstreamPool` belongs to one sandbox (opened and closed by the data plane's
lifespan). A request takes the most recently used idle connection of its origin, or opens a
new one, writes the request head and body itself and parses the response head; the caller
reads the body through :meth:`UpstreamResponse.chunks` and :meth:`UpstreamResponse.aclose`
gives the connection back when the body was read to its end and both sides allow keep-alive.

Only asyncio and the standard library: measured with ``tests/benchmarks/bench_dataplane.py``,
an ``httpx.AsyncClient`` here cost about 2 ms per proxied request and capped the gateway near a
tenth of the upstream's own throughput. Each connection is an :class:`asyncio.Protocol` with a
byte buffer (:mod:`.upstream_connection`, no stream reader and writer): a request is one ``transport.write`` of its head
(and body), then at most one wait per read, with one timer armed only when it really waits.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from .upstream_connection import Connection

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
        conn: Connection,
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

    async def _more(self) -> None:
        if self._conn.eof:
            raise UpstreamError("the body broke off")
        try:
            await self._conn.more(self._timeout)
        except TimeoutError as exc:
            raise UpstreamTimeout("reading the body timed out") from exc

    async def _exactly(self, n: int) -> bytes:
        conn = self._conn
        while len(conn.buffer) < n:
            await self._more()
        return conn.take(n)

    async def _line(self) -> bytes:
        """The next line of a chunked body, without its CRLF."""
        conn = self._conn
        while (end := conn.buffer.find(b"\r\n")) < 0:
            if len(conn.buffer) > MAX_HEAD:
                raise UpstreamError("a chunk line is too long")
            await self._more()
        return conn.take(end + 2)[:-2]

    async def read_all(self) -> bytes:
        """The whole body, for responses with a known small length."""
        if self.length is not None and not self._done:
            body = await self._exactly(self.length)
            self._done = True
            return body
        return b"".join([part async for part in self.chunks()])

    async def chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        conn = self._conn
        if self._done:
            return
        if self.length is not None:
            left = self.length
            while left:
                if not conn.buffer:
                    if conn.eof:
                        raise UpstreamError("the body ended early")
                    await self._more()
                    continue
                part = conn.take(min(size, left))
                left -= len(part)
                yield part
        elif self._chunked:
            while True:
                line = await self._line()
                try:
                    n = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError as exc:
                    raise UpstreamError("bad chunk size") from exc
                if n == 0:
                    while await self._line():
                        pass  # trailers are dropped, as Kong does
                    break
                data = await self._exactly(n + 2)
                yield data[:-2]
        else:
            while conn.buffer or not conn.eof:  # until the upstream closes
                if conn.buffer:
                    yield conn.take(size)
                else:
                    try:
                        await conn.more(self._timeout)
                    except TimeoutError as exc:
                        raise UpstreamTimeout("reading the body timed out") from exc
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
        self._idle: dict[Origin, list[Connection]] = {}
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._tls: ssl.SSLContext | None = None

    def _ssl(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = _default_tls()
        return self._tls

    def _check_out(self, origin: Origin) -> Connection | None:
        stack = self._idle.get(origin)
        while stack:
            conn = stack.pop()
            if conn.usable(self._expiry):
                return conn
            conn.close()
        return None

    def check_in(self, origin: Origin, conn: Connection) -> None:
        stack = self._idle.setdefault(origin, [])
        if len(stack) < self._max_idle and conn.usable(self._expiry):
            conn.idle_since = time.monotonic()
            stack.append(conn)
        else:
            conn.close()

    async def _open(self, origin: Origin, timeout: float) -> Connection:
        scheme, host, port = origin
        tls = self._ssl() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(
                    lambda: Connection(loop),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(f"connecting to {host}:{port} timed out") from exc
        except (OSError, ssl.SSLError, UnicodeError, ValueError) as exc:
            raise UpstreamConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return conn

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
        conn: Connection,
        head: bytes,
        body: AsyncIterator[bytes] | None,
        chunked_body: bool,
        method: str,
        timeouts: Timeouts,
    ) -> UpstreamResponse:
        transport = conn.transport
        if transport is None or transport.is_closing():
            raise _StaleConnection
        transport.write(head)
        try:
            if body is not None:
                async for part in body:  # errors of the incoming body propagate unchanged
                    if conn.eof:
                        break  # the upstream hung up mid-body: its answer (if any) follows
                    if part:
                        transport.write(
                            b"%x\r\n%s\r\n" % (len(part), part) if chunked_body else part
                        )
                        await conn.drain(timeouts.write)
                if chunked_body and not conn.eof:
                    transport.write(b"0\r\n\r\n")
            await conn.drain(timeouts.write)
        except TimeoutError as exc:
            raise UpstreamTimeout("sending to the upstream timed out") from exc
        deadline = conn.loop.time() + timeouts.read
        try:
            while True:
                while (end := conn.buffer.find(b"\r\n\r\n")) < 0:
                    if len(conn.buffer) > MAX_HEAD:
                        raise UpstreamError("the response head is too large")
                    if conn.eof:
                        if not conn.buffer:
                            raise _StaleConnection
                        raise UpstreamError("the response head broke off")
                    await conn.more(deadline - conn.loop.time())
                if end > MAX_HEAD:
                    raise UpstreamError("the response head is too large")
                status, http11, headers = parse_head(conn.take(end + 4))
                if not 100 <= status < 200 or status == 101:
                    break  # interim responses (100 Continue) are skipped
        except TimeoutError as exc:
            raise UpstreamTimeout("the upstream did not answer in time") from exc
        return self._response(origin, conn, status, http11, headers, method, timeouts.read)

    def _response(
        self,
        origin: Origin,
        conn: Connection,
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
