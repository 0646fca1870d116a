"""Ports for tests that start ``sandbox serve`` on a port of their choosing.

A port the kernel handed out for ``bind(0)`` lies in the ephemeral range, where any outgoing
connection of another test worker can take it (or its neighbour) between the probe and the
serve. These blocks come from below that range (20000-31999), a slice per xdist worker, so
only a test that asked for one can hold it.
"""

from __future__ import annotations

import itertools
import os
import random
import socket

_FIRST, _LAST = 20_000, 32_000
_SLICE = 1_500  # eight workers fit below the ephemeral range


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) % ((_LAST - _FIRST) // _SLICE) if digits.isdigit() else 0


_start = _FIRST + _worker_index() * _SLICE
_blocks = itertools.count(random.randrange(_SLICE // 10))  # blocks of ten ports


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int = 3) -> int:  # count ≤ 10
    """A port whose next ``count - 1`` neighbours are free too (``sandbox serve`` uses port+1,
    +2), from this worker's slice."""
    for _ in range(_SLICE // 10):
        base = _start + next(_blocks) % (_SLICE // 10) * 10
        if all(_bindable(base + offset) for offset in range(count)):
            return base
    raise RuntimeError("no block of free ports in this worker's slice")
