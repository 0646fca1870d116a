"""The wizard's steps, declared once, in tutorial order (no textual import).

Each :class:`StepInfo` names the step's id, title, half of the tutorial, the builder of its
equivalent ``gwa`` / ``curl`` command and the steps whose results it builds on. Resume, the
sidebar, F1, the command box, the command palette and the export all read this list; the
screen class for each id is bound in ``screens/steps.py``, which refuses to import when the
two lists disagree.

Adding a step: a line here (with its builder in ``tui/services/shell_commands.py``), its
screen in ``screens/<id>.py`` and a line in ``screens/steps.py``; ``tests/unit/test_steps.py``
fails until all of them exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .services import shell_commands as cmd
from .services.session import Session


@dataclass(frozen=True)
class StepInfo:
    id: str
    title: str
    half: str  # "provider" or "consumer"
    command: Callable[[Session], str]  # the equivalent command, with the learner's values
    needs: tuple[str, ...] = ()  # steps whose results this one builds on


STEPS: tuple[StepInfo, ...] = (
    StepInfo("target", "Target", "provider", cmd.target_command),
    StepInfo("login", "Login", "provider", cmd.login_command, ("target",)),
    StepInfo("gateway", "Gateway", "provider", cmd.gateway_command, ("login",)),
    StepInfo("template", "Template", "provider", cmd.template_command, ("gateway",)),
    StepInfo("review", "Review", "provider", cmd.review_command, ("template",)),
    StepInfo("apply", "Apply", "provider", cmd.apply_command, ("gateway", "review")),
    StepInfo("status", "Status", "provider", cmd.status_command, ("apply",)),
    StepInfo("try_it", "Try it", "consumer", cmd.try_it_command, ("status",)),
    StepInfo("credentials", "Credentials", "consumer", cmd.credentials_command, ("apply",)),
    StepInfo("token", "Token", "consumer", cmd.token_command, ("credentials",)),
    StepInfo("call", "Call", "consumer", cmd.call_command, ("status", "token")),
    StepInfo("cleanup", "Clean up", "consumer", cmd.cleanup_command, ("gateway", "credentials")),
)
STEP_IDS: tuple[str, ...] = tuple(s.id for s in STEPS)
_BY_ID = {s.id: s for s in STEPS}


def step(step_id: str) -> StepInfo:
    """The step ``step_id``; KeyError for an id that is not a step."""
    return _BY_ID[step_id]


def next_step(step_id: str) -> str | None:
    index = STEP_IDS.index(step_id)
    return STEP_IDS[index + 1] if index + 1 < len(STEP_IDS) else None


def equivalent(step_id: str, session: Session) -> str:
    """The command(s) for ``step_id`` with the values in ``session``; KeyError for others."""
    return step(step_id).command(session)


def invalidated_by(step_id: str) -> tuple[str, ...]:
    """``step_id`` and every step that builds on it, directly or not, in tutorial order."""
    lost = {step_id}
    for info in STEPS:  # tutorial order: a step's needs come before it
        if lost.intersection(info.needs):
            lost.add(info.id)
    return tuple(s for s in STEP_IDS if s in lost)
