"""Forwarding a matched request to its service's upstream, as Kong's proxy does.

The request goes out over the sandbox's own :class:`~.upstream_pool.UpstreamPool` (one per
sandbox, kept in the data plane's lifespan state), never through proxy settings from the
environment. Request bodies stream through; small response bodies with a known length are
read whole and sent in one message, others stream. Connection failures answer 502 and
timeouts 504 with Kong's bodies; connection failures of body-less requests are retried
``retries`` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .kong_router import Match
from .upstream_pool import (
    Timeouts,
    UpstreamConnectError,
    UpstreamError,
    UpstreamPool,
    UpstreamResponse,
    UpstreamTimeout,
)

KONG_VERSION = "3.9.1"
BAD_GATEWAY = "An invalid response was received from the upstream server"
TIMED_OUT = "The upstream server is timing out"
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
}  # fmt: skip
# uvicorn writes its own Date (its Server header is off); the upstream's would be duplicates
_SKIP_BACK = frozenset(h.encode() for h in HOP_BY_HOP | {"date", "server"})
_VIA = (b"via", f"1.1 kong/{KONG_VERSION}".encode())
WHOLE_BODY_LIMIT = 256 * 1024  # bodies up to this size are read whole and sent at once
HTTP_1_0_BODY_LIMIT = 8 * 1024 * 1024  # an HTTP/1.0 client's answer of unknown length


def kong_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = JSONResponse({"message": message}, status_code=status, headers=headers)
    response.headers["content-type"] = "application/json; charset=utf-8"
    response.headers["x-kong-response-latency"] = "0"
    return response


def _netloc(protocol: str, host: str, port: int) -> str:
    default = 443 if protocol == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"


_DROP = frozenset(h.encode() for h in HOP_BY_HOP | {"expect"})
_REPLACED = frozenset(
    b"host x-forwarded-for x-forwarded-proto x-forwarded-host x-forwarded-port "
    b"x-forwarded-path x-real-ip".split()
)
_UNSAFE = (b"\r", b"\n", b"\0")


@functools.lru_cache(maxsize=64)
def _names(names: tuple[str, ...]) -> frozenset[bytes]:
    """Lower-case header names as bytes (the plugin's few header sets, encoded once)."""
    return frozenset(_text(name.lower()) for name in names)


def _text(value: str) -> bytes:
    return value.encode("latin-1", "replace")


def request_head(
    request: Request, match: Match, extra: dict[str, str | None], upstream_host: str, target: str
) -> tuple[bytes, dict[bytes, bytes]]:
    """The request head sent upstream, and the first value of each incoming header by name.

    The incoming headers stay the bytes they arrived as (the server gives lower-case names);
    one pass drops hop-by-hop ones and those Kong replaces. Raises :class:`UpstreamError` for
    a value that would split the head (a line break or NUL)."""
    incoming: list[tuple[bytes, bytes]] = request.scope["headers"]
    first: dict[bytes, bytes] = {}
    for name, value in incoming:
        first.setdefault(name, value)
    drop = _DROP | _REPLACED
    connection = first.get(b"connection")
    if connection:
        drop = drop | {t.strip().lower() for t in connection.split(b",") if t.strip()}
    if extra:
        drop = drop | _names(tuple(extra))
    client = request.scope.get("client")
    client_ip = client[0] if client else ""
    forwarded_for = first.get(b"x-forwarded-for")
    original_host = first.get(b"host", b"").decode("latin-1")
    host_only, _, port = (
        original_host.rpartition(":") if ":" in original_host else (original_host, "", "")
    )
    forwarded = f"{forwarded_for.decode('latin-1')}, {client_ip}" if forwarded_for else client_ip
    host = original_host if match.route.preserve_host else upstream_host
    # Kong's own headers and the plugin's, as text, encoded once
    tail = (
        f"{request.method} {target} HTTP/1.1\n"
        f"host: {host}\nx-forwarded-for: {forwarded}\nx-forwarded-proto: http\n"
        f"x-forwarded-host: {host_only or original_host}\n"
        f"x-forwarded-port: {port or str(request.url.port or 80)}\n"
        f"x-forwarded-path: {_path_of(request)}\nx-real-ip: {client_ip}"
    )
    breaks = 7
    for key, text in extra.items():
        if text is not None:
            tail += f"\n{key}: {text}"
            breaks += 1
    if tail.count("\n") != breaks or "\r" in tail or "\0" in tail:
        raise UpstreamError("header value with a line break")  # it would split the head
    kept = [b"%s: %s" % (k, v) for k, v in incoming if k not in drop]
    if any(c in b"".join(kept) for c in _UNSAFE):
        raise UpstreamError("header value with a line break")
    lines = tail.encode("latin-1", "replace").split(b"\n")
    lines[1:1] = kept
    lines.append(b"\r\n")
    return b"\r\n".join(lines), first


def _path_of(request: Request) -> str:
    """``request.url.path``; the data plane's own requests know it without building a URL."""
    path = getattr(request, "path", None)
    return path if isinstance(path, str) else request.url.path


class ProxiedResponse:
    """The upstream's answer, sent to the client as an ASGI app (status, headers, body)."""

    def __init__(self, upstream: UpstreamResponse, headers: list[tuple[bytes, bytes]]) -> None:
        self.upstream = upstream
        self.status_code = upstream.status
        self.raw_headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        upstream = self.upstream
        try:
            if upstream.length is not None and upstream.length <= WHOLE_BODY_LIMIT:
                try:
                    body = await upstream.read_all()
                except UpstreamError:
                    body = b""  # the upstream broke off: ours ends short too
                await upstream.aclose()  # the connection goes back before we write
                start = {"type": "http.response.start", "status": self.status_code}
                await send(start | {"headers": self.raw_headers})
                await send({"type": "http.response.body", "body": body})
                return
            if upstream.length is None and scope.get("http_version") == "1.0":
                await self._whole_for_http_1_0(scope, receive, send)
                return
            await send(
                {"type": "http.response.start", "status": self.status_code,
                 "headers": self.raw_headers}
            )  # fmt: skip
            await _stream(upstream, receive, send)
        finally:
            await upstream.aclose()

    async def _whole_for_http_1_0(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An answer of unknown length for an HTTP/1.0 client, read whole and sent with its
        length: uvicorn would frame it chunked, which such a client cannot read (chunk sizes
        would show in its body). Past :data:`HTTP_1_0_BODY_LIMIT` the answer is a 502."""
        parts: list[bytes] = []
        size = 0
        with contextlib.suppress(UpstreamError):  # the upstream broke off: ours ends short too
            async for part in self.upstream.chunks():
                size += len(part)
                if size > HTTP_1_0_BODY_LIMIT:
                    await self.upstream.aclose()
                    await kong_error(502, BAD_GATEWAY)(scope, receive, send)
                    return
                parts.append(part)
        await self.upstream.aclose()
        headers = self.raw_headers + [(b"content-length", str(size).encode())]
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": b"".join(parts)})


async def _stream(upstream: UpstreamResponse, receive: Receive, send: Send) -> None:
    """Copy the body until it ends or the client goes away (then stop reading upstream)."""

    async def pump() -> None:
        with contextlib.suppress(UpstreamError):  # the upstream broke off mid-body
            async for part in upstream.chunks():
                await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    pumping, watching = asyncio.create_task(pump()), asyncio.create_task(gone())
    try:
        await asyncio.wait((pumping, watching), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (pumping, watching):
            task.cancel()
        await asyncio.gather(pumping, watching, return_exceptions=True)
    if pumping.done() and not pumping.cancelled() and pumping.exception() is not None:
        raise pumping.exception()  # type: ignore[misc]


async def forward(
    request: Request,
    match: Match,
    extra: dict[str, str | None],
    started: float,
    pool: UpstreamPool,
) -> Response | ProxiedResponse:
    service = match.route.service
    netloc = _netloc(service.protocol, service.host, service.port)
    target = quote(match.upstream_path, safe="/:@!$&'()*+,;=-._~")
    query = request.scope.get("query_string", b"").decode("latin-1")
    if query:
        target = f"{target}?{query}"
    try:
        head, first = request_head(request, match, extra, netloc, target)
    except UpstreamError:
        return kong_error(502, BAD_GATEWAY)
    has_body = b"transfer-encoding" in first or first.get(b"content-length", b"0") not in (
        b"",
        b"0",
    )
    chunked_body = has_body and b"content-length" not in first
    if chunked_body:  # one more header line, before the blank one
        head = head[:-2] + b"transfer-encoding: chunked\r\n\r\n"
    timeouts = Timeouts(service.connect_timeout, service.read_timeout, service.write_timeout)
    origin = (service.protocol, service.host, service.port)
    attempts = 1 if has_body else 1 + max(0, service.retries)
    proxy_latency = int((time.perf_counter() - started) * 1000)
    sent_at = time.perf_counter()
    upstream: UpstreamResponse | None = None
    for attempt in range(attempts):
        try:
            upstream = await pool.request(
                origin,
                head,
                request.stream() if has_body else None,
                chunked_body=chunked_body,
                method=request.method,
                timeouts=timeouts,
            )
            break
        except UpstreamTimeout:
            return kong_error(504, TIMED_OUT)
        except UpstreamConnectError:
            if attempt + 1 >= attempts:
                return kong_error(502, BAD_GATEWAY)
        except UpstreamError:
            return kong_error(502, BAD_GATEWAY)
    assert upstream is not None
    raw_headers = [(k, v) for k, v in upstream.headers if k not in _SKIP_BACK]
    raw_headers += [
        (b"x-kong-upstream-latency", str(int((time.perf_counter() - sent_at) * 1000)).encode()),
        (b"x-kong-proxy-latency", str(proxy_latency).encode()),
        _VIA,
    ]
    return ProxiedResponse(upstream, raw_headers)
