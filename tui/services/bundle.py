"""One object holding every service for a target, built once per run and injected into steps.

``build_services(target)`` creates the single :class:`ApiClient`, the :class:`SecretStore`
(OS keyring, else memory), the :class:`LoginService` (which is also the client's token
source; with ``state_dir`` it keeps its class-sandbox name claims there) and one service
object per concern. ``await services.aclose()`` at the end.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .apply import ApplyService
from .class_claim import ClassClaims
from .cleanup import CleanupService
from .clipboard import Clipboard
from .consumer_token import ConsumerTokenService
from .credentials import CredentialsService
from .gateway import GatewaysService
from .http import ApiClient, shared_ssl_context
from .login import LoginService
from .probe import ProbeService
from .secrets import SecretStore
from .secrets import warm_up as warm_up_keyring
from .status import StatusService
from .target import Target


def warm_up() -> None:
    """Do the slow first-time work (keyring backend, TLS context) now. Blocking: call it from
    a thread, so the first use of either on the event loop costs next to nothing."""
    warm_up_keyring()
    warm_up_transport()


def warm_up_transport() -> None:
    """Only what :func:`build_services` and the first request need (the keyring is loaded on
    first use)."""
    httpx.AsyncHTTPTransport(verify=shared_ssl_context())  # imports httpcore, builds TLS
    # httpcore's connection pool makes its first lock and event with anyio, whose asyncio
    # backend is imported then, on the event loop (50-100 ms, inside the first request the
    # Target step makes); importing it here, in the warm-up thread, takes that off the loop.
    importlib.import_module("anyio._backends._asyncio")


@dataclass
class Services:
    target: Target
    client: ApiClient
    secrets: SecretStore
    login: LoginService
    gateways: GatewaysService
    apply: ApplyService
    status: StatusService
    clipboard: Any
    probe: ProbeService
    credentials: CredentialsService
    tokens: ConsumerTokenService
    cleanup: CleanupService

    async def aclose(self) -> None:
        await self.client.aclose()


def build_services(
    target: Target,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    secrets: SecretStore | None = None,
    clipboard: Any = None,
    state_dir: Path | None = None,
) -> Services:
    """Everything the steps need for ``target``; ``transport`` is a test seam (MockTransport)."""
    store = secrets if secrets is not None else SecretStore()
    client = ApiClient(target, transport=transport)
    login = LoginService(client, store, ClassClaims(state_dir) if state_dir else None)
    client.tokens = login
    return Services(
        target=target,
        client=client,
        secrets=store,
        login=login,
        gateways=GatewaysService(client),
        apply=ApplyService(client),
        status=StatusService(client),
        clipboard=clipboard if clipboard is not None else Clipboard(),
        probe=ProbeService(client),
        credentials=CredentialsService(client),
        tokens=ConsumerTokenService(client),
        cleanup=CleanupService(client),
    )
