"""The portal walk-through: the tutorial's own way of getting and deleting credentials, as
numbered clicks in the portal's web pages, with this target's real URLs and the learner's
own names.

The sandbox serves these pages too (``tui/sandbox/web``), so a learner practises exactly the
clicks they will make on the live portal: My Gateways → the gateway → **Preview in
Directory** → the card → **Request Access** → **Create Application** → **dev** →
**Request Access & Continue** → **Generate Secrets**, and for clean-up the gateway's
**Consumers** page → **…** → **Delete Consumer...** → **Yes, Delete**.
UI-free: the screens render the steps and open the start URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Walkthrough:
    start_url: str
    steps: tuple[str, ...]

    def numbered(self) -> str:
        return "\n".join(f"{i}. {text}" for i, text in enumerate(self.steps, 1))


def _base(target: Any) -> str:
    return str(target.base_url).rstrip("/")


def _sign_in(target: Any, username: str) -> str:
    if target.kind == "sandbox":
        who = f"your wizard username {username}" if username else "your wizard username"
        return (
            f"Sign in: type {who} in Username (and the class passcode if the page asks), "
            "then click Login with IDIR."
        )
    return "Log in with Login with IDIR (the same account as this wizard)."


def _gateway(gateway_id: str, gateway_name: str) -> str:
    return f"{gateway_name} ({gateway_id})" if gateway_name else gateway_id


def credentials_walkthrough(
    target: Any,
    *,
    gateway_id: str,
    gateway_name: str = "",
    product: str = "",
    service: str = "",
    username: str = "",
    approval: bool = False,
) -> Walkthrough:
    """Request Access → Create Application → dev → Generate Secrets, in the browser."""
    start = f"{_base(target)}/manager/gateways/list"
    submit = "Request Access" if approval else "Request Access & Continue"
    steps = [
        f"Open {start} (My Gateways). {_sign_in(target, username)}",
        f"Click your gateway {_gateway(gateway_id, gateway_name)}: it becomes the active "
        "gateway and its page opens.",
        "In the Products card, click Preview in Directory (your dev environment is not "
        "public yet, so only this preview shows it).",
        f"Click the card's title {service or 'of your service'}, then Request Access beside "
        f"{product or 'your product'}.",
        "Click Create Application, type a name in Application Name, and click Create.",
        f"Under API Environment choose dev, then click {submit}.",
        "Click Generate Secrets. Copy Client ID, Client Secret and Token Endpoint with their "
        "Copy buttons and paste them into the fields below: the secret is shown only once.",
    ]
    if approval:
        steps.append(
            "Your product needs approval: as the provider, open Gateways → your gateway → "
            "Consumers, click Review on the request, then Approve."
        )
    return Walkthrough(start, tuple(steps))


def cleanup_walkthrough(
    target: Any,
    *,
    gateway_id: str,
    gateway_name: str = "",
    client_id: str = "",
    username: str = "",
) -> Walkthrough:
    """The Consumers page's … → Delete Consumer... → Yes, Delete."""
    start = f"{_base(target)}/manager/gateways/list"
    consumer = client_id or "your consumer"
    steps = [
        f"Open {start} (My Gateways). {_sign_in(target, username)}",
        f"Click your gateway {_gateway(gateway_id, gateway_name)}, then the Consumers card "
        f"({_base(target)}/manager/consumers, the active gateway's consumers).",
        f"In the row of {consumer}, click … (the actions menu), then Delete Consumer....",
        f"In the dialog 'Delete {consumer} Consumer?' click Yes, Delete; the page says "
        "Consumer deleted.",
        "Come back here and press ctrl+k: the wizard checks the consumer is gone: no longer "
        "listed where the portal lists consumers, its credentials refused a token, or the "
        "API answering 'Unable to find consumer'.",
    ]
    return Walkthrough(start, tuple(steps))
