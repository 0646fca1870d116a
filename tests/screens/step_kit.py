"""Helpers for step tests (imported as a module; the fixtures live in conftest.py)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import Any

import httpx

from tui.sandbox.server import SandboxServer
from tui.services.bundle import Services, build_services
from tui.services.secrets import SecretStore
from tui.services.target import Target

_names = itertools.count(1)


def unique_user(prefix: str = "u") -> str:
    """A sandbox username unique in this run (the session sandbox is shared by tests)."""
    return f"{prefix}{os.getpid() % 1000}x{next(_names)}"


def sandbox_target(sandbox: SandboxServer) -> Target:
    return Target.sandbox(sandbox.info.portal_host)


def mock_services(handler: Callable[[httpx.Request], httpx.Response], target: Target) -> Services:
    return build_services(target, transport=httpx.MockTransport(handler), secrets=SecretStore())


async def log_in(services: Services, username: str) -> None:
    """A real device login on the sandbox, approved as ``username`` (what the browser does)."""
    challenge = await services.login.start_device()
    await services.login.approve_on_sandbox(challenge, username)
    result = await services.login.poll_once(challenge)
    assert result.state == "done", result


def body_text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).content)
