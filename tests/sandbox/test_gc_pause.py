"""The cyclic collector is paused for a publish's parse and resumed after the last one
(``tui/sandbox/gc_pause.py``): overlapping publishes in worker threads, a failing one, and a
collector someone else had switched off."""

from __future__ import annotations

import gc
import threading

import pytest

from tui.sandbox import gc_pause
from tui.sandbox.gc_pause import paused


@pytest.fixture(autouse=True)
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


class Publish:
    """A publish run with the collector paused, in a thread of its own, held until ended."""

    def __init__(self) -> None:
        self.running, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=paused, args=(self._work,))
        self.thread.start()
        assert self.running.wait(10)

    def _work(self) -> None:
        self.running.set()
        assert self.release.wait(10)

    def end(self) -> None:
        self.release.set()
        self.thread.join(10)


def test_a_publish_runs_without_collections_and_they_resume_after() -> None:
    gc.enable()
    assert paused(gc.isenabled) is False
    assert gc.isenabled()


def test_overlapping_publishes_resume_collections_only_after_the_last() -> None:
    gc.enable()
    first = Publish()
    second_done = threading.Event()
    paused(second_done.set)  # a second publish starts and ends while the first still runs
    seen = {"after the second": gc.isenabled()}
    first.end()
    assert seen == {"after the second": False}
    assert gc.isenabled()


def test_a_failing_publish_resumes_collections() -> None:
    gc.enable()

    def fails() -> None:
        raise ValueError("bad config")

    with pytest.raises(ValueError, match="bad config"):
        paused(fails)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    assert paused(lambda: 42) == 42
    assert not gc.isenabled()


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(gc_pause.time, "monotonic", lambda: now[0])
    return now


def test_a_pause_is_not_extended_past_its_bound(clock) -> None:
    """Publishes that keep overlapping (a learner publishing without end) cannot keep the
    collector off: one that starts once the pause is MAX_PAUSE old does not join it, so the
    collector is back as soon as the publishes of the pause are done."""
    gc.enable()
    first = Publish()
    clock[0] += gc_pause.MAX_PAUSE  # the pause is as old as allowed
    late = Publish()
    both_running = gc.isenabled()
    first.end()
    the_late_one_running = gc.isenabled()
    late.end()
    assert (both_running, the_late_one_running) == (False, True)
    assert gc.isenabled()


def test_a_publish_that_starts_within_the_bound_keeps_the_pause_until_it_is_done(clock) -> None:
    gc.enable()
    first = Publish()
    clock[0] += gc_pause.MAX_PAUSE / 2  # well within the bound: it joins the pause
    second = Publish()
    first.end()
    still_paused = not gc.isenabled()  # the second publish still runs
    second.end()
    assert still_paused and gc.isenabled()
