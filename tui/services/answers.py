"""Send a "Check your understanding" answer to a class sandbox's board (no textual).

Only a class sandbox (a gwa-wizard sandbox reached with ``--host``) has the board; the
embedded sandbox and real APS do not, so the screens call this only for a class sandbox. The
answer goes as ``POST /sandbox/answers`` with the learner's login token:
``{"step", "question", "answer", "correct"}``.
"""

from __future__ import annotations

from typing import Any

from .http import ApiClient


class AnswersService:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def send(self, row: dict[str, Any]) -> None:
        """Send one answer; raises WizardError when the board cannot take it."""
        body = {k: row[k] for k in ("step", "question", "answer", "correct")}
        await self.client.request(
            "POST",
            "/sandbox/answers",
            action="Send your answer to the class board",
            json=body,
            expect=(201,),
        )
