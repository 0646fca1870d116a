"""The discovery chain ``gwa`` runs before any login (docs/contract.md#s4.2).

1. ``GET /ds/api`` must answer exactly **204** with a ``Link`` header; the ``<…>`` target of
   its last comma-separated part is the OpenAPI document's path.
2. That YAML document names the login realm's OpenID configuration at
   ``components.securitySchemes.openid.openIdConnectUrl``.
3. The OpenID configuration gives ``token_endpoint`` and ``device_authorization_endpoint``.

Each link of the chain fails with its own explanation, so the Target step can say plainly
whether the host is misspelt (DNS), down (refused), not speaking TLS, or simply not an APS
portal.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import httpx
import yaml

from .errors import WizardError
from .http import ApiClient

# libyaml's loader reads the portal's 60 kB OpenAPI document about 8x faster than the pure
# Python one (same documents out); the pure one stands in where PyYAML was built without it.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NOT_APS = "This host is not an APS portal: host is not configured correctly"
_LINK_TARGET = re.compile(r"<([^>]*)>")


@dataclass(frozen=True)
class Discovery:
    openapi_path: str
    oidc_config_url: str
    issuer: str
    token_endpoint: str
    device_authorization_endpoint: str


def link_target(header: str) -> str | None:
    """The ``<…>`` target of the last comma-separated part of a Link header (as gwa reads it)."""
    if not header:
        return None
    last = header.split(",")[-1]
    match = _LINK_TARGET.search(last)
    if not match or not match.group(1).strip():
        return None
    return match.group(1).strip()


async def check_portal(client: ApiClient) -> str:
    """Step 1 alone (the Target step's check): returns the OpenAPI document's path."""
    action = "Check the host"
    response = await client.send_raw("GET", "/ds/api", action=action)
    host = client.target.host
    status = response.status_code
    if status != 204:
        content_type = response.headers.get("content-type", "").lower()
        if "text/html" in content_type:
            raise WizardError(
                what=f"{NOT_APS} (it answered with a web page, status {status})",
                why=f"{host} is a web server, proxy or login page, not the APS API. An APS "
                "portal answers GET /ds/api with 204 and a Link header.",
                fix="Check the host name (for training: api-gov-bc-ca.test.api.gov.bc.ca); "
                "if you are behind a VPN or captive portal, sign in to it first.",
                status=status,
                retryable=False,
                detail=f"GET /ds/api answered {status} with an HTML page",
            )
        raise WizardError(
            what=NOT_APS,
            why=f"GET /ds/api on {host} answered {status}; an APS portal answers 204 with a "
            "Link header. The host is probably misspelt or is not the portal.",
            fix="Type the bare portal host, e.g. api-gov-bc-ca.test.api.gov.bc.ca (no "
            "https://, no path).",
            status=status,
            retryable=False,
            detail=f"GET /ds/api answered {status}",
        )
    target = link_target(response.headers.get("link", ""))
    if target is None:
        raise WizardError(
            what="unable to find OpenAPI configuration",
            why=f"{host} answered /ds/api with 204 but without a usable Link header, so the "
            "login settings cannot be found.",
            fix="Check the host; if it is a portal you run, it must send "
            'Link: </ds/api/v3/openapi.yaml>; rel="service-desc".',
            status=status,
            retryable=False,
        )
    return target


async def discover(client: ApiClient) -> Discovery:
    """Run the whole chain; raises WizardError naming the link that broke."""
    openapi_path = await check_portal(client)
    openapi_url = client.url(openapi_path) if openapi_path.startswith("/") else openapi_path
    response = await client.request(
        "GET",
        openapi_url,
        action="Read the portal's API description",
        auth=False,
        headers={"Content-Type": "text/yaml"},
    )
    oidc_url = await asyncio.to_thread(_openid_url, response.text)
    if not oidc_url:
        raise WizardError(
            what="The portal's API description does not say where to log in",
            why="components.securitySchemes.openid.openIdConnectUrl is missing from "
            f"{openapi_path}.",
            fix="Check that the host is an APS portal; report it to the APS team if it is.",
            retryable=False,
        )
    config = await client.request(
        "GET", oidc_url, action="Read the login server's settings", auth=False
    )
    data = _json_object(config)
    token_endpoint = data.get("token_endpoint")
    if not isinstance(token_endpoint, str) or not token_endpoint:
        raise WizardError(
            what="The login server's settings have no token endpoint",
            why=f"{oidc_url} did not contain token_endpoint.",
            fix="Check the host; report it to the APS team if it persists.",
            retryable=False,
        )
    device = data.get("device_authorization_endpoint")
    issuer = data.get("issuer")
    return Discovery(
        openapi_path=openapi_path,
        oidc_config_url=oidc_url,
        issuer=issuer if isinstance(issuer, str) else "",
        token_endpoint=token_endpoint,
        device_authorization_endpoint=device if isinstance(device, str) else "",
    )


def _openid_url(text: str) -> str | None:
    try:
        doc: Any = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise WizardError(
            what="The portal's API description could not be read",
            why=f"It is not valid YAML: {str(exc).splitlines()[0]}",
            fix="Check the host; report it to the APS team if it persists.",
        ) from None
    for key in ("components", "securitySchemes", "openid", "openIdConnectUrl"):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    if isinstance(doc, str) and doc.startswith(("http://", "https://")):
        return doc
    return None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WizardError(
            what="The login server's settings could not be read",
            why=f"{response.request.url} did not answer with a JSON object.",
            fix="Check the host; report it to the APS team if it persists.",
        )
    return data


@dataclass(frozen=True)
class SandboxFacts:
    """What a gwa-wizard sandbox reached with ``--host`` (a class sandbox) says of itself."""

    upstream_url: str
    passcode_required: bool


async def sandbox_facts(client: ApiClient) -> SandboxFacts | None:
    """The target's ``GET /sandbox/info`` when it is a gwa-wizard sandbox; None for a real
    portal.

    A real portal answers that path with 404 (or something that is not the sandbox's JSON),
    so any failure simply means "not a sandbox".
    """
    try:
        response = await client.send_raw("GET", "/sandbox/info", action="Ask for sandbox info")
    except WizardError:
        return None
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    upstream = body.get("upstream_url") if isinstance(body, dict) else None
    if isinstance(upstream, str) and upstream.startswith(("http://", "https://")):
        return SandboxFacts(upstream, body.get("passcode_required") is True)
    return None


async def sandbox_upstream(client: ApiClient) -> str | None:
    """The built-in upstream URL when the target is a gwa-wizard sandbox (a class sandbox
    reached with ``--host``), from its ``GET /sandbox/info``; None for a real portal."""
    facts = await sandbox_facts(client)
    return facts.upstream_url if facts is not None else None
