"""The wizard's steps, in tutorial order (no textual import: services and the CLI use it too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepInfo:
    id: str
    title: str
    half: str  # "provider" or "consumer"


STEPS: tuple[StepInfo, ...] = (
    StepInfo("target", "Target", "provider"),
    StepInfo("login", "Login", "provider"),
    StepInfo("gateway", "Gateway", "provider"),
    StepInfo("template", "Template", "provider"),
    StepInfo("review", "Review", "provider"),
    StepInfo("apply", "Apply", "provider"),
    StepInfo("status", "Status", "provider"),
    StepInfo("try_it", "Try it", "consumer"),
    StepInfo("credentials", "Credentials", "consumer"),
    StepInfo("token", "Token", "consumer"),
    StepInfo("call", "Call", "consumer"),
    StepInfo("cleanup", "Clean up", "consumer"),
)
STEP_IDS: tuple[str, ...] = tuple(s.id for s in STEPS)


def step(step_id: str) -> StepInfo:
    for info in STEPS:
        if info.id == step_id:
            return info
    raise KeyError(step_id)


def next_step(step_id: str) -> str | None:
    index = STEP_IDS.index(step_id)
    return STEP_IDS[index + 1] if index + 1 < len(STEP_IDS) else None
