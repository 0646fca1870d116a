"""Modal dialogs (``<Thing>Modal``), each a ``ModalScreen[T]`` returning a typed result."""

from .choice import ChoiceModal
from .confirm import ConfirmModal
from .error import ErrorModal
from .help import HelpModal
from .quiz import QuizModal

__all__ = ["ChoiceModal", "ConfirmModal", "ErrorModal", "HelpModal", "QuizModal"]
