"""Modal dialogs (``<Thing>Modal``), each a ``ModalScreen[T]`` returning a typed result.

The names are loaded on first use (PEP 562): the help modal pulls in Textual's Markdown
widget and its parser, which no step needs before the learner presses F1, so importing this
package costs nothing until a modal is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .choice import ChoiceModal
    from .confirm import ConfirmModal
    from .error import ErrorModal
    from .help import HelpModal
    from .quiz import QuizModal

__all__ = ["ChoiceModal", "ConfirmModal", "ErrorModal", "HelpModal", "QuizModal"]

_MODULES = {
    "ChoiceModal": "choice",
    "ConfirmModal": "confirm",
    "ErrorModal": "error",
    "HelpModal": "help",
    "QuizModal": "quiz",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
