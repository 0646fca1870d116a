"""Check your understanding: one question, three choices, feedback, skippable.

Dismisses with the chosen key ("a", "b", "c") once the learner has read the feedback, or None
when skipped. The choices carry their letter and, after answering, a ✓ or ✗ word mark, so
nothing is told by colour alone.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, RadioButton, RadioSet, Static

from tui.lessons.quiz import Question
from tui.widgets import MarkedRadioButton


class QuizModal(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "skip", "Skip", id="quiz.skip", tooltip="Skip this question"),
    ]
    DEFAULT_CSS = """
    QuizModal { align: center middle; }
    QuizModal > Vertical {
        width: 90%; max-width: 80; height: auto; max-height: 100%;
        padding: 0 1; border: thick $accent; background: $surface;
    }
    QuizModal #quiz-title { text-style: bold; color: $accent; }
    QuizModal #quiz-prompt { margin: 1 0; }
    QuizModal RadioSet { width: 100%; height: auto; }
    QuizModal #quiz-feedback { height: auto; margin: 1 0 0 0; padding: 0 1; display: none; }
    QuizModal #quiz-feedback.-shown { display: block; }
    QuizModal #quiz-feedback.-right { border-left: thick $success; }
    QuizModal #quiz-feedback.-wrong { border-left: thick $warning; }
    QuizModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    QuizModal Button { margin-left: 2; }
    """

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question
        self.picked: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Check your understanding", id="quiz-title")
            yield Static(self.question.prompt, id="quiz-prompt")
            with RadioSet(id="quiz-choices"):
                for choice in self.question.choices:
                    yield MarkedRadioButton(f"{choice.key}) {choice.text}", id=f"quiz-{choice.key}")
            yield Static("", id="quiz-feedback")
            with Horizontal():
                yield Button("Skip (esc)", id="quiz-skip")
                yield Button("Answer", id="quiz-answer", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#quiz-choices", RadioSet).focus()

    @on(RadioSet.Changed, "#quiz-choices")
    def _choice_changed(self, event: RadioSet.Changed) -> None:
        if self.picked is None:
            self.query_one("#quiz-answer", Button).focus()

    @on(Button.Pressed, "#quiz-answer")
    def answer(self) -> None:
        if self.picked is not None:
            self.dismiss(self.picked)  # the feedback was read: go on
            return
        pressed = self.query_one("#quiz-choices", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            self.notify("Pick one of the answers first (↑ ↓ then Enter), or skip.")
            return
        key = pressed.id.removeprefix("quiz-")
        self.picked = key
        right = self.question.is_correct(key)
        for choice in self.question.choices:
            button = self.query_one(f"#quiz-{choice.key}", RadioButton)
            mark = "  ✓ right answer" if self.question.is_correct(choice.key) else ""
            button.label = f"{choice.key}) {choice.text}{mark}"
        feedback = self.query_one("#quiz-feedback", Static)
        verdict = "✓ Right." if right else "✗ Not quite."
        text = self.question.choice(key).feedback
        if text.startswith("Right: "):
            text = text.removeprefix("Right: ")
        feedback.update(f"{verdict} {text}")
        feedback.set_classes(["-shown", "-right" if right else "-wrong"])
        self.query_one("#quiz-choices", RadioSet).disabled = True
        answer = self.query_one("#quiz-answer", Button)
        answer.label = "Continue"
        answer.focus()
        self.query_one("#quiz-skip").display = False

    @on(Button.Pressed, "#quiz-skip")
    def action_skip(self) -> None:
        self.dismiss(self.picked)  # after answering, Esc keeps the answer
