"""Service status: ``GET /gw/api/v3/gateways/{gw}/services`` (docs/contract.md#s9).

Each published service is really probed: a DNS lookup of its host first (``DNS``), then a
``GET`` of the upstream URL with a 3 s timeout (1 s when the route preserves the host).
``env_host`` is computed from the live data-plane listener at request time, never stored.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
from typing import Any

import anyio.to_thread

from . import upstream_policy
from .context import SandboxContext
from .upstream_pool import (
    Timeouts,
    UpstreamConnectError,
    UpstreamError,
    UpstreamPool,
    UpstreamTimeout,
    encode_head,
)

TIMEOUT = 3.0
PRESERVE_HOST_TIMEOUT = 1.0


def upstream_url(service: dict[str, Any]) -> str:
    protocol = service.get("protocol") or "http"
    port = service.get("port") or (443 if protocol == "https" else 80)
    path = service.get("path") or "/"
    return f"{protocol}://{service.get('host')}:{port}{path}"


def _first_route(service: dict[str, Any]) -> dict[str, Any] | None:
    for route in service.get("routes") or []:
        if route.get("hosts"):
            return route
    return None


def _is_ssl(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if (
            isinstance(seen, ssl.SSLError)
            or "SSL" in type(seen).__name__
            or "CERTIFICATE" in str(seen).upper()
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_address(host: str) -> bool:
    """A plain IP address, which the resolver answers without asking DNS (a bracketed or
    zoned one still goes to the resolver, whose answer for it is the one Kong would see)."""
    if "%" in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def probe(pool: UpstreamPool, service: dict[str, Any], timeout: float) -> tuple[str, str]:
    """DNS, then a ``GET`` of the upstream URL read to its end (redirects not followed).

    The request goes over ``pool`` (asyncio streams, a handful of awaits) rather than an
    httpx client: with a class's other requests on the event loop, each await of httpx's
    many waits one loop turn, and a status took 100-300 ms where its own work is ~1 ms."""
    import httpx  # on first use: the sandbox starts ~0.25 s sooner without it

    host = str(service.get("host") or "")
    if not _is_address(host):  # an address literal needs no lookup (nor a resolver thread)
        try:
            lookup = asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
            await asyncio.wait_for(lookup, timeout)
        except (OSError, UnicodeError, TimeoutError):
            return "DOWN", "DNS"
    try:
        url = httpx.URL(upstream_url(service))  # as httpx read it: validated, encoded
        if url.scheme not in ("http", "https"):
            return "DOWN", "CON_ERR"  # httpx: UnsupportedProtocol
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        head = encode_head(
            "GET",
            url.raw_path.decode("ascii"),
            [
                ("host", url.netloc.decode("ascii")),
                ("accept", "*/*"),
                ("user-agent", f"python-httpx/{httpx.__version__}"),  # what it sent before
            ],
        )
        response = await pool.request(
            origin,
            head,
            None,
            chunked_body=False,
            method="GET",
            timeouts=Timeouts(timeout, timeout, timeout),
        )
        try:
            async for _ in response.chunks():
                pass  # read to the end, as a client that waits for the whole answer does
        finally:
            await response.aclose()
    except UpstreamTimeout:
        return "DOWN", "TIMEOUT"
    except UpstreamConnectError as exc:
        return "DOWN", "SSL" if _is_ssl(exc) else "CONNECTION"
    except UpstreamError as exc:
        return "DOWN", "SSL" if _is_ssl(exc) else "CON_ERR"
    except Exception:
        return "DOWN", "UNKNOWN"
    code = response.status
    if code in (401, 403):
        return "UP", f"AUTH {code}"
    if code < 400:
        return "UP", f"{code} Response"
    return "DOWN", f"{code} Response"


def _published(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    rows = ctx.db.query(
        "SELECT doc FROM kong_services WHERE gateway_id=? ORDER BY name", (gateway_id,)
    )
    services = []
    for row in rows:
        try:
            doc = json.loads(row["doc"])
        except ValueError:
            continue
        if isinstance(doc, dict):
            services.append(doc)
    return services


async def statuses(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    services = await anyio.to_thread.run_sync(_published, ctx, gateway_id)
    pool = UpstreamPool()  # this call's connections, closed when it answers

    async def one(service: dict[str, Any]) -> dict[str, Any]:
        route = _first_route(service)
        env_host = ctx.env_host(str(route["hosts"][0])) if route else None
        preserve = bool(route and route.get("preserve_host"))
        port = service.get("port")
        if await upstream_policy.refused_now(
            ctx, str(service.get("host") or ""), port if isinstance(port, int) else None
        ):
            status, reason = "DOWN", "CONNECTION"  # never probed: see upstream_policy
        else:
            status, reason = await probe(
                pool, service, PRESERVE_HOST_TIMEOUT if preserve else TIMEOUT
            )
        return {
            "name": service.get("name"),
            "upstream": upstream_url(service),
            "status": status,
            "reason": reason,
            "host": str(route["hosts"][0]) if preserve and route else None,
            "env_host": env_host,
        }

    try:
        return list(await asyncio.gather(*(one(s) for s in services)))
    finally:
        await pool.aclose()
