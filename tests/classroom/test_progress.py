"""Progress derivation from learner events, and the stuck rules (no server needed)."""

from __future__ import annotations

import pytest

from tui.sandbox.classroom.events import Event
from tui.sandbox.classroom.progress import (
    STEPS,
    STUCK_AFTER,
    class_progress,
    counts,
    derive,
    summary,
)

T0 = 1_000_000.0


def step(at: float, name: str, who: str = "alice") -> Event:
    return Event(T0 + at, who.lower(), who, "step", name)


def error(at: float, status: int, message: str, who: str = "alice") -> Event:
    return Event(T0 + at, who.lower(), who, "error", "", status, message)


@pytest.mark.parametrize("index", range(len(STEPS) - 1))
def test_each_event_moves_the_learner_to_its_step(index: int) -> None:
    events = [step(i, name) for i, name in enumerate(STEPS[: index + 1])]
    result = derive(events, T0 + index + 1)
    assert result is not None
    assert result.step == STEPS[index]
    assert result.since == T0 + index
    assert not result.stuck


def test_gateway_destroyed_after_call_is_cleanup() -> None:
    events = [step(i, s) for i, s in enumerate(STEPS[:-1])] + [step(20, "gateway_destroyed")]
    result = derive(events, T0 + 21)
    assert result is not None and result.step == "cleanup" and result.finished


def test_gateway_destroyed_before_call_is_not_cleanup() -> None:
    events = [step(0, "login"), step(1, "gateway"), step(2, "apply"), step(3, "gateway_destroyed")]
    result = derive(events, T0 + 4)
    assert result is not None and result.step == "apply"


def test_a_rest_only_learner_without_device_login_still_progresses() -> None:
    # a curl user with a service-account token: no "login" event ever
    events = [step(0, "gateway"), step(1, "apply"), step(2, "credentials"), step(3, "token")]
    result = derive(events, T0 + 4)
    assert result is not None and result.step == "token"
    assert "login" not in result.reached


def test_going_back_to_an_earlier_step_keeps_the_furthest() -> None:
    events = [step(0, "login"), step(1, "gateway"), step(2, "apply"), step(3, "status")]
    events.append(step(10, "apply"))  # a second publish
    result = derive(events, T0 + 11)
    assert result is not None and result.step == "status" and result.since == T0 + 3


def test_no_progress_for_five_minutes_is_stuck() -> None:
    events = [step(0, "login"), step(10, "gateway")]
    assert not derive(events, T0 + 10 + STUCK_AFTER - 1).stuck
    late = derive(events, T0 + 10 + STUCK_AFTER)
    assert late.stuck and late.stuck_reason == "no progress 5 min"


def test_a_finished_learner_is_never_stuck_for_time() -> None:
    events = [step(i, s) for i, s in enumerate(STEPS)]
    assert not derive(events, T0 + 10_000).stuck


def test_same_error_three_times_in_a_row_is_stuck() -> None:
    events = [step(0, "login"), step(1, "gateway")]
    events += [error(2 + i, 400, "Service X is already in use") for i in range(3)]
    result = derive(events, T0 + 6)
    assert result.stuck
    assert result.stuck_reason == "same error 3×"
    assert result.last_error == (400, "Service X is already in use")
    assert result.errors == 3


def test_different_errors_or_progress_in_between_are_not_stuck() -> None:
    mixed = [step(0, "gateway"), error(1, 400, "a"), error(2, 400, "b"), error(3, 400, "a")]
    assert not derive(mixed, T0 + 4).stuck
    moved = [step(0, "gateway"), error(1, 400, "a"), error(2, 400, "a"), step(3, "apply")]
    moved.append(error(4, 400, "a"))
    assert not derive(moved, T0 + 5).stuck
    other_status = [step(0, "gateway"), error(1, 400, "a"), error(2, 403, "a"), error(3, 400, "a")]
    assert not derive(other_status, T0 + 4).stuck


def test_counts_and_summary_line() -> None:
    events = [step(0, "login", "a1"), step(1, "token", "b2"), step(2, "token", "c3")]
    events += [error(3 + i, 403, "Token audience not allowed", "c3") for i in range(3)]
    rows = class_progress(events, T0 + 10)
    tally = counts(rows)
    assert tally["token"] == 2 and tally["login"] == 1 and tally["stuck"] == 1
    assert summary(rows) == "1 at login · 2 at token · 1 stuck"
    assert summary([]) == "no learners yet"


def test_time_per_step_runs_from_step_to_step() -> None:
    events = [step(0, "login"), step(30, "gateway"), step(90, "apply")]
    assert derive(events, T0 + 100).time_per_step() == {"login": 0, "gateway": 30, "apply": 60}
