"""Check your understanding: one short question after Status, Try it, Token and Clean up.

Each question has three choices; whatever the learner picks, the feedback says why the right
choice is right (and, for a wrong pick, what that choice would actually mean). Skipping is
always allowed. :func:`record` turns an answer into the row kept in the session and the report,
and sent to a class sandbox's board (``POST /sandbox/answers``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    key: str  # "a", "b", "c"
    text: str
    feedback: str  # shown after picking this choice


@dataclass(frozen=True)
class Question:
    id: str  # stable, sent to the class board
    step: str  # asked when the learner leaves this step
    prompt: str
    choices: tuple[Choice, ...]
    correct: str  # the key of the right choice

    def choice(self, key: str) -> Choice:
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(key)

    def is_correct(self, key: str) -> bool:
        return key == self.correct


QUESTIONS: tuple[Question, ...] = (
    Question(
        id="status-up",
        step="status",
        prompt="gwa status shows your service as UP with '200 Response'. What does that tell you?",
        choices=(
            Choice(
                "a",
                "Consumers can now call your API",
                "Not yet: a caller still needs credentials and a token. Status only checks the "
                "link from the gateway to your upstream.",
            ),
            Choice(
                "b",
                "The gateway can reach your upstream service",
                "Right: Status asks the gateway to call your upstream (the backend it forwards "
                "to). It says nothing about who may call the API.",
            ),
            Choice(
                "c",
                "Your API is listed publicly in the API Directory",
                "No: the Directory entry stays in private preview until you share it. Status "
                "only checks the link from the gateway to your upstream.",
            ),
        ),
        correct="b",
    ),
    Question(
        id="try-it-401",
        step="try_it",
        prompt="Your call without a token got 401 Unauthorized. Why is that the result you want?",
        choices=(
            Choice(
                "a",
                "The gateway's jwt-keycloak plugin refused an anonymous caller",
                "Right: the plugin answered before the request reached your upstream, so "
                "strangers are kept out. Authentication happens at the gateway.",
            ),
            Choice(
                "b",
                "Your upstream service is down",
                "No: a down upstream gives 502 or 503 from the gateway, and Status would not "
                "say UP. The 401 came from the gateway's plugin, before the upstream.",
            ),
            Choice(
                "c",
                "The route's host name is wrong",
                "No: a wrong host gives 404 'no Route matched with those values'. The 401 means "
                "the route matched and its jwt-keycloak plugin refused the anonymous call.",
            ),
        ),
        correct="a",
    ),
    Question(
        id="token-azp",
        step="token",
        prompt="Which claim of the token does the gateway match against your API's consumer?",
        choices=(
            Choice(
                "a",
                "iss, the issuer",
                "Not this one: iss is checked against allowed_iss (the shared IdP). The consumer "
                "is found by azp, the client ID the token was issued to.",
            ),
            Choice(
                "b",
                "azp, the client ID the token was issued to",
                "Right: consumer_match_claim is azp, so the client ID in the token must belong "
                "to a consumer with access to your product.",
            ),
            Choice(
                "c",
                "exp, the expiry time",
                "Not this one: exp is verified (an expired token is refused), but the consumer "
                "is found by azp, the client ID the token was issued to.",
            ),
        ),
        correct="b",
    ),
    Question(
        id="cleanup-order",
        step="cleanup",
        prompt="Why did the consumer have to go before the gateway could be destroyed?",
        choices=(
            Choice(
                "a",
                "The portal refuses while a consumer still has access to its products",
                "Right: '1 consumer has access to products in this gateway.' Not even --force "
                "gets past it, so access is removed first.",
            ),
            Choice(
                "b",
                "It did not have to: --force removes consumers too",
                "No: --force only gets past configured services. A consumer with access blocks "
                "the destroy until it is deleted.",
            ),
            Choice(
                "c",
                "Consumers expire by themselves after a day",
                "No: a consumer keeps its access until it is deleted, and while it has access "
                "the portal refuses to destroy the gateway.",
            ),
        ),
        correct="a",
    ),
)
QUIZ_STEPS = tuple(q.step for q in QUESTIONS)


def question_after(step_id: str) -> Question | None:
    """The question asked when the learner leaves ``step_id`` (None for the other steps)."""
    return next((q for q in QUESTIONS if q.step == step_id), None)


def record(question: Question, key: str | None) -> dict[str, object]:
    """The answer as kept in the session and report; ``key`` None means skipped."""
    if key is None:
        return {"step": question.step, "question": question.id, "answer": "skipped"}
    return {
        "step": question.step,
        "question": question.id,
        "answer": key,
        "correct": question.is_correct(key),
    }


def answered(answers: list[dict[str, object]], question: Question) -> bool:
    """True once the learner answered or skipped ``question`` in this session."""
    return any(a.get("question") == question.id for a in answers)


def report_lines(answers: list[dict[str, object]]) -> list[str]:
    """Lines for the Markdown report: each question, the answer and whether it was right."""
    lines: list[str] = []
    for question in QUESTIONS:
        row = next((a for a in answers if a.get("question") == question.id), None)
        if row is None:
            continue
        if row.get("answer") == "skipped":
            lines.append(f"- {question.prompt} — skipped")
            continue
        choice = question.choice(str(row["answer"]))
        verdict = "right" if row.get("correct") else "not quite"
        lines.append(f"- {question.prompt} — {choice.text} ({verdict})")
    return lines
