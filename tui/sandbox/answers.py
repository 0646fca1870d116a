"""The learners' "Check your understanding" answers, for the class board (sandbox only).

Not part of the APS contract. A wizard on a class sandbox sends each answer here so the
trainer sees who understood what:

* ``POST /sandbox/answers`` with the learner's provider bearer token and the JSON body
  ``{"step": "status", "question": "status-up", "answer": "b", "correct": true}`` → **201**
  ``{"username", "step", "question", "answer", "correct"}``. Answering the same question
  again replaces the earlier answer (one row per learner and question).
* ``GET /sandbox/answers`` with a bearer token → 200, the caller's own answers.

The board reads every learner's rows with :func:`all_answers`.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import tokens
from .context import SandboxContext, context_of
from .db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS learner_answers (
    username    TEXT NOT NULL,
    step        TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    answered_at REAL NOT NULL,
    PRIMARY KEY (username, question)
);
"""
FIELDS = ("step", "question", "answer", "correct")
_WORD = re.compile(r"^[a-z0-9_-]{1,40}$")


def all_answers(db: Database) -> list[dict[str, Any]]:
    """Every learner's latest answer to each question, oldest first (for the class board)."""
    rows = db.query(
        "SELECT username, step, question, answer, correct, answered_at FROM learner_answers "
        "ORDER BY answered_at, username"
    )
    return [_row(r) for r in rows]


def _row(row: Any) -> dict[str, Any]:
    return {
        "username": row["username"],
        "step": row["step"],
        "question": row["question"],
        "answer": row["answer"],
        "correct": bool(row["correct"]),
    }


def _problem(message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def _caller(ctx: SandboxContext, request: Request) -> str | JSONResponse:
    try:
        token = tokens.bearer_from_header(request.headers.get("authorization"))
        return tokens.username_of(tokens.verify_provider_token(ctx, token))
    except tokens.TokenProblem as problem:
        return JSONResponse({"message": problem.message}, status_code=401)


def _check(data: Any) -> str | None:
    """Why this body is not an answer; None when it is."""
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        return 'The body must hold exactly "step", "question", "answer" and "correct"'
    for name in ("step", "question", "answer"):
        if not isinstance(data[name], str) or not _WORD.match(data[name]):
            return f'"{name}" must be a short word (a-z, 0-9, - or _)'
    if not isinstance(data["correct"], bool):
        return '"correct" must be true or false'
    return None


async def post(request: Request) -> JSONResponse:
    ctx = context_of(request)
    caller = _caller(ctx, request)
    if isinstance(caller, JSONResponse):
        return caller
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _problem("Syntax Error Parsing JSON")
    problem = _check(data)
    if problem:
        return _problem(problem)
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO learner_answers"
            "(username, step, question, answer, correct, answered_at) VALUES (?,?,?,?,?,?)",
            (
                caller,
                data["step"],
                data["question"],
                data["answer"],
                int(data["correct"]),
                time.time(),
            ),
        )
    return JSONResponse({"username": caller} | {k: data[k] for k in FIELDS}, status_code=201)


async def mine(request: Request) -> JSONResponse:
    ctx = context_of(request)
    caller = _caller(ctx, request)
    if isinstance(caller, JSONResponse):
        return caller
    return JSONResponse([a for a in all_answers(ctx.db) if a["username"] == caller])


# Mounted under /sandbox (app.py).
ROUTES = [
    Route("/answers", post, methods=["POST"]),
    Route("/answers", mine, methods=["GET"]),
]
