"""An httpx transport for the data plane's upstream calls: a plain stack of idle keep-alive
connections per origin.

httpx's default pool (httpcore 1.0) re-examines every pooled connection, with a socket
poll each, whenever any request starts or ends; with the fifty or so connections a busy
class opens, that scan costs more than the proxying itself. Here a request takes the most
recently used idle connection of its origin (one poll to check it is still open) or opens a
new one, and gives it back when its response is closed. The HTTP/1.1 work itself is
httpcore's, so timeouts and errors are what httpx would give.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import httpcore
import httpx

Key = tuple[bytes, bytes, int]

_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except httpx.HTTPError:
        raise
    except Exception as exc:
        for source, target in _ERRORS:  # most specific first
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(
        self, stream: httpcore.AsyncConnectionInterface, pool: UpstreamTransport, key: Key, conn
    ) -> None:
        self._stream = stream
        self._pool = pool
        self._key = key
        self._conn = conn
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:  # type: ignore[attr-defined]
                yield part

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        with _as_httpx_errors():
            await self._stream.aclose()  # type: ignore[attr-defined]
        await self._pool._check_in(self._key, self._conn)


class UpstreamTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_idle_per_origin: int = 128, keepalive_expiry: float = 30.0) -> None:
        self._idle: dict[Key, list[httpcore.AsyncHTTPConnection]] = {}
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._ssl = httpx.create_ssl_context()

    async def _check_out(self, key: Key) -> httpcore.AsyncHTTPConnection | None:
        stack = self._idle.get(key)
        while stack:
            conn = stack.pop()
            if conn.is_idle() and not conn.has_expired():
                return conn
            await conn.aclose()
        return None

    async def _check_in(self, key: Key, conn: httpcore.AsyncHTTPConnection) -> None:
        stack = self._idle.setdefault(key, [])
        if conn.is_idle() and len(stack) < self._max_idle:
            stack.append(conn)
        else:
            await conn.aclose()

    def _new(self, origin: httpcore.Origin) -> httpcore.AsyncHTTPConnection:
        return httpcore.AsyncHTTPConnection(
            origin=origin,
            ssl_context=self._ssl if origin.scheme == b"https" else None,
            keepalive_expiry=self._expiry,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        scheme = request.url.raw_scheme
        port = request.url.port or (443 if scheme == b"https" else 80)
        origin = httpcore.Origin(scheme=scheme, host=request.url.raw_host, port=port)
        key: Key = (scheme, request.url.raw_host, port)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=scheme, host=request.url.raw_host, port=port, target=request.url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        conn = await self._check_out(key) or self._new(origin)
        try:
            with _as_httpx_errors():
                try:
                    response = await conn.handle_async_request(core_request)
                except httpcore.ConnectionNotAvailable:  # closed between check and use
                    await conn.aclose()
                    conn = self._new(origin)
                    response = await conn.handle_async_request(core_request)
        except BaseException:
            await conn.aclose()
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, self, key, conn),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        stacks, self._idle = self._idle, {}
        for stack in stacks.values():
            for conn in stack:
                await conn.aclose()
