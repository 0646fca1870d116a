"""Progress derived from what the sandbox saw: the furthest step, time on it, stuck or not.

Pure functions over :class:`events.Event` lists, so they are tested without a server.

* The steps, in tutorial order, are :data:`STEPS`. A learner's step is the furthest one they
  reached, in whatever order they got there (a ``curl`` user may never log in with the device
  flow but still publish with a service account token).
* ``gateway_destroyed`` counts as ``cleanup`` only once ``call`` has been reached: deleting a
  gateway halfway through is not finishing the tutorial.
* Stuck: no new step for :data:`STUCK_AFTER` seconds (unless finished), or the same error
  (status and message) three times in a row since the last new step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .events import Event

STEPS = ("login", "gateway", "apply", "status", "try_it", "credentials", "token", "call", "cleanup")
STUCK_AFTER = 300.0  # seconds without progress
SAME_ERROR_LIMIT = 3


@dataclass
class Progress:
    learner: str
    name: str
    step: str | None = None  # furthest step reached; None before any
    since: float | None = None  # when the furthest step was first reached (or first seen)
    first_seen: float = 0.0
    reached: dict[str, float] = field(default_factory=dict)  # step -> first time reached
    last_error: tuple[int, str] | None = None
    errors: int = 0
    stuck: bool = False
    stuck_reason: str = ""

    @property
    def index(self) -> int:
        return STEPS.index(self.step) if self.step else -1

    @property
    def finished(self) -> bool:
        return self.step == STEPS[-1]

    def time_per_step(self) -> dict[str, float]:
        """Seconds from reaching each step to reaching the next one reached after it."""
        order = sorted(self.reached.items(), key=lambda kv: kv[1])
        out: dict[str, float] = {}
        start = self.first_seen
        for step, at in order:
            out[step] = max(0.0, at - start)
            start = at
        return out


def _step_of(event: Event, reached: dict[str, float]) -> str | None:
    if event.kind != "step":
        return None
    if event.step == "gateway_destroyed":
        return "cleanup" if "call" in reached else None
    return event.step if event.step in STEPS else None


def derive(events: Iterable[Event], now: float) -> Progress | None:
    """One learner's progress from their events, oldest first (None if there are none)."""
    result: Progress | None = None
    last_progress = 0.0
    recent: list[tuple[int, str]] = []  # errors since the last new step
    for event in events:
        if result is None:
            result = Progress(event.learner, event.name, first_seen=event.at)
            last_progress = event.at
        result.name = event.name
        if event.kind == "error":
            result.errors += 1
            result.last_error = (event.status, event.detail)
            recent.append(result.last_error)
            continue
        step = _step_of(event, result.reached)
        if step is None or step in result.reached:
            continue
        result.reached[step] = event.at
        if STEPS.index(step) > result.index:
            result.step = step
            result.since = event.at
        last_progress = event.at
        recent.clear()
    if result is None:
        return None
    if result.since is None:
        result.since = result.first_seen
    tail = recent[-SAME_ERROR_LIMIT:]
    if len(tail) == SAME_ERROR_LIMIT and len(set(tail)) == 1:
        result.stuck = True
        result.stuck_reason = f"same error {SAME_ERROR_LIMIT}×"
    elif not result.finished and now - last_progress >= STUCK_AFTER:
        result.stuck = True
        minutes = int((now - last_progress) // 60)
        result.stuck_reason = f"no progress {minutes} min"
    return result


def class_progress(events: Iterable[Event], now: float) -> list[Progress]:
    """Every learner's progress, in the order they first appeared."""
    by_learner: dict[str, list[Event]] = {}
    for event in events:
        by_learner.setdefault(event.learner, []).append(event)
    out = [derive(evs, now) for evs in by_learner.values()]
    return [p for p in out if p is not None]


def counts(progress: Iterable[Progress]) -> dict[str, int]:
    """How many learners are at each step, plus ``stuck`` and ``none`` (no step yet)."""
    tally = {step: 0 for step in STEPS}
    tally["none"] = 0
    tally["stuck"] = 0
    for p in progress:
        tally[p.step or "none"] += 1
        tally["stuck"] += p.stuck
    return tally


def summary(progress: list[Progress]) -> str:
    """``12 at token · 3 stuck`` — the line on top of the board."""
    tally = counts(progress)
    parts = [f"{tally[s]} at {s}" for s in STEPS if tally[s]]
    if tally["none"]:
        parts.insert(0, f"{tally['none']} not started")
    parts.append(f"{tally['stuck']} stuck")
    return " · ".join(parts) if progress else "no learners yet"
