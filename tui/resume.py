"""Resuming a saved session: re-check reality instead of trusting the file (no textual).

A saved session says which steps were done. Before showing the step the learner was on, the
wizard asks the target whether that is still true: does the login still work, does the
gateway still exist. Steps whose result is gone are un-marked, and the learner is told why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .services.errors import WizardError
from .services.session import Session
from .steps import STEP_IDS, invalidated_by


@dataclass
class ResumeReport:
    step: str  # the step to show
    notices: list[str] = field(default_factory=list)


def same_target(session: Session, kind: str, host: str) -> bool:
    """A saved session belongs to this run when the target matches (any sandbox is 'the')."""
    if kind == "sandbox":
        return session.target_kind == "sandbox"
    return session.target_kind != "sandbox" and session.host == host


def earliest_not_done(session: Session) -> str:
    for step_id in STEP_IDS:
        if step_id not in session.steps_done:
            return step_id
    return STEP_IDS[-1]


async def recheck(session: Session, services: Any) -> ResumeReport:
    """Un-mark steps that reality contradicts; return the step to resume at and notices."""
    notices: list[str] = []
    if "login" in session.steps_done:
        user: str | None = None
        try:
            user = await services.login.current_user()
        except WizardError:
            user = None
        if not user:
            session.unmark("login")
            notices.append(
                "Your saved login no longer works (it expired, or tokens were kept in memory "
                "only), so the Login step is to do again."
            )
        elif session.username and user != session.username:
            notices.append(f"You are now logged in as {user} (was {session.username}).")
            session.username = user
    if session.gateway_id and "gateway" in session.steps_done and "login" in session.steps_done:
        try:
            await services.gateways.get(session.gateway_id)
        except WizardError as error:
            if error.status in (403, 404):
                session.unmark(*invalidated_by("gateway"))
                notices.append(
                    f"Gateway {session.gateway_id} no longer exists (or is no longer yours); "
                    "the Gateway step and the steps after it are to do again."
                )
            else:
                notices.append(f"Could not check gateway {session.gateway_id}: {error.what}")
    step = session.current_step if session.current_step in STEP_IDS else "target"
    first_open = earliest_not_done(session)
    if STEP_IDS.index(first_open) < STEP_IDS.index(step):
        step = first_open
    session.current_step = step
    return ResumeReport(step, notices)
