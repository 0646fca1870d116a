"""The cyclic collector is paused for a publish's parse and resumed after the last one
(``tui/sandbox/gc_pause.py``): overlapping publishes in worker threads, a failing one, and a
collector someone else had switched off."""

from __future__ import annotations

import gc
import threading

import pytest

from tui.sandbox.gc_pause import paused


@pytest.fixture(autouse=True)
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_a_publish_runs_without_collections_and_they_resume_after() -> None:
    gc.enable()
    assert paused(gc.isenabled) is False
    assert gc.isenabled()


def test_overlapping_publishes_resume_collections_only_after_the_last() -> None:
    gc.enable()
    first_in, second_done, release_first = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        first_in.set()
        assert release_first.wait(10)

    thread = threading.Thread(target=paused, args=(first,))
    thread.start()
    assert first_in.wait(10)
    paused(second_done.set)  # a second publish starts and ends while the first still runs
    seen["after the second"] = gc.isenabled()
    release_first.set()
    thread.join(10)
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
