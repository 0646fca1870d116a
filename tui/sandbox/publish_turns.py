"""When a publish runs: one at a time per learner, each in a lane of worker threads.

Publishes (and deletes of a gateway's configuration) run in worker threads, since parsing and
checking a config takes time. Thirty learners publishing at once in thirty threads fought the
event loop for the GIL (and for the write lock a waiting thread held): every request on the
sandbox stalled 75-90 ms in ``tests/benchmarks/bench_class.py``; two threads at a time,
21-37 ms. So a sandbox has lanes, each a few threads wide, and a config larger than
``LARGE_CONFIG`` characters takes its turn in a lane of its own: a class's ordinary publishes
never queue behind someone's thousands of services.

A learner's own publishes go one at a time, in the order they came: one learner sending
thirty at once (or a script gone wrong) holds one thread of a lane, never the whole lane.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from .context import SandboxContext

LARGE_CONFIG = 64 * 1024
PUBLISH_LANES = {"ordinary": 2, "large": 1}  # threads at once, per sandbox


def lane(ctx: SandboxContext, text: str) -> anyio.CapacityLimiter:
    """The sandbox's worker-thread lane for a publish of ``text`` (made on first use, on the
    serving loop)."""
    lanes = ctx.publish_lanes
    if not lanes:
        lanes.update({name: anyio.CapacityLimiter(n) for name, n in PUBLISH_LANES.items()})
    return lanes["large" if len(text) > LARGE_CONFIG else "ordinary"]


@asynccontextmanager
async def turn(
    ctx: SandboxContext, username: str, text: str
) -> AsyncIterator[anyio.CapacityLimiter]:
    """Wait for ``username``'s earlier publishes to finish; then the lane to run this one in."""
    mine = ctx.publish_turns.get(username)  # kept while a publish of theirs holds or waits
    if mine is None:
        mine = ctx.publish_turns[username] = asyncio.Lock()
    async with mine:
        yield lane(ctx, text)
