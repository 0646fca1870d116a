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
    encode_head,
)

KONG_VERSION = "3.9.1"
BAD_GATEWAY = "An invalid response was received from the upstream server"
TIMED_OUT = "The upstream server is timing out"
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
}  # fmt: skip
# uvicorn writes its own Date and Server; the upstream's would be duplicates
_SKIP_BACK = frozenset(h.encode() for h in HOP_BY_HOP | {"date", "server"})
_VIA = (b"via", f"1.1 kong/{KONG_VERSION}".encode())
WHOLE_BODY_LIMIT = 256 * 1024  # bodies up to this size are read whole and sent at once


def kong_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = JSONResponse({"message": message}, status_code=status, headers=headers)
    response.headers["content-type"] = "application/json; charset=utf-8"
    response.headers["x-kong-response-latency"] = "0"
    return response


def _netloc(protocol: str, host: str, port: int) -> str:
    default = 443 if protocol == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"


def _request_headers(
    request: Request, match: Match, extra: dict[str, str | None], upstream_host: str
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The headers sent upstream, and the first value of each incoming header by name
    (one pass over the raw headers, which the server gives with lower-case names)."""
    incoming = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]]
    first: dict[str, str] = {}
    for name, value in incoming:
        first.setdefault(name, value)
    connection = first.get("connection", "")
    connection_tokens = {t.strip().lower() for t in connection.split(",") if t.strip()}
    client = request.scope.get("client")
    client_ip = client[0] if client else ""
    forwarded_for = first.get("x-forwarded-for")
    original_host = first.get("host", "")
    host_only, _, port = (
        original_host.rpartition(":") if ":" in original_host else (original_host, "", "")
    )
    replaced = {
        "host": original_host if match.route.preserve_host else upstream_host,
        "x-forwarded-for": f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip,
        "x-forwarded-proto": "http",
        "x-forwarded-host": host_only or original_host,
        "x-forwarded-port": port or str(request.url.port or 80),
        "x-forwarded-path": _path_of(request),
        "x-real-ip": client_ip,
    }
    # Expect: 100-continue is answered by our own server; the upstream gets the body outright
    drop = HOP_BY_HOP | connection_tokens | {"expect"} | {k.lower() for k in extra}
    headers = [(k, v) for k, v in incoming if k not in drop and k not in replaced]
    headers.extend(replaced.items())
    headers.extend((k, v) for k, v in extra.items() if v is not None)
    return headers, first


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
            await send(
                {"type": "http.response.start", "status": self.status_code,
                 "headers": self.raw_headers}
            )  # fmt: skip
            await _stream(upstream, receive, send)
        finally:
            await upstream.aclose()


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
    headers, first = _request_headers(request, match, extra, netloc)
    has_body = "transfer-encoding" in first or first.get("content-length", "0") not in ("", "0")
    chunked_body = has_body and "content-length" not in first
    if chunked_body:
        headers.append(("transfer-encoding", "chunked"))
    timeouts = Timeouts(service.connect_timeout, service.read_timeout, service.write_timeout)
    origin = (service.protocol, service.host, service.port)
    try:
        head = encode_head(request.method, target, headers)
    except UpstreamError:
        return kong_error(502, BAD_GATEWAY)
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
