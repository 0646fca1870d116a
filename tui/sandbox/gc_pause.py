"""Python's cyclic garbage collector, paused while a publish parses and checks a config.

A collection runs in whichever thread allocates, holding the GIL throughout. A publish of a
few thousand services allocates millions of objects, and with the sandbox's heap frozen
(``server.freeze_heap``) that set off full collections walking the growing parse: 150 ms,
56 ms, 42 ms... in a worker thread, with every request on the event loop waiting
(``tests/benchmarks/bench_publish.py``). A parse makes no cyclic garbage worth finding
meanwhile, and its objects are freed by reference counting when the publish returns.

The collector is one per process, so the pause is counted: it resumes when the last of the
publishes running at once is done, and only if it was running before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_pausing = 0
_resume = False  # whether the collector was enabled when the first pause began


def paused(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` with cyclic collections paused (any thread; pauses may overlap)."""
    global _pausing, _resume
    with _lock:
        if _pausing == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        return work(*args)
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _resume:
                gc.enable()
