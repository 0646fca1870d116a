"""The class as the trainer sees it: one row per learner, counts per step, the CSV report,
and the trainer's clean-up of a learner's leftovers."""

from __future__ import annotations

import csv
import io
from typing import Any

from .. import consumers, gateways
from ..context import SandboxContext
from . import events, identity, progress
from .progress import STEPS, Progress


def learners(ctx: SandboxContext, now: float) -> list[Progress]:
    """Everyone the sandbox has seen, plus names claimed with nothing done yet."""
    rows = progress.class_progress(events.load(ctx), now)
    seen = {p.learner for p in rows}
    for learner, name in identity.claimed(ctx).items():
        if learner not in seen:
            rows.append(Progress(learner, name, first_seen=now, since=now))
    return rows


def _row(p: Progress, now: float) -> dict[str, Any]:
    error = None
    if p.last_error is not None:
        error = {"status": p.last_error[0], "message": p.last_error[1]}
    return {
        "name": p.name,
        "step": p.step,
        "step_number": p.index + 1,
        "since": p.since,
        "seconds_on_step": max(0, int(now - (p.since or now))),
        "stuck": p.stuck,
        "stuck_reason": p.stuck_reason,
        "finished": p.finished,
        "last_error": error,
        "errors": p.errors,
    }


def snapshot(ctx: SandboxContext, now: float) -> dict[str, Any]:
    """What ``/class.json`` answers (and the board draws)."""
    rows = learners(ctx, now)
    return {
        "steps": list(STEPS),
        "summary": progress.summary(rows),
        "counts": progress.counts(rows),
        "learners": [_row(p, now) for p in rows],
    }


def report_csv(ctx: SandboxContext, now: float) -> str:
    """name, step reached, seconds per step (one column per step), error count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "step_reached", *(f"seconds_{s}" for s in STEPS), "errors"])
    for p in learners(ctx, now):
        per_step = p.time_per_step()
        spent = [str(int(per_step[s])) if s in per_step else "" for s in STEPS]
        writer.writerow([p.name, p.step or "", *spent, p.errors])
    return out.getvalue()


def leftovers(ctx: SandboxContext, name: str) -> dict[str, list[str]]:
    """The learner's gateways and their consumers' client ids, for the confirmation page."""
    key = events.fold(name)
    gws = [
        str(r["gateway_id"])
        for r in ctx.db.query("SELECT gateway_id, owner FROM gateways ORDER BY created_at")
        if events.fold(str(r["owner"])) == key
    ]
    clients: list[str] = []
    for gw in gws:
        clients += [
            str(r["client_id"])
            for r in ctx.db.query("SELECT client_id FROM consumers WHERE gateway_id=?", (gw,))
        ]
    return {"gateways": gws, "consumers": clients}


def clean_up(ctx: SandboxContext, name: str) -> dict[str, list[str]]:
    """Revoke the learner's consumers, then destroy their gateways (with their services)."""
    found = leftovers(ctx, name)
    for gw in found["gateways"]:
        for row in ctx.db.query("SELECT client_id FROM consumers WHERE gateway_id=?", (gw,)):
            consumers.revoke(ctx, gw, str(row["client_id"]))
        with ctx.db.transaction() as conn:
            conn.execute("DELETE FROM service_accounts WHERE gateway_id=?", (gw,))
        gateways.destroy_gateway(ctx, gw, force=True)
    return found
