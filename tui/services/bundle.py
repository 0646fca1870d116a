"""One object holding every service for a target, built once per run and injected into steps.

``build_services(target)`` creates the single :class:`ApiClient`, the :class:`SecretStore`
(OS keyring, else memory), the :class:`LoginService` (which is also the client's token
source; with ``state_dir`` it keeps its class-sandbox name claims there) and one service
object per concern. ``await services.aclose()`` at the end.

The services of the later steps are made on first use, and their modules (the manifest's
YAML, the clean-up sequence, the probes...) imported then: the Target step's check needs only
the client and the login, and the wizard imports the rest in a thread after that check
(:func:`warm_up_services`), so a first use finds them loaded.
"""

from __future__ import annotations

import importlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .class_claim import ClassClaims
from .http import ApiClient, shared_ssl_context
from .login import LoginService
from .secrets import SecretStore
from .secrets import warm_up as warm_up_keyring
from .target import Target

if TYPE_CHECKING:
    from .apply import ApplyService
    from .cleanup import CleanupService
    from .consumer_token import ConsumerTokenService
    from .credentials import CredentialsService
    from .gateway import GatewaysService
    from .probe import ProbeService
    from .status import StatusService

# The modules of the services made on first use (see the module's docstring).
LATER_SERVICES: tuple[str, ...] = ("gateway", "apply", "status", "clipboard", "probe")
LATER_SERVICES += ("credentials", "consumer_token", "cleanup")


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


def warm_up_services() -> None:
    """Import the later steps' service modules (blocking: call it from a thread)."""
    for name in LATER_SERVICES:
        importlib.import_module(f"{__package__}.{name}")


class Services:
    """The services for one target: the client, the secret store and the login at once; each
    later step's service on first use (the same object on every use)."""

    def __init__(
        self,
        target: Target,
        client: ApiClient,
        secrets: SecretStore,
        login: LoginService,
        clipboard: Any = None,
    ) -> None:
        self.target, self.client, self.secrets, self.login = target, client, secrets, login
        self._clipboard = clipboard

    @cached_property
    def clipboard(self) -> Any:
        if self._clipboard is not None:
            return self._clipboard
        from .clipboard import Clipboard

        return Clipboard()

    @cached_property
    def gateways(self) -> GatewaysService:
        from .gateway import GatewaysService

        return GatewaysService(self.client)

    @cached_property
    def apply(self) -> ApplyService:
        from .apply import ApplyService

        return ApplyService(self.client)

    @cached_property
    def status(self) -> StatusService:
        from .status import StatusService

        return StatusService(self.client)

    @cached_property
    def probe(self) -> ProbeService:
        from .probe import ProbeService

        return ProbeService(self.client)

    @cached_property
    def credentials(self) -> CredentialsService:
        from .credentials import CredentialsService

        return CredentialsService(self.client)

    @cached_property
    def tokens(self) -> ConsumerTokenService:
        from .consumer_token import ConsumerTokenService

        return ConsumerTokenService(self.client)

    @cached_property
    def cleanup(self) -> CleanupService:
        from .cleanup import CleanupService

        return CleanupService(self.client)

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
    return Services(target, client, store, login, clipboard)
