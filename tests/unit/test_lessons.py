"""The tutorial's lessons the wizard teaches: install gwa per system, the Access recap, Next
steps and help, insider words where they first appear, and Check your understanding."""

from __future__ import annotations

import pytest

from screens.steps import screen_for
from tui.lessons import glossary, install_gwa, next_steps, quiz, recap
from tui.services.session import Session
from tui.steps import STEP_IDS


@pytest.mark.parametrize(
    ("system", "machine", "shown", "asset"),
    [
        ("Linux", "x86_64", "Linux (x86_64)", "gwa_Linux_x86_64.tgz"),
        ("Linux", "aarch64", "Linux (arm64)", "gwa_Linux_arm64.tgz"),
        ("Darwin", "arm64", "macOS (Apple silicon)", "gwa_Darwin_arm64.tgz"),
        ("Darwin", "x86_64", "macOS (Intel)", "gwa_Darwin_x86_64.tgz"),
    ],
)
def test_install_steps_fit_the_learners_system(system, machine, shown, asset) -> None:
    steps = install_gwa.install_steps(system, machine)
    assert steps.system == shown
    assert any(asset in line for line in steps.commands)
    assert any("export PATH=$PATH:$PWD" in line for line in steps.commands)
    assert f"VERSION={install_gwa.MIN_VERSION}" in steps.commands[0]


def test_windows_is_sent_to_wsl_as_the_tutorial_advises() -> None:
    steps = install_gwa.install_steps("Windows", "AMD64")
    assert steps.commands[0] == "wsl --install" and "WSL2" in steps.note


def test_install_markdown_says_which_version_still_logs_in() -> None:
    text = install_gwa.as_markdown(install_gwa.install_steps("Linux", "x86_64"))
    assert "gwa --version" in text and "v3.1.1 or later" in text and "```sh" in text


def test_access_recap_names_both_hosts_the_certificate_and_the_shared_idp() -> None:
    pairs = recap.access_recap("my-svc", "http://my-svc-dev-api-gov-bc-ca.localhost:41000/uuid")
    text = " ".join(f"{what} {why}" for what, why in pairs)
    assert "https://my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca/" in text
    assert "https://my-svc-dev.api.gov.bc.ca/" in text  # the production form beside it
    assert "*.api.gov.bc.ca" in text and "Pathfinder SSO" in text
    assert "Authentication at the gateway, authorization in your API" in text
    assert "private preview" in text and "localhost:41000" in text
    assert "private preview" in recap.DIRECTORY_LESSON and "Preview in Directory" in (
        recap.DIRECTORY_LESSON
    )


def test_next_steps_and_get_help_are_the_tutorials() -> None:
    text = "\n".join(next_steps.summary_lines())
    for item in ("Create a Gateway Service", "Manage Team Access", "CI/CD Integration"):
        assert item in text
    assert "#aps-ops" in text and "3 to 5 business days" in text


def _step_text(step_id: str) -> str:
    cls = screen_for(step_id)
    assert cls is not None
    terms = " ".join(f"{a} {b}" for a, b in cls.KEY_TERMS)
    return f"{cls.HELP} {terms}"


@pytest.mark.parametrize("term", glossary.TERMS, ids=lambda t: t.word)
def test_each_insider_word_is_explained_where_it_first_appears(term) -> None:
    assert term.first_step in STEP_IDS
    earlier = STEP_IDS[: STEP_IDS.index(term.first_step)]
    assert not [s for s in earlier if term.word in _step_text(s)], "mentioned before explained"
    assert (term.word, term.meaning) in glossary.terms_for(term.first_step)
    assert glossary.explain(term.word.upper()) == term.meaning


def test_quiz_asks_at_the_four_points_with_one_right_choice_each() -> None:
    assert quiz.QUIZ_STEPS == ("status", "try_it", "token", "cleanup")
    for question in quiz.QUESTIONS:
        keys = [c.key for c in question.choices]
        assert len(keys) == 3 == len(set(keys)) and question.correct in keys
        right = question.choice(question.correct)
        assert right.feedback.startswith("Right")
        wrong = [c for c in question.choices if c.key != question.correct]
        assert all(not c.feedback.startswith("Right") for c in wrong)
    assert quiz.question_after("login") is None


def test_answers_stay_in_the_session_and_the_report() -> None:
    from tui.services.export import build_report

    status, try_it = quiz.question_after("status"), quiz.question_after("try_it")
    assert status is not None and try_it is not None
    session = Session(service="svc")
    session.record_answer(quiz.record(status, "a"))
    session.record_answer(quiz.record(status, status.correct))  # changed their mind
    session.record_answer(quiz.record(try_it, None))
    assert session.answers == [
        {"step": "status", "question": "status-up", "answer": "b", "correct": True},
        {"step": "try_it", "question": "try-it-401", "answer": "skipped"},
    ]
    assert quiz.answered(session.answers, status) and quiz.answered(session.answers, try_it)
    again = Session.from_dict(session.to_dict())
    assert again.answers == session.answers
    report = build_report(again)
    assert "## Check your understanding" in report
    assert "The gateway can reach your upstream service (right)" in report
    assert "skipped" in report
    assert "issued via" not in report


def test_lessons_and_insider_words_appear_in_the_steps_help() -> None:
    session = Session(service="my-svc", api_url="http://my-svc-dev-api-gov-bc-ca.localhost:1/")

    def help_of(step_id: str) -> str:
        return screen_for(step_id)(session, None).help_markdown()

    assert "## Install the gwa CLI" in help_of("target") and "gwa --version" in help_of("target")
    assert "private preview" in help_of("apply")
    status = help_of("status")
    assert "## Access your API" in status and "https://my-svc-dev.api.gov.bc.ca/" in status
    review = help_of("review")
    assert "**azp**:" in review and "**decK**:" in review
    assert "**azp**:" not in help_of("token")  # explained once, where it first appears
