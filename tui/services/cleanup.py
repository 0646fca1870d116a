"""Clean up in the only order that works: consumer first, then the gateway (docs/contract.md#s5.4, #s12.3).

A consumer with access to one of the gateway's product environments blocks ``DELETE
/ds/api/v3/gateways/{gw}`` *even with force* (``1 consumer has access to products in this
gateway.``), so the consumer goes first: over REST on the sandbox, in the portal's Consumers
page on a live instance (after which :meth:`CleanupService.check_revoked` proves it by
calling the API with a fresh token). Then the gateway is destroyed with ``force=true``, and
:meth:`CleanupService.verify_gone` checks that it really is gone (GET → 403/404).

The sequence, as the Clean up step runs it (each call usable without the UI):

1. :meth:`CleanupService.inventory` — what exists now;
2. :meth:`CleanupService.revoke_consumers` — over REST, or the hand-off error to show;
   after a hand-off, :meth:`CleanupService.confirm_revoked` proves the portal delete;
3. :func:`forget_consumer` — the session records it, the secret and token are dropped;
4. :meth:`CleanupService.destroy_and_verify` — destroy with force, then prove it gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .consumer_token import ConsumerTokenService
from .credentials import CredentialsService, needs_handoff
from .errors import WizardError
from .probe import ProbeService

CONSUMER_BLOCKS = "access to products in this gateway"


@dataclass(frozen=True)
class Inventory:
    gateway_id: str
    gateway_exists: bool
    display_name: str = ""
    services: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()  # client ids with access
    consumers_listed: bool = False  # True: from the server; False: from the session only
    # Other gateways made in this session (a second create) that still exist: cleaned up too.
    extra_gateways: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.gateway_exists and not self.consumers and not self.extra_gateways


@dataclass(frozen=True)
class RevocationCheck:
    revoked: bool
    evidence: str  # what the API answered, in words


class CleanupService:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.credentials = CredentialsService(client)

    async def _json_or_none(self, path: str, action: str) -> Any:
        try:
            response = await self.client.request("GET", path, action=action)
        except WizardError as exc:
            if exc.status in (403, 404, 405):
                return None
            raise
        try:
            return response.json()
        except ValueError:
            return None

    async def inventory(self, gateway_id: str, session: Any) -> Inventory:
        """What exists now, read from the server (the session is only a fallback for consumers)."""
        gw = quote(gateway_id)
        gateway = await self._json_or_none(f"/ds/api/v3/gateways/{gw}", "Read the gateway")
        extras = await self.extra_gateways(session)
        if not isinstance(gateway, dict):
            return Inventory(
                gateway_id, False, consumers=_session_consumers(session), extra_gateways=extras
            )
        display = str(gateway.get("displayName") or gateway.get("display_name") or "")
        services = await self._json_or_none(
            f"/gw/api/v3/gateways/{gw}/services", "List the services"
        )
        products = await self._json_or_none(
            f"/ds/api/v3/gateways/{gw}/products", "List the products"
        )
        listed = await self.credentials.consumers(gateway_id)
        if listed is not None:
            consumers, consumers_listed = tuple(listed), True
        else:
            consumers, consumers_listed = _session_consumers(session), False
        return Inventory(
            gateway_id=gateway_id,
            gateway_exists=True,
            display_name=display,
            services=tuple(str(s.get("name")) for s in services or [] if isinstance(s, dict)),
            products=tuple(str(p.get("name")) for p in products or [] if isinstance(p, dict)),
            consumers=consumers,
            consumers_listed=consumers_listed,
            extra_gateways=extras,
        )

    async def extra_gateways(self, session: Any) -> tuple[str, ...]:
        """Gateways created in this session, other than the current one, that still exist."""
        current = getattr(session, "gateway_id", "")
        extras: list[str] = []
        for gateway_id in dict.fromkeys(getattr(session, "created_gateways", ())):
            if gateway_id and gateway_id != current and not await self.verify_gone(gateway_id):
                extras.append(gateway_id)
        return tuple(extras)

    async def destroy_extras(self, gateway_ids: Iterable[str]) -> None:
        """Clean up the extra gateways too: their consumers first, then each one with force."""
        for gateway_id in gateway_ids:
            handoff = await self.revoke_consumers(
                gateway_id, await self.credentials.consumers(gateway_id) or ()
            )
            if handoff is not None:
                raise handoff
            await self.destroy_and_verify(gateway_id)

    async def revoke_consumer(self, gateway_id: str, client_id: str) -> None:
        """Revoke over REST; raises a WizardError for which ``needs_handoff`` is true on live."""
        try:
            await self.credentials.revoke(gateway_id, client_id)
        except WizardError as exc:
            if needs_handoff(exc):
                raise WizardError(
                    "This portal cannot revoke consumers over its API",
                    "Revoking access is done on the portal's Consumers page.",
                    "Open Gateways → Consumers, find the consumer, and use … → Delete; then "
                    "let the wizard check.",
                    status=exc.status,
                    retryable=False,
                    detail=exc.detail,
                    code="handoff",
                ) from exc
            raise

    async def revoke_consumers(
        self, gateway_id: str, client_ids: Iterable[str]
    ) -> WizardError | None:
        """Revoke each consumer over REST. Returns the hand-off error (``code="handoff"``)
        when this portal has no API for it, so the learner deletes it in the portal; None
        when every one was revoked. Other failures raise."""
        for client_id in client_ids:
            try:
                await self.revoke_consumer(gateway_id, client_id)
            except WizardError as exc:
                if exc.code != "handoff":
                    raise
                return exc
        return None

    async def confirm_revoked(
        self,
        session: Any,
        credentials: CredentialsService,
        secrets: Any,
        *,
        client_id: str = "",
    ) -> str:
        """After a delete in the portal: prove it; the evidence, in words.

        Where the portal lists consumers (the sandbox) the consumer must be gone from the list;
        then a fresh token with the kept secret must no longer get through. Raises WizardError
        when the consumer is still there, or when nothing can prove it (no listing, no secret).
        """
        client_id = client_id or session.client_id
        listed = await self.consumer_listed(session.gateway_id, client_id) if client_id else None
        if listed:
            raise WizardError(
                f"The consumer {client_id} is still there",
                "The gateway still lists it among its consumers.",
                "Delete it on the Consumers page (… → Delete Consumer... → Yes, Delete), "
                "then press ctrl+k again.",
            )
        creds = await credentials.remembered(session, secrets)
        if creds is None and listed is False:
            return f"{client_id} is no longer listed on the gateway."
        if creds is None:
            raise WizardError(
                "The wizard cannot check without the client secret",
                "The secret of this run is not in the secret store any more.",
                "Press ctrl+d: the portal refuses to destroy the gateway while a consumer "
                "still has access, so that is the check.",
                retryable=False,
            )
        result = await self.check_revoked(session.api_url, creds)
        if not result.revoked:
            raise WizardError(
                "The consumer still has access",
                result.evidence,
                "Delete it on the portal's Consumers page, then press ctrl+k again.",
            )
        return result.evidence

    async def destroy_and_verify(self, gateway_id: str) -> None:
        """Destroy with force, then prove the gateway gone; WizardError if it still answers."""
        await self.destroy_gateway(gateway_id)
        if not await self.verify_gone(gateway_id):
            raise WizardError(
                f"Gateway {gateway_id} still answers after the destroy",
                "The portal accepted the destroy, but the gateway can still be read.",
                "Wait a moment and press ctrl+r; report it if it persists.",
            )

    async def consumer_listed(self, gateway_id: str, client_id: str) -> bool | None:
        """Whether the gateway still lists the consumer (None: this portal has no listing)."""
        listed = await self.credentials.consumers(gateway_id)
        return None if listed is None else client_id in listed

    async def check_revoked(self, api_url: str, credentials: Any) -> RevocationCheck:
        """Prove a hand-off revoke worked: a fresh token must no longer get through."""
        try:
            token = await ConsumerTokenService(self.client).request(credentials)
        except WizardError as exc:
            # invalid_client: Keycloak no longer knows (or has disabled) the client: revoked.
            if exc.code == "invalid_client":
                return RevocationCheck(
                    True, f"The token endpoint refuses the credentials now ({exc.code})."
                )
            # unauthorized_client: the client still exists, only this secret is wrong.
            if exc.code == "unauthorized_client":
                return RevocationCheck(
                    False,
                    "The token endpoint still knows this client and refuses only the saved "
                    "secret (unauthorized_client), so this does not show the access is gone.",
                )
            raise
        call = await ProbeService(self.client).call(api_url, token.access_token)
        message = call.message
        if call.status == 401 and message.startswith("Unable to find consumer"):
            return RevocationCheck(True, f"The gateway answers 401 {message}.")
        if call.status is None:
            raise call.error or WizardError("The API could not be reached to check the consumer")
        return RevocationCheck(
            False, f"The gateway still answers {call.status} {message or ''}".rstrip()
        )

    async def destroy_gateway(self, gateway_id: str) -> None:
        """``DELETE /ds/api/v3/gateways/{gw}?force=true`` (200, body ``true``)."""
        await self.client.request(
            "DELETE",
            f"/ds/api/v3/gateways/{quote(gateway_id)}",
            action="Destroy the gateway",
            params={"force": "true"},
            hints={
                CONSUMER_BLOCKS: (
                    "A consumer still has access to one of this gateway's products; the portal "
                    "refuses to delete a gateway that has consumers, even with force.",
                    "Revoke the consumer first (the step above), then destroy again.",
                ),
            },
        )

    async def verify_gone(self, gateway_id: str) -> bool:
        """True when reading the gateway now fails with 403 or 404."""
        try:
            await self.client.request(
                "GET", f"/ds/api/v3/gateways/{quote(gateway_id)}", action="Check the gateway"
            )
        except WizardError as exc:
            if exc.status in (403, 404):
                return True
            raise
        return False


async def forget_consumer(
    session: Any, credentials: CredentialsService, secrets: Any, tokens: ConsumerTokenService
) -> None:
    """The consumer's access is gone: the session says so; its secret and token are dropped."""
    session.consumer_revoked = True
    if session.client_id:
        await credentials.forget(session, secrets, session.client_id)
    tokens.forget()


def blocked_by_consumer(error: WizardError) -> bool:
    return CONSUMER_BLOCKS in (error.detail or "") or CONSUMER_BLOCKS in error.what


def _session_consumers(session: Any) -> tuple[str, ...]:
    """The consumers this session made (every one issued, and the one in use), unrevoked."""
    if session is None or getattr(session, "consumer_revoked", False):
        return ()
    made = [*getattr(session, "issued_consumers", ()), getattr(session, "client_id", "")]
    return tuple(c for c in dict.fromkeys(made) if c)
