"""Binding the sandbox's listening sockets (standard library only, so a sandbox process can
bind and report its ports before it imports anything heavy)."""

from __future__ import annotations

import socket

LISTENERS = ("portal", "data_plane", "upstream")


def bind(host: str, ports: dict[str, int]) -> dict[str, socket.socket]:
    """One listening socket per name in ``ports`` (port 0 picks a free one); all or none."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bound: dict[str, socket.socket] = {}
    try:
        for name, port in ports.items():
            # IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections; without it
            # every response waits for Nagle's delayed-ACK (~40 ms).
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            bound[name] = sock
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(512)
            sock.setblocking(False)
    except OSError:
        for sock in bound.values():
            sock.close()
        raise
    return bound
