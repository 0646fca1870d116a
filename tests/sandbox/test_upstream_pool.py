"""The data plane's own keep-alive pool against raw loopback upstreams that misbehave in ways
the built-in upstream never does (chunked bodies, closing after each answer, garbage, a body
cut short), and one pool per sandbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tui.sandbox.upstream_pool import (
    Timeouts,
    UpstreamConnectError,
    UpstreamError,
    UpstreamPool,
    UpstreamTimeout,
    encode_head,
)

QUICK = Timeouts(connect=2.0, read=2.0, write=2.0)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_upstream(handler: Handler) -> AsyncIterator[tuple[int, list[int]]]:
    """A loopback server running ``handler`` per connection; yields (port, connection ids)."""
    connections: list[int] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(id(writer))
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def get(port: int) -> tuple[tuple[str, str, int], bytes]:
    return ("http", "127.0.0.1", port), encode_head("GET", "/x", [("host", f"127.0.0.1:{port}")])


async def fetch(pool: UpstreamPool, port: int) -> tuple[int, bytes]:
    origin, head = get(port)
    response = await pool.request(
        origin, head, None, chunked_body=False, method="GET", timeouts=QUICK
    )
    try:
        return response.status, await response.read_all()
    finally:
        await response.aclose()


async def test_keep_alive_connection_is_reused_for_the_next_request() -> None:
    async def answer(reader, writer) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    pool = UpstreamPool()
    async with raw_upstream(answer) as (port, connections):
        assert await fetch(pool, port) == (200, b"ok")
        assert await fetch(pool, port) == (200, b"ok")
        assert len(connections) == 1
    await pool.aclose()


async def test_chunked_body_is_decoded_and_trailers_dropped() -> None:
    async def answer(reader, writer) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n"
        )
        await writer.drain()
        await reader.read()  # keep the connection open

    pool = UpstreamPool()
    async with raw_upstream(answer) as (port, _):
        assert await fetch(pool, port) == (200, b"abcdefg")
    await pool.aclose()


async def test_upstream_that_closes_after_each_answer_gets_a_fresh_connection() -> None:
    async def answer_once(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n1")
        await writer.drain()

    pool = UpstreamPool()
    async with raw_upstream(answer_once) as (port, connections):
        for _ in range(3):
            assert await fetch(pool, port) == (200, b"1")
        assert len(connections) == 3
    await pool.aclose()


async def test_a_pooled_connection_closed_by_the_upstream_is_replaced_without_an_error() -> None:
    """The upstream drops idle keep-alive connections (as servers do on their timeout)."""
    served = 0

    async def answer_then_drop(reader, writer) -> None:
        nonlocal served
        await read_request(reader)
        served += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        # says keep-alive, then closes as soon as the answer is out

    pool = UpstreamPool()
    async with raw_upstream(answer_then_drop) as (port, connections):
        assert await fetch(pool, port) == (200, b"ok")
        assert await fetch(pool, port) == (200, b"ok")
        assert served == 2 and len(connections) == 2
    await pool.aclose()


async def test_garbage_instead_of_a_status_line_is_an_upstream_error() -> None:
    async def garbage(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()

    pool = UpstreamPool()
    async with raw_upstream(garbage) as (port, _):
        with pytest.raises(UpstreamError):
            await fetch(pool, port)
    await pool.aclose()


async def test_a_body_cut_short_is_an_error_and_the_connection_is_not_reused() -> None:
    async def short(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()

    pool = UpstreamPool()
    async with raw_upstream(short) as (port, connections):
        with pytest.raises(UpstreamError):
            await fetch(pool, port)
        with pytest.raises(UpstreamError):
            await fetch(pool, port)
        assert len(connections) == 2
    await pool.aclose()


async def test_silent_upstream_times_out_and_refused_port_is_a_connect_error() -> None:
    async def silent(reader, writer) -> None:
        await reader.read()

    pool = UpstreamPool()
    async with raw_upstream(silent) as (port, _):
        origin, head = get(port)
        with pytest.raises(UpstreamTimeout):
            await pool.request(
                origin,
                head,
                None,
                chunked_body=False,
                method="GET",
                timeouts=Timeouts(connect=2.0, read=0.2, write=2.0),
            )
    with pytest.raises(UpstreamConnectError):
        await fetch(pool, port)  # the server is gone now
    await pool.aclose()


def test_header_values_with_line_breaks_are_refused_before_sending() -> None:
    with pytest.raises(UpstreamError):
        encode_head("GET", "/", [("x-consumer-username", "a\r\nX-Injected: 1")])
