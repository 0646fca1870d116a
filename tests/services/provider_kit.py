"""Helpers for the provider service tests: a static token source, a recording MockTransport
client (only for faults the sandbox cannot produce) and unique usernames."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tui.services.http import ApiClient
from tui.services.target import Target

_counter = itertools.count(1)


def unique_user(prefix: str = "learner") -> str:
    """A username no other test uses (the session sandbox is shared); it passes the sandbox's
    username rule (2-20 of letters, digits, '.', '_', '-')."""
    return f"{prefix[:8]}-{next(_counter)}-{secrets.token_hex(3)}"


@dataclass
class StaticTokens:
    """A TokenSource handing out fixed tokens; ``refreshed`` counts refresh calls."""

    token: str | None
    next_token: str | None = None
    refreshed: int = 0

    async def access_token(self) -> str | None:
        return self.token

    async def refresh(self) -> bool:
        self.refreshed += 1
        if self.next_token is None:
            return False
        self.token = self.next_token
        return True


@dataclass
class Recorder:
    """A MockTransport handler that records requests and answers from a list or a function."""

    answer: Callable[[httpx.Request], httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        return self.answer(request)


def mock_client(
    answer: Callable[[httpx.Request], httpx.Response],
    *,
    tokens: object = None,
    target: Target | None = None,
) -> tuple[ApiClient, Recorder]:
    recorder = Recorder(answer)
    client = ApiClient(
        target or Target("custom", "portal.example:8443", "https"),
        transport=httpx.MockTransport(recorder),
        tokens=tokens,  # type: ignore[arg-type]
    )
    return client, recorder


def sandbox_target(server) -> Target:
    return Target.sandbox(server.info.portal_host)
