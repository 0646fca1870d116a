"""The trainer's console (``tui/sandbox/classroom/console.py``): a line per learner event, and
a run of the same line from one learner counted on one line, so a learner repeating one thing
cannot push the others' lines off the trainer's screen."""

from __future__ import annotations

from tui.sandbox.classroom.console import QUIET, Console
from tui.sandbox.classroom.events import Event


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def event(name: str, step: str = "apply", detail: str = "no changes (gw-1)") -> Event:
    return Event(1_700_000_000.0, name.casefold(), name, "step", step, 0, detail)


def console() -> tuple[Console, list[str], Clock]:
    lines: list[str] = []
    clock = Clock()
    return Console(lines.append, clock), lines, clock


def test_a_run_of_the_same_line_is_printed_once_then_counted_when_something_else_happens():
    shown, lines, _ = console()
    for _ in range(30):
        shown.event(event("Mallory"))
    shown.event(event("Amy", "status", "2 services"))
    assert len(lines) == 3
    assert lines[0].endswith("  Mallory  apply  no changes (gw-1)")
    assert lines[1] == "          Mallory: the same 29 more times"
    assert lines[2].endswith("  Amy  status  2 services")


def test_the_count_is_printed_after_a_quiet_moment_and_only_once():
    shown, lines, clock = console()
    shown.event(event("Mallory"))
    shown.event(event("Mallory"))
    shown.tick()
    assert len(lines) == 1  # still repeating: nothing yet
    clock.now += QUIET
    shown.tick()
    shown.tick()
    assert lines[1:] == ["          Mallory: the same once more"]
    shown.event(event("Mallory"))  # the same line again, after its count: counted anew
    clock.now += QUIET
    shown.tick()
    assert lines[2:] == ["          Mallory: the same once more"]


def test_lines_that_differ_in_learner_or_detail_are_each_printed():
    shown, lines, clock = console()
    shown.event(event("Mallory"))
    shown.event(event("Amy"))  # another learner, same words
    shown.event(event("Amy", detail="4 created (gw-2)"))
    shown.event(Event(0.0, "amy", "Amy", "error", "", 409, "no changes (gw-1)"))
    clock.now += QUIET
    shown.tick()
    assert len(lines) == 4 and not any("the same" in line for line in lines)
