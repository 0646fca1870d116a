"""Python's cyclic garbage collector, paused while a publish parses and checks a config.

A collection runs in whichever thread allocates, holding the GIL throughout. A publish of a
few thousand services allocates millions of objects, and with the sandbox's heap frozen
(``server.freeze_heap``) that set off full collections walking the growing parse: 150 ms,
56 ms, 42 ms... in a worker thread, with every request on the event loop waiting
(``tests/benchmarks/bench_publish.py``). A parse makes no cyclic garbage worth finding
meanwhile, and its objects are freed by reference counting when the publish returns.

The collector is one per process, so the pause is counted: it resumes when the last of the
publishes running at once is done, and only if it was running before the first began. And it
is bounded: publishes that start once a pause is :data:`MAX_PAUSE` seconds old run without
joining it, so a learner publishing without end cannot keep the collector off (and the
sandbox's memory growing) for longer than that and the publishes already under way.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

MAX_PAUSE = 2.0  # seconds: a pause older than this is not extended by new publishes

_lock = threading.Lock()
_pausing = 0
_since = 0.0  # when the current pause began (time.monotonic)
_resume = False  # whether the collector was enabled when the current pause began


def paused(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` with cyclic collections paused (any thread; pauses may overlap)."""
    global _pausing, _since, _resume
    with _lock:
        joined = _pausing == 0 or time.monotonic() - _since < MAX_PAUSE
        if joined:
            if _pausing == 0:
                _resume, _since = gc.isenabled(), time.monotonic()
                gc.disable()
            _pausing += 1
    try:
        return work(*args)
    finally:
        if joined:
            with _lock:
                _pausing -= 1
                if _pausing == 0 and _resume:
                    gc.enable()
