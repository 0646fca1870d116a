"""Learner events, kept in SQLite: one row per thing the sandbox saw a learner do.

An event is either a *step* (``login``, ``gateway``, ``apply`` … see :data:`progress.STEPS`,
plus ``gateway_destroyed``, which counts as ``cleanup`` only after ``call``) or an *error*
the sandbox answered (HTTP status and message). Learners are keyed by their name folded to
lower case, so ``Alice`` and ``alice`` are one row on the board.

Call sites are one line: ``events.record(ctx, user, "apply", "4 created (gw-1a2b3)")`` or
``events.record_error(ctx, user, 409, "Service X is already in use")``. A process may add
listeners (``sandbox serve`` prints one line per event).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..context import SandboxContext

SCHEMA = """
CREATE TABLE IF NOT EXISTS class_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL NOT NULL,
    learner TEXT NOT NULL,   -- name folded (identity.fold)
    name    TEXT NOT NULL,   -- name as the learner wrote it
    kind    TEXT NOT NULL,   -- step|error
    step    TEXT NOT NULL,   -- step or event name; '' for errors
    status  INTEGER NOT NULL DEFAULT 0,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS class_events_by_learner ON class_events(learner, id);
"""

MAX_DETAIL = 300
EVENT_NAMES = frozenset(
    {
        "login",
        "gateway",
        "apply",
        "status",
        "try_it",
        "credentials",
        "token",
        "call",
        "cleanup",
        "gateway_destroyed",
    }
)


@dataclass(frozen=True)
class Event:
    at: float
    learner: str
    name: str
    kind: str  # step | error
    step: str
    status: int = 0
    detail: str = ""

    def line(self) -> str:
        """``12:03:14  alice  apply  4 created (gw-1a2b3)`` — what ``sandbox serve`` prints."""
        clock = time.strftime("%H:%M:%S", time.localtime(self.at))
        what = self.step if self.kind == "step" else f"error {self.status}"
        return "  ".join(part for part in (clock, self.name, what, self.detail) if part)


Listener = Callable[[Event], None]
_listeners: dict[int, list[Listener]] = {}


def fold(name: str) -> str:
    """The key a name is compared by: trimmed, case-insensitive."""
    return name.strip().casefold()


def add_listener(ctx: SandboxContext, listener: Listener) -> None:
    _listeners.setdefault(id(ctx.db), []).append(listener)


def remove_listeners(ctx: SandboxContext) -> None:
    _listeners.pop(id(ctx.db), None)


def _clean(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_DETAIL else flat[: MAX_DETAIL - 1] + "…"


def _store(ctx: SandboxContext, event: Event) -> None:
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO class_events(at, learner, name, kind, step, status, detail)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                event.at,
                event.learner,
                event.name,
                event.kind,
                event.step,
                event.status,
                event.detail,
            ),
        )
    for listener in list(_listeners.get(id(ctx.db), ())):
        with contextlib.suppress(Exception):  # a broken printer must never break the sandbox
            listener(event)


def record(ctx: SandboxContext, user: str, step: str, detail: str = "") -> None:
    """Note that ``user`` did ``step`` (one of :data:`EVENT_NAMES`)."""
    if not user or step not in EVENT_NAMES:
        return
    name = user.strip()
    _store(ctx, Event(time.time(), fold(name), name, "step", step, 0, _clean(detail)))


def record_error(ctx: SandboxContext, user: str, status: int, message: str) -> None:
    """Note that the sandbox answered ``user`` with an error."""
    if not user:
        return
    name = user.strip()
    _store(ctx, Event(time.time(), fold(name), name, "error", "", int(status), _clean(message)))


def owners(ctx: SandboxContext, gateway_id: str) -> list[str]:
    """The learner(s) a gateway's events belong to: its creator."""
    rows = ctx.db.query("SELECT owner FROM gateways WHERE gateway_id=?", (gateway_id,))
    return [str(r["owner"]) for r in rows]


def record_for_gateway(ctx: SandboxContext, gateway_id: str, step: str, detail: str = "") -> None:
    for owner in owners(ctx, gateway_id):
        record(ctx, owner, step, detail)


def error_for_gateway(ctx: SandboxContext, gateway_id: str, status: int, message: str) -> None:
    for owner in owners(ctx, gateway_id):
        record_error(ctx, owner, status, message)


def load(ctx: SandboxContext) -> list[Event]:
    """Every event, oldest first."""
    rows = ctx.db.query(
        "SELECT at, learner, name, kind, step, status, detail FROM class_events ORDER BY id"
    )
    return [
        Event(r["at"], r["learner"], r["name"], r["kind"], r["step"], r["status"], r["detail"])
        for r in rows
    ]
