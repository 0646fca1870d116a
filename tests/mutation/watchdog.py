"""A wall-clock bound on every test of a mutation run (loaded by ``run.py`` with ``-p``).

mutmut bounds a mutant by CPU time, and by a wall time it derives from the tests' measured
durations (15 times their sum plus a second: four minutes and more for the login tests). A
mutant that makes a test wait without using CPU (a poll loop that is never approved, a read
from a sandbox that never answers) then holds the run for many minutes, and a learner would
notice it as a hang. Here each test gets ``LIMIT`` seconds of wall time; past that the
process ends with mutmut's "timeout" exit code, so the mutant counts as killed (a timeout)
and the run moves on. The line written to the terminal names the mutant and the test.

The guarding tests take a few seconds each (the slowest, about five, alone); their own waits
give up after 30 s (``tests/waiting.py``), so a test still running after ``LIMIT`` is stuck.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator

import pytest

LIMIT = float(os.environ.get("MUTATION_TEST_SECONDS", "60"))
# mutmut reads exit code 36 as "timeout" (mutmut.stats.status_by_exit_code).
TIMEOUT_EXIT = 36
# The terminal, kept from before pytest captures file descriptors 1 and 2 (``-p`` plugins
# are imported first); mutmut also points sys.stderr at /dev/null in a mutant's run.
_TERMINAL = os.dup(2)


def _stop(nodeid: str) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST") or "(no mutant)"
    os.write(
        _TERMINAL, f"\nwatchdog: {mutant}: {nodeid} still running after {LIMIT:g} s\n".encode()
    )
    os._exit(TIMEOUT_EXIT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    timer = threading.Timer(LIMIT, _stop, args=(item.nodeid,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
