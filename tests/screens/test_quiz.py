"""Check your understanding: feedback on the answer (not by colour alone), skippable, and on a
class sandbox the answer reaches the class board."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from screens.modals import QuizModal
from tests.waiting import until
from tui.lessons import quiz


class Host(App[None]):
    def __init__(self, question: quiz.Question) -> None:
        super().__init__()
        self.question = question
        self.result: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(QuizModal(self.question), callback=self.result.append)


def _question(step: str) -> quiz.Question:
    question = quiz.question_after(step)
    assert question is not None
    return question


async def test_a_wrong_answer_gets_feedback_and_the_right_one_is_marked() -> None:
    app = Host(_question("try_it"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QuizModal), "the question")
        await pilot.press("down", "down", "enter")  # c) The route's host name is wrong
        answer = app.screen.query_one("#quiz-answer")
        await until(pilot, lambda: app.focused is answer, "the focus on Answer")
        await pilot.press("enter")
        feedback = app.screen.query_one("#quiz-feedback")
        await until(pilot, lambda: str(feedback.content).strip() != "", "the feedback")
        text = str(feedback.content)
        assert text.startswith("✗ Not quite.") and "no Route matched" in text
        right = str(app.screen.query_one("#quiz-a").label)
        assert right.endswith("✓ right answer")  # told in words, not only in colour
        assert app.result == []  # the learner reads the feedback first
        # A Button ignores Enter while its 0.2 s press effect lasts (a double press is one).
        await until(pilot, lambda: not answer.has_class("-active"), "the press effect to end")
        await pilot.press("enter")  # Continue
        await until(pilot, lambda: app.result != [], "the question to close")
    assert app.result == ["c"]


async def test_skipping_asks_nothing_more() -> None:
    app = Host(_question("status"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QuizModal), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: app.result != [], "the question to close")
    assert app.result == [None]


async def test_answer_without_a_choice_says_what_to_do() -> None:
    app = Host(_question("token"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QuizModal), "the question")
        app.screen.query_one("#quiz-answer").press()
        told = lambda: any("Pick one of the answers" in n.message for n in app._notifications)  # noqa: E731
        await until(pilot, told, "the hint to pick an answer")
        assert app.result == []


async def test_on_a_class_sandbox_the_answer_reaches_the_board(sandbox, tmp_path: Path) -> None:
    from tui.app import WizardApp
    from tui.options import WizardOptions
    from tui.sandbox.answers import all_answers
    from tui.sandbox.tokens import issue_provider_token
    from tui.services.secrets import SecretStore, access_token_name

    host = sandbox.info.portal_host
    secrets = SecretStore()
    await secrets.set(access_token_name(host), issue_provider_token(sandbox.ctx, "quiz-a@idir"))
    options = WizardOptions(
        host=host, scheme="http", state_dir=tmp_path / "state", workspace=tmp_path / "w"
    )
    app = WizardApp(options, secrets=secrets)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, app.ready_event.is_set, "the app to be ready")
        assert app.target is not None and app.target.kind == "custom"
        question = _question("status")
        app.record_answer(question, "b")
        await app.workers.wait_for_complete()
        assert app.session.answers == [quiz.record(question, "b")]
    rows = [a for a in all_answers(sandbox.ctx.db) if a["username"] == "quiz-a@idir"]
    assert rows == [
        {
            "username": "quiz-a@idir",
            "step": "status",
            "question": "status-up",
            "answer": "b",
            "correct": True,
        }
    ]
