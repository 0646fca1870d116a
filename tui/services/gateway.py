"""Gateways: create, list, read and destroy (docs/contract.md#s5), with the portal's own rules.

Names are checked locally with the portal's exact regular expressions and messages before
anything is sent, so the Gateway step can validate as the learner types. The portal's 422
answers (``fields.d0.message``) are surfaced with cause and fix; the destroy rules (a consumer
blocks even a forced destroy; services block an unforced one) are explained in tutorial terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import WizardError
from .http import ApiClient

GATEWAY_ID_RE = re.compile(r"^[a-z][a-z0-9-]{3,13}[a-z0-9]$")
DISPLAY_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-()_ .'/]{2,29}$")
GATEWAY_ID_MESSAGE = (
    "Gateway ID must be between 5 and 15 lowercase alpha-numeric characters and start with "
    "a letter."
)
DISPLAY_NAME_MESSAGE = (
    "Display name must be between 3 and 30 characters, starting with an alpha-numeric "
    'character, and can only use special characters "-()_ .\'/".'
)

CREATE_HINTS: dict[str, tuple[str, str]] = {
    "Display name must be": (
        "The portal only accepts display names of 3-30 characters that start with a letter "
        "or digit and use only the special characters -()_ .'/",
        "Shorten the name or remove the other special characters.",
    ),
    "Gateway ID must be": (
        "Gateway ids are 5-15 lowercase letters, digits or hyphens, starting with a letter.",
        "Leave the id empty to get a generated one (gw-xxxxx), or fix it.",
    ),
    "Namespace already exists": (
        "A gateway with this id already exists (ids are global across all users).",
        "Pick another id, or leave it empty to get a generated one.",
    ),
}
DESTROY_HINTS: dict[str, tuple[str, str]] = {
    "has access to products": (
        "A consumer still has access to a product of this gateway; the portal refuses to "
        "destroy a gateway in use, even with force.",
        "Revoke the consumer's access first (the Clean up step does this), then destroy.",
    ),
    "have access to products": (
        "Consumers still have access to products of this gateway; the portal refuses to "
        "destroy a gateway in use, even with force.",
        "Revoke every consumer's access first (the Clean up step does this), then destroy.",
    ),
    "been configured in this gateway": (
        "The gateway still has published services, so an unforced destroy is refused.",
        "Destroy with force (gwa gateway destroy --force), which also removes the services.",
    ),
}
ACCESS_HINTS: dict[str, tuple[str, str]] = {
    "Missing required scope": (
        "This gateway belongs to someone else, or you are logged in as another user.",
        "Pick one of your own gateways (the list shows them) or log in as its owner.",
    ),
}


@dataclass(frozen=True)
class Gateway:
    gateway_id: str
    display_name: str = ""


def display_name_problem(text: str) -> str | None:
    """The portal's message when ``text`` is not an acceptable display name, else None."""
    return None if DISPLAY_NAME_RE.match(text) else DISPLAY_NAME_MESSAGE


def gateway_id_problem(text: str) -> str | None:
    return None if GATEWAY_ID_RE.match(text) else GATEWAY_ID_MESSAGE


def default_display_name(username: str) -> str:
    """What the portal names a gateway created without a display name."""
    return f"{username}'s Gateway"


class GatewaysService:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def create(self, display_name: str | None = None) -> Gateway:
        """Create a gateway; ``None`` or "" lets the portal pick ``<username>'s Gateway``."""
        body: dict[str, str] = {}
        if display_name:
            problem = display_name_problem(display_name)
            if problem:
                raise WizardError(
                    what="Create the gateway failed: the display name is not allowed",
                    why=problem,
                    fix="Change the display name and try again.",
                    retryable=False,
                    code="validation_error",
                    fields={"displayName": problem},
                )
            body["displayName"] = display_name
        response = await self.client.request(
            "POST",
            "/ds/api/v3/gateways",
            action="Create the gateway",
            json=body,
            hints=CREATE_HINTS,
        )
        return _gateway(_body(response), "Create the gateway")

    async def list(self, action: str = "List your gateways") -> list[Gateway]:
        response = await self.client.request("GET", "/ds/api/v3/gateways", action=action)
        data = _body(response)
        if not isinstance(data, list):
            raise _bad_answer(action)
        return [_gateway(item, action) for item in data]

    async def ids(self) -> frozenset[str]:
        """The ids of the learner's gateways now (taken before a create's first attempt; a
        failure reads as the create's, which is what the learner asked for)."""
        return frozenset(g.gateway_id for g in await self.list(action="Create the gateway"))

    async def made_since(self, known: frozenset[str], display_name: str) -> Gateway | None:
        """A gateway called ``display_name`` that is not among ``known``: one an earlier create
        made although its answer never came back (a timeout, a dropped connection). A retry
        asks this first, so the learner does not end up with two gateways and one unknown."""
        for gateway in await self.list(action="Create the gateway"):
            if gateway.gateway_id not in known and gateway.display_name == display_name:
                return gateway
        return None

    async def get(self, gateway_id: str) -> Gateway:
        response = await self.client.request(
            "GET",
            f"/ds/api/v3/gateways/{_segment(gateway_id)}",
            action=f"Read gateway {gateway_id}",
            hints=ACCESS_HINTS,
        )
        data = _body(response)
        if not isinstance(data, dict):
            raise _bad_answer(f"Read gateway {gateway_id}")
        name = data.get("displayName")
        return Gateway(gateway_id, name if isinstance(name, str) else "")

    async def destroy(self, gateway_id: str, force: bool = False) -> None:
        await self.client.request(
            "DELETE",
            f"/ds/api/v3/gateways/{_segment(gateway_id)}",
            action=f"Destroy gateway {gateway_id}",
            params={"force": "true" if force else "false"},
            hints={**DESTROY_HINTS, **ACCESS_HINTS},
        )


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _segment(gateway_id: str) -> str:
    if not gateway_id or "/" in gateway_id or gateway_id in (".", ".."):
        raise WizardError(
            what=f"{gateway_id!r} is not a gateway id",
            why="Gateway ids look like gw-1a2b3.",
            fix="Pick a gateway from the list.",
            retryable=False,
        )
    return gateway_id


def _gateway(data: Any, action: str) -> Gateway:
    if not isinstance(data, dict) or not isinstance(data.get("gatewayId"), str):
        raise _bad_answer(action)
    name = data.get("displayName")
    return Gateway(data["gatewayId"], name if isinstance(name, str) else "")


def _bad_answer(action: str) -> WizardError:
    return WizardError(
        what=f"{action} failed: the portal's answer was not understood",
        why="The answer did not have the shape the APS API documents.",
        fix="Check that the host is an APS portal; retry.",
    )
