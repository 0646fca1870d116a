"""Forwarding a matched request to its service's upstream, as Kong's proxy does.

One ``httpx.AsyncClient`` per event loop (the sandbox runs one loop; tests may run several
sandboxes in one process), never reading proxy settings from the environment, over the
:mod:`upstream_pool` transport. Request and
response bodies stream through. Connection failures answer 502 and timeouts 504 with Kong's
bodies; connection failures of body-less requests are retried ``retries`` times.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
import weakref
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .kong_router import Match
from .upstream_pool import UpstreamTransport

KONG_VERSION = "3.9.1"
BAD_GATEWAY = "An invalid response was received from the upstream server"
TIMED_OUT = "The upstream server is timing out"
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
}  # fmt: skip

# httpcore asks ``import sniffio`` on every pooled request; when sniffio is not installed the
# failed import searches sys.path each time (~0.3 ms, twice per proxied request). Recording
# the absence once (``None`` in sys.modules makes the import fail at once, the documented
# negative cache) gives httpcore the same answer, "asyncio", without the search.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def shared_client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(
            transport=UpstreamTransport(),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(60.0),
        )
        _clients[loop] = client
    return client


async def close_shared_client() -> None:
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


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
) -> list[tuple[str, str]]:
    connection_tokens = {
        t.strip().lower() for t in request.headers.get("connection", "").split(",") if t.strip()
    }
    # Expect: 100-continue is answered by our own server; the upstream gets the body outright
    drop = HOP_BY_HOP | connection_tokens | {"host", "expect"} | {k.lower() for k in extra}
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in drop]
    client_ip = request.client.host if request.client else ""
    forwarded_for = request.headers.get("x-forwarded-for")
    original_host = request.headers.get("host", "")
    host_only, _, port = (
        original_host.rpartition(":") if ":" in original_host else (original_host, "", "")
    )
    replaced = {
        "host": original_host if match.route.preserve_host else upstream_host,
        "x-forwarded-for": f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip,
        "x-forwarded-proto": "http",
        "x-forwarded-host": host_only or original_host,
        "x-forwarded-port": port or str(request.url.port or 80),
        "x-forwarded-path": request.url.path,
        "x-real-ip": client_ip,
    }
    headers = [(k, v) for k, v in headers if k.lower() not in replaced]
    headers.extend(replaced.items())
    headers.extend((k, v) for k, v in extra.items() if v is not None)
    return headers


async def _stream(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        return  # the upstream broke off mid-body: end ours too
    finally:
        await upstream.aclose()


async def forward(
    request: Request, match: Match, extra: dict[str, str | None], started: float
) -> Response:
    service = match.route.service
    netloc = _netloc(service.protocol, service.host, service.port)
    path = quote(match.upstream_path, safe="/:@!$&'()*+,;=-._~")
    query = request.url.query
    url = f"{service.protocol}://{netloc}{path}" + (f"?{query}" if query else "")
    headers = _request_headers(request, match, extra, netloc)
    has_body = "transfer-encoding" in request.headers or request.headers.get(
        "content-length", "0"
    ) not in ("", "0")
    timeout = httpx.Timeout(
        connect=service.connect_timeout,
        read=service.read_timeout,
        write=service.write_timeout,
        pool=service.connect_timeout,
    )
    client = shared_client()
    attempts = 1 if has_body else 1 + max(0, service.retries)
    proxy_latency = int((time.perf_counter() - started) * 1000)
    sent_at = time.perf_counter()
    upstream: httpx.Response | None = None
    for attempt in range(attempts):
        outgoing = client.build_request(
            request.method,
            url,
            headers=headers,
            content=request.stream() if has_body else None,
            timeout=timeout,
        )
        try:
            upstream = await client.send(outgoing, stream=True)
            break
        except httpx.TimeoutException:
            return kong_error(504, TIMED_OUT)
        except httpx.ConnectError:
            if attempt + 1 >= attempts:
                return kong_error(502, BAD_GATEWAY)
        except (httpx.HTTPError, ValueError):
            return kong_error(502, BAD_GATEWAY)
    assert upstream is not None
    # uvicorn writes its own Date and Server; the upstream's would be duplicates
    skip = HOP_BY_HOP | {"date", "server"}
    raw_headers = [
        (k, v) for k, v in upstream.headers.raw if k.decode("latin-1").lower() not in skip
    ]
    raw_headers += [
        (b"x-kong-upstream-latency", str(int((time.perf_counter() - sent_at) * 1000)).encode()),
        (b"x-kong-proxy-latency", str(proxy_latency).encode()),
        (b"via", f"1.1 kong/{KONG_VERSION}".encode()),
    ]
    response = StreamingResponse(_stream(upstream), status_code=upstream.status_code)
    response.raw_headers = raw_headers
    return response
