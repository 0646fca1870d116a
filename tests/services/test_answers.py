"""Answers to "Check your understanding" reach a class sandbox's board, per learner."""

from __future__ import annotations

import httpx
import pytest

from tui.lessons import quiz
from tui.sandbox.answers import all_answers
from tui.services.answers import AnswersService
from tui.services.errors import WizardError


async def test_an_answer_is_stored_for_the_learner_and_replaced_when_changed(
    sandbox, user_client
) -> None:
    question = quiz.question_after("token")
    assert question is not None
    service = AnswersService(user_client)
    await service.send(quiz.record(question, "a"))
    await service.send(quiz.record(question, question.correct))
    mine = [a for a in all_answers(sandbox.ctx.db) if a["username"] == user_client.username]
    assert mine == [
        {
            "username": user_client.username,
            "step": "token",
            "question": "token-azp",
            "answer": "b",
            "correct": True,
        }
    ]
    response = await user_client.request("GET", "/sandbox/answers", action="List")
    assert [a["question"] for a in response.json()] == ["token-azp"]


async def test_without_a_login_the_board_refuses(anon_client) -> None:
    question = quiz.QUESTIONS[0]
    with pytest.raises(WizardError) as caught:
        await AnswersService(anon_client).send(quiz.record(question, "b"))
    assert caught.value.status == 401


def test_malformed_answers_get_a_clear_422(sandbox) -> None:
    from tui.sandbox.tokens import issue_provider_token

    url = f"{sandbox.info.portal_url}/sandbox/answers"
    headers = {"Authorization": f"Bearer {issue_provider_token(sandbox.ctx, 'quiz@idir')}"}
    extra = {"step": "status", "question": "q", "answer": "a", "correct": True, "x": 1}
    for body, message in (
        ({"step": "status"}, "exactly"),
        (extra, "exactly"),
        ({"step": "status", "question": "q", "answer": "a", "correct": "yes"}, "true or false"),
        ({"step": "st atus", "question": "q", "answer": "a", "correct": True}, "short word"),
    ):
        response = httpx.post(url, json=body, headers=headers)
        assert response.status_code == 422 and message in response.json()["message"]
    bad_json = httpx.post(url, content=b"{", headers=headers)
    assert bad_json.status_code == 422
