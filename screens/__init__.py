"""The wizard's screens: a registry from step id to step class, loaded lazily by name.

Every step is looked up by dotted name, so the app starts (and the sidebar lists all twelve
steps) even when a step's module is not part of this build: :func:`load_step` then returns
:class:`screens.unavailable.UnavailableStep`, which says so plainly instead of crashing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from .base import WizardStep

STEP_CLASSES: dict[str, str] = {
    "target": "screens.target.TargetStep",
    "login": "screens.login.LoginStep",
    "gateway": "screens.gateway.GatewayStep",
    "template": "screens.template.TemplateStep",
    "review": "screens.review.ReviewStep",
    "apply": "screens.apply.ApplyStep",
    "status": "screens.status.StatusStep",
    "try_it": "screens.try_it.TryItStep",
    "credentials": "screens.credentials.CredentialsStep",
    "token": "screens.token.TokenStep",
    "call": "screens.call.CallStep",
    "cleanup": "screens.cleanup.CleanupStep",
}
SUMMARY_CLASS = "screens.summary.SummaryScreen"


class MissingStep(Exception):
    """Raised by :func:`import_class` with the reason a class could not be loaded."""


def import_class(dotted: str) -> type:
    module_name, _, class_name = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise MissingStep(f"module {module_name} is not in this build") from exc
        raise
    try:
        return getattr(module, class_name)
    except AttributeError as exc:
        raise MissingStep(f"{module_name} has no {class_name}") from exc


def load_step(step_id: str) -> type[WizardStep]:
    """The class for ``step_id``, or an UnavailableStep subclass naming what is missing."""
    from .unavailable import unavailable_step

    try:
        return import_class(STEP_CLASSES[step_id])
    except MissingStep as exc:
        return unavailable_step(step_id, str(exc))


def load_summary() -> type[Screen] | None:
    try:
        return import_class(SUMMARY_CLASS)
    except MissingStep:
        return None
