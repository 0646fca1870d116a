"""Resuming a saved session: re-check reality instead of trusting the file (no textual).

A saved session says which steps were done. Before showing the step the learner was on, the
wizard asks the target whether that is still true: does the login still work, does the
gateway still exist. Steps whose result is gone are un-marked, and the learner is told why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
            session.username = ""  # the header must not show a user who is not logged in
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


def relocate(session: Session, moves: Any, workspace: Path | None = None) -> list[str]:
    """Follow the embedded sandbox to the ports it got this time; notices for the learner.

    ``moves`` are the sandbox's port moves (``listener``, ``old``, ``new``). The session's
    upstream, gateway host and API URL are updated, and so is the YAML file the wizard wrote
    for the learner, so Template, Call and the equivalent commands use the new ports.
    """
    changed: list[str] = []
    for move in moves:
        old, new = int(move.old), int(move.new)
        if move.listener == "upstream":
            upstream = _swap_port(session.upstream, old, new)
            if upstream != session.upstream:
                session.upstream = upstream
                changed.append("the upstream in your session")
            if session.out_file and _rewrite_file(Path(session.out_file), workspace, old, new):
                changed.append(f"the upstream in {session.out_file}")
        elif move.listener == "data_plane":
            before = (session.env_host, session.api_url)
            session.env_host = _swap_hostport(session.env_host, old, new)
            session.api_url = _swap_port(session.api_url, old, new, any_host=True)
            if (session.env_host, session.api_url) != before:
                changed.append("your API's URL")
    if not changed:
        return []
    return ["The wizard updated " + ", ".join(changed) + " to the sandbox's new ports."]


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _swap_port(url: str, old: int, new: int, *, any_host: bool = False) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.hostname or port != old:
        return url
    if not any_host and parts.hostname not in LOOPBACK:
        return url
    netloc = parts.netloc[: parts.netloc.rindex(":")] + f":{new}"
    return urlunsplit(parts._replace(netloc=netloc))


def _swap_hostport(hostport: str, old: int, new: int) -> str:
    host, sep, port = hostport.rpartition(":")
    return f"{host}:{new}" if sep and port == str(old) else hostport


def _rewrite_file(path: Path, workspace: Path | None, old: int, new: int) -> bool:
    """Change the sandbox's old upstream port in the learner's generated file; True if so."""
    if not path.is_absolute() and workspace is not None:
        path = workspace / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    updated = text
    for name in LOOPBACK:
        updated = re.sub(rf"(?<![\w.]){re.escape(name)}:{old}(?!\d)", f"{name}:{new}", updated)
    if updated == text:
        return False  # the file does not use the sandbox's upstream: leave it alone
    updated = re.sub(rf"(?m)^(\s*port:\s*){old}\s*$", rf"\g<1>{new}", updated)
    try:
        path.write_text(updated, encoding="utf-8")
    except OSError:
        return False
    return True
