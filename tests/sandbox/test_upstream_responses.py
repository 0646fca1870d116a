"""How the data plane's pool reads what an upstream answers, against raw loopback upstreams:
bodies without a length, answers that carry no body, and heads or bodies an HTTP client must
refuse. Each refusal is an :class:`UpstreamError` (the proxy turns it into Kong's 502), never a
hang, and a connection is reused only when its answer ended cleanly."""

from __future__ import annotations

import asyncio

import pytest

from tests.sandbox.test_upstream_pool import QUICK, fetch, get, raw_upstream, read_request
from tui.sandbox.upstream_pool import (
    Timeouts,
    UpstreamError,
    UpstreamPool,
    UpstreamTimeout,
    encode_head,
)


def answering(raw: bytes, *, then_close: bool = True):
    async def handler(reader, writer) -> None:
        while True:
            await read_request(reader)
            writer.write(raw)
            await writer.drain()
            if then_close:
                return

    return handler


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "malformed header line"),
        (b"HTTP/1.1 200 OK\r\n Folded: value\r\n\r\n", "malformed header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "bad Content-Length"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
            "bad Content-Length",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Ty", "the response head broke off"),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", "too large"),
    ],
)
async def test_a_head_no_http_client_could_read_is_an_upstream_error(raw, why) -> None:
    pool = UpstreamPool()
    async with raw_upstream(answering(raw)) as (port, _):
        with pytest.raises(UpstreamError, match=why):
            await fetch(pool, port)
    await pool.aclose()


async def test_a_bad_chunk_size_is_an_upstream_error() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n"
    pool = UpstreamPool()
    async with raw_upstream(answering(raw)) as (port, _):
        with pytest.raises(UpstreamError, match="bad chunk size"):
            await fetch(pool, port)
    await pool.aclose()


async def test_a_body_without_a_length_runs_until_the_upstream_closes() -> None:
    raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, " + b"x" * 100_000
    pool = UpstreamPool()
    async with raw_upstream(answering(raw)) as (port, connections):
        assert await fetch(pool, port) == (200, b"all of it, " + b"x" * 100_000)
        assert await fetch(pool, port) == (200, b"all of it, " + b"x" * 100_000)
        assert len(connections) == 2  # such a connection is never reused
    await pool.aclose()


async def test_a_length_larger_than_the_body_is_an_error_when_streamed() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"
    pool = UpstreamPool()
    async with raw_upstream(answering(raw)) as (port, _):
        origin, head = get(port)
        response = await pool.request(
            origin, head, None, chunked_body=False, method="GET", timeouts=QUICK
        )
        received = []
        with pytest.raises(UpstreamError, match="the body ended early"):
            async for part in response.chunks():
                received.append(part)
        await response.aclose()
    assert b"".join(received) == b"short"  # what came is passed on before the error
    await pool.aclose()


async def test_an_upstream_that_stalls_mid_body_times_out() -> None:
    async def stall(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
        await writer.drain()
        await asyncio.sleep(30)  # the upstream's silence the pool must not wait out

    pool = UpstreamPool()
    async with raw_upstream(stall) as (port, _):
        origin, head = get(port)
        quick = Timeouts(connect=2.0, read=0.5, write=2.0)
        response = await pool.request(
            origin, head, None, chunked_body=False, method="GET", timeouts=quick
        )
        with pytest.raises(UpstreamTimeout, match="reading the body timed out"):
            await response.read_all()
        await response.aclose()
    await pool.aclose()


@pytest.mark.parametrize(
    ("method", "raw"),
    [
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
        ("GET", b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"),
        ("GET", b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ],
)
async def test_an_answer_without_a_body_ends_at_its_head_and_keeps_the_connection(
    method, raw
) -> None:
    pool = UpstreamPool()
    async with raw_upstream(answering(raw, then_close=False)) as (port, connections):
        origin = ("http", "127.0.0.1", port)
        head = encode_head(method, "/x", [("host", f"127.0.0.1:{port}")])
        for _ in range(2):
            response = await pool.request(
                origin, head, None, chunked_body=False, method=method, timeouts=QUICK
            )
            assert await response.read_all() == b""
            await response.aclose()
        assert len(connections) == 1  # the next request went on the same connection
    await pool.aclose()
