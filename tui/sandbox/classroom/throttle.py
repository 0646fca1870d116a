"""Slows down guessing: a few wrong tries per key, then 429 with ``Retry-After``.

State lives in SQLite (table ``class_throttle``), so a restart — even ``kill -9`` — does
not hand a guesser a fresh allowance. Keys name what is being guessed against:
``client:<address>`` (one browser or script), ``code:<user code>`` (one device login),
``devreq:<address>`` (device-code requests).

:func:`blocked` answers how many seconds a key must wait (0: go ahead); :func:`failed`
counts a wrong try and starts a lock-out once ``limit`` is reached (doubling each time);
:func:`hit` counts a request against a rate (``limit`` per ``window``).
"""

from __future__ import annotations

import math
import time

from ..context import SandboxContext

SCHEMA = """
CREATE TABLE IF NOT EXISTS class_throttle (
    key          TEXT PRIMARY KEY,
    count        INTEGER NOT NULL,
    window_start REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0,
    lockouts     INTEGER NOT NULL DEFAULT 0
);
"""

WRONG_TRIES = 5  # wrong tries per client (and per code) before a lock-out
WINDOW = 600.0  # seconds over which wrong tries are counted
LOCKOUT = 30.0  # first lock-out; doubles each time, up to MAX_LOCKOUT
MAX_LOCKOUT = 900.0


def blocked(ctx: SandboxContext, key: str) -> int:
    """Seconds ``key`` must still wait (0 when it may try)."""
    row = ctx.db.query_one("SELECT locked_until FROM class_throttle WHERE key=?", (key,))
    if row is None:
        return 0
    wait = float(row["locked_until"]) - time.time()
    return math.ceil(wait) if wait > 0 else 0


def failed(ctx: SandboxContext, key: str, limit: int | None = None) -> int:
    """Count a wrong try; returns the lock-out in seconds it started (0 if none)."""
    limit = WRONG_TRIES if limit is None else limit
    now = time.time()
    with ctx.db.transaction() as conn:
        row = conn.execute("SELECT * FROM class_throttle WHERE key=?", (key,)).fetchone()
        if row is None or now - row["window_start"] > WINDOW:
            lockouts = row["lockouts"] if row is not None else 0
            count, start = 1, now
        else:
            lockouts, count, start = row["lockouts"], row["count"] + 1, row["window_start"]
        locked_until = 0.0
        wait = 0.0
        if count >= limit:
            wait = min(MAX_LOCKOUT, LOCKOUT * (2**lockouts))
            locked_until, lockouts, count, start = now + wait, lockouts + 1, 0, now
        conn.execute(
            "INSERT OR REPLACE INTO class_throttle(key, count, window_start, locked_until,"
            " lockouts) VALUES (?,?,?,?,?)",
            (key, count, start, locked_until, lockouts),
        )
    return math.ceil(wait)


def hit(ctx: SandboxContext, key: str, limit: int, window: float) -> int:
    """Count one request against ``limit`` per ``window`` seconds; seconds to wait if over."""
    now = time.time()
    with ctx.db.transaction() as conn:
        row = conn.execute("SELECT * FROM class_throttle WHERE key=?", (key,)).fetchone()
        if row is None or now - row["window_start"] >= window:
            count, start = 1, now
        else:
            count, start = row["count"] + 1, row["window_start"]
        conn.execute(
            "INSERT OR REPLACE INTO class_throttle(key, count, window_start, locked_until,"
            " lockouts) VALUES (?,?,?,0,0)",
            (key, count, start),
        )
    return math.ceil(start + window - now) if count > limit else 0


def succeeded(ctx: SandboxContext, key: str) -> None:
    """A right answer forgets the wrong tries (not an active lock-out)."""
    with ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE class_throttle SET count=0 WHERE key=? AND locked_until<?", (key, time.time())
        )
