"""Ask the learner to pick one of a few named choices; dismisses with the choice's id.

Escape dismisses with ``"stay"``: doing nothing is always the safe answer.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

STAY = "stay"


class ChoiceModal(ModalScreen[str]):
    BINDINGS = [
        Binding("escape", "stay", "Stay", id="choice.stay", tooltip="Change nothing, stay here"),
    ]
    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ChoiceModal #choice-question { margin-bottom: 1; }
    ChoiceModal Horizontal { height: auto; align-horizontal: right; }
    ChoiceModal Button { margin-left: 1; }
    """

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        """``choices``: (id, label) pairs, the first one focused."""
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="choice-question")
            with Horizontal():
                for index, (choice_id, label) in enumerate(self.choices):
                    yield Button(
                        label,
                        id=f"choice-{choice_id}",
                        variant="primary" if index == 0 else "default",
                    )

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-") or STAY)

    def action_stay(self) -> None:
        self.dismiss(STAY)
