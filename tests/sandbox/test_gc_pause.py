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


def test_a_pause_is_not_extended_past_its_bound(monkeypatch) -> None:
    """Publishes that keep overlapping (a learner publishing without end) cannot keep the
    collector off: one that starts once the pause is MAX_PAUSE old does not join it, so the
    collector is back as soon as the publishes of the pause are done."""
    gc.enable()
    now = [1000.0]
    monkeypatch.setattr(gc_pause.time, "monotonic", lambda: now[0])
    first_in, release_first = threading.Event(), threading.Event()
    late_in, release_late = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        first_in.set()
        assert release_first.wait(10)

    def late() -> None:
        late_in.set()
        assert release_late.wait(10)

    holder = threading.Thread(target=paused, args=(first,))
    holder.start()
    assert first_in.wait(10)
    now[0] += gc_pause.MAX_PAUSE  # the pause is as old as allowed
    newcomer = threading.Thread(target=paused, args=(late,))
    newcomer.start()
    assert late_in.wait(10)
    seen["both running"] = gc.isenabled()
    release_first.set()
    holder.join(10)
    seen["the first done, the late one running"] = gc.isenabled()
    release_late.set()
    newcomer.join(10)
    assert seen == {"both running": False, "the first done, the late one running": True}
    assert gc.isenabled()


def test_a_publish_that_starts_within_the_bound_keeps_the_pause_until_it_is_done(
    monkeypatch,
) -> None:
    gc.enable()
    now = [1000.0]
    monkeypatch.setattr(gc_pause.time, "monotonic", lambda: now[0])
    first_in, release_first = threading.Event(), threading.Event()
    second_in, release_second = threading.Event(), threading.Event()

    def first() -> None:
        first_in.set()
        assert release_first.wait(10)

    def second() -> None:
        second_in.set()
        assert release_second.wait(10)

    holder = threading.Thread(target=paused, args=(first,))
    holder.start()
    assert first_in.wait(10)
    now[0] += gc_pause.MAX_PAUSE / 2  # well within the bound: it joins the pause
    joiner = threading.Thread(target=paused, args=(second,))
    joiner.start()
    assert second_in.wait(10)
    release_first.set()
    holder.join(10)
    still_paused = not gc.isenabled()  # the second publish still runs
    release_second.set()
    joiner.join(10)
    assert still_paused and gc.isenabled()
