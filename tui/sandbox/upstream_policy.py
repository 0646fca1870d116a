"""Which upstreams a class sandbox may reach: not the trainer's own machine or private network.

A class sandbox (``sandbox serve``) runs on a trainer's laptop; without this rule a learner
could publish ``http://127.0.0.1:22`` or ``http://10.0.0.1/admin`` and use the data plane or
the status probe to reach it. Unless ``SandboxConfig.allow_local_upstreams`` is set (the
embedded single-user sandbox sets it: its built-in upstream is on loopback), upstreams on
loopback, private, link-local, unspecified, multicast or reserved addresses are refused — at
publish from the host as written (every spelling ``inet_aton`` accepts, e.g. ``127.1`` or
``2130706433``), and at proxy and status time from what DNS answers then, since a name can
change address after it was published. The sandbox's own built-in upstream is always allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from .context import SandboxContext

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
REFUSED = (
    "The sandbox refuses upstreams on the trainer's machine or private network "
    "(a trainer can allow them with `sandbox serve --allow-local-upstreams`)"
)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = host.strip("[]")
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        try:  # the spellings the resolver accepts: 127.1, 0x7f000001, 2130706433 …
            address = ipaddress.IPv4Address(socket.inet_aton(text))
        except (OSError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
        or not address.is_global
    )


def _builtin(ctx: SandboxContext, host: str, port: int | None) -> bool:
    upstream_port = ctx.bound.get("upstream", ctx.config.upstream_port)
    names = {"localhost", "127.0.0.1", "::1", ctx.advertised_host.lower(), ctx.config.host}
    return port == upstream_port and host.strip("[]").lower() in names


def _written_local(host: str) -> bool:
    name = host.strip("[]").lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    address = _address(name)
    return address is not None and is_private(address)


def refused_as_written(ctx: SandboxContext, host: str, port: int | None) -> bool:
    """Publish-time rule, from the host as written (no DNS lookup)."""
    if ctx.config.allow_local_upstreams or _builtin(ctx, host, port):
        return False
    return _written_local(host)


async def refused_now(ctx: SandboxContext, host: str, port: int | None) -> bool:
    """Proxy- and status-time rule: the written host, then every address DNS gives it now."""
    if ctx.config.allow_local_upstreams or _builtin(ctx, host, port):
        return False
    if _written_local(host):
        return True
    if _address(host) is not None:
        return False  # a public literal address
    try:
        infos = await asyncio.wait_for(
            asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM), 3.0
        )
    except (OSError, UnicodeError, TimeoutError):
        return False  # unresolvable: the connection itself will fail
    for info in infos:
        address = _address(str(info[4][0]))
        if address is None or is_private(address):
            return True
    return False
