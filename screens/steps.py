"""Each step id of :data:`tui.steps.STEPS` bound to its screen class (real imports).

Importing this module fails loudly when a step has no screen, a screen has no step, or
the order differs from ``tui.steps``: a missing piece is a failed import and a failed test,
never a placeholder shown to the learner.
"""

from __future__ import annotations

from textual.screen import Screen

from tui.steps import STEP_IDS

from .apply import ApplyStep
from .base import WizardStep
from .call import CallStep
from .cleanup import CleanupStep
from .credentials import CredentialsStep
from .gateway import GatewayStep
from .login import LoginStep
from .review import ReviewStep
from .status import StatusStep
from .summary import SummaryScreen
from .target import TargetStep
from .template import TemplateStep
from .token import TokenStep
from .try_it import TryItStep

STEP_SCREENS: tuple[type[WizardStep], ...] = (
    TargetStep,
    LoginStep,
    GatewayStep,
    TemplateStep,
    ReviewStep,
    ApplyStep,
    StatusStep,
    TryItStep,
    CredentialsStep,
    TokenStep,
    CallStep,
    CleanupStep,
)
SUMMARY_SCREEN: type[Screen[None]] = SummaryScreen

_declared = tuple(cls.STEP_ID for cls in STEP_SCREENS)
if _declared != STEP_IDS:
    raise ImportError(
        f"screens/steps.py binds {_declared}, but tui/steps.py declares {STEP_IDS}: "
        "give every step exactly one screen, in tutorial order"
    )
_BY_ID = dict(zip(STEP_IDS, STEP_SCREENS, strict=True))


def screen_for(step_id: str) -> type[WizardStep]:
    """The screen class of ``step_id``; KeyError for an id that is not a step."""
    return _BY_ID[step_id]
