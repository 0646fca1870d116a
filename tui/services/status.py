"""``gwa status --hosts`` (docs/contract.md#s9): is each published service's upstream alive?

APS probes the **upstream** directly (not through the gateway route) and answers UP or DOWN
with a reason. ``env_host`` is the host the learner calls: on the test instance the rewritten
``<svc>-dev-api-gov-bc-ca.test.api.gov.bc.ca``, on the sandbox
``<svc>-dev-api-gov-bc-ca.localhost:<port>`` (plain http).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import WizardError
from .http import ApiClient

STATUS_HINTS: dict[str, tuple[str, str]] = {
    "Not authorized to access namespace": (
        "You may not read the status of this gateway: it is not yours, or you logged in as "
        "someone else.",
        "Pick one of your gateways in the Gateway step.",
    ),
    "Unexpected error occurred": (
        "APS could not run its status check right now (a server-side problem).",
        "Wait a moment and refresh.",
    ),
}

_REASONS: dict[str, str] = {
    "DNS": "DOWN: the upstream's host name does not resolve (a typo in the upstream URL, or a "
    "host only reachable inside another network).",
    "TIMEOUT": "DOWN: the upstream did not answer within a few seconds (it is slow, or a "
    "firewall drops the connection).",
    "CONNECTION": "DOWN: the connection to the upstream was refused or cut (nothing listens on "
    "that port; on OpenShift often a missing NetworkPolicy).",
    "CON_ERR": "DOWN: the connection to the upstream failed (refused or cut).",
    "SSL": "DOWN: the TLS handshake with the upstream failed (wrong port or protocol, e.g. http "
    "against 443, or an untrusted certificate).",
    "SSL_URLLIB3": "DOWN: the TLS handshake with the upstream failed (wrong port or protocol, "
    "or an untrusted certificate).",
    "UNKNOWN": "DOWN: the status check failed for a reason APS could not name.",
}


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    upstream: str
    status: str  # UP | DOWN
    reason: str
    host: str | None
    env_host: str

    @property
    def up(self) -> bool:
        return self.status.upper() == "UP"

    @property
    def explanation(self) -> str:
        return explain_reason(self.reason)


def api_url(env_host: str, scheme: str, path: str = "/uuid") -> str:
    """The URL the learner calls: ``http://<env_host>/uuid`` on the sandbox, https live."""
    host = env_host.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    if path and not path.startswith("/"):
        path = f"/{path}"
    return f"{scheme}://{host}{path}"


def explain_reason(reason: str) -> str:
    """A plain-words explanation of a status reason (``200 Response``, ``AUTH 401``, ``DNS``…)."""
    text = (reason or "").strip()
    if text.upper() in _REASONS:
        return _REASONS[text.upper()]
    auth = re.fullmatch(r"AUTH (\d{3})", text, re.I)
    if auth:
        return (
            f"UP: the upstream answered {auth.group(1)}, so it is alive; it just wants "
            "credentials of its own (APS counts 401 and 403 as UP)."
        )
    code = re.fullmatch(r"(\d{3}) Response", text, re.I)
    if code:
        value = int(code.group(1))
        if value < 400:
            return f"UP: the upstream answered HTTP {value} at its base URL."
        if value == 404:
            return (
                "DOWN: the upstream answered 404 at its base URL: the server is alive but has "
                "nothing at that path (check the path part of the upstream URL)."
            )
        if value >= 500:
            return (
                f"DOWN: the upstream answered {value}, an error on the upstream server itself "
                "(not your gateway configuration)."
            )
        return f"DOWN: the upstream answered HTTP {value} at its base URL."
    return f"APS reported: {text or 'no reason given'}."


class StatusService:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def services(self, gateway_id: str) -> list[ServiceStatus]:
        action = "Read the service status"
        response = await self.client.request(
            "GET",
            f"/gw/api/v3/gateways/{gateway_id}/services",
            action=action,
            hints=STATUS_HINTS,
        )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, list):
            raise WizardError(
                what=f"{action} failed: the answer was not a list of services",
                why="The status endpoint answered in an unexpected shape.",
                fix="Refresh; report it to the APS team if it persists.",
            )
        return [_status(item) for item in data if isinstance(item, dict)]


def _status(item: dict[str, Any]) -> ServiceStatus:
    host = item.get("host")
    return ServiceStatus(
        name=str(item.get("name") or ""),
        upstream=str(item.get("upstream") or ""),
        status=str(item.get("status") or ""),
        reason=str(item.get("reason") or ""),
        host=host if isinstance(host, str) and host else None,
        env_host=str(item.get("env_host") or ""),
    )
