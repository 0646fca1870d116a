"""Consumer credentials: the tutorial's Request Access → Create Application → Dev →
Generate Secrets, done over REST where the target allows it, or handed off to the portal.

* REST (docs/contract.md#s16): ``GET /ds/api/v3/gateways/{gw}/products`` gives the Dev environment's
  ``appId``; ``POST /ds/api/v3/gateways/{gw}/consumers`` (201) creates an application, grants
  it access to that environment and returns Client ID, Client Secret and Token Endpoint. It
  needs ``CredentialIssuer.Generate`` on the gateway; without it the portal answers 403 and the
  learner does the clicks in the browser (:func:`handoff_steps`) and pastes the three values
  back (:func:`pasted_problem` checks their shapes).
* Revoke: the sandbox offers ``DELETE …/consumers/{clientId}``; the real portal has no REST
  revoke, so there it is a hand-off to the Consumers page too.

The client secret is returned to the caller, never logged, and never put in the session.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from .consumer_token import ConsumerTokenService
from .errors import WizardError
from .secrets import client_secret_name

CLIENT_ID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{11}$")
UUID_RE = re.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
)
LONG_SECRET_RE = re.compile(r"^[A-Za-z0-9]{32,}$")
TOKEN_PATH_SUFFIX = "/protocol/openid-connect/token"
# Statuses of the issue/revoke endpoints that mean "do it in the portal instead".
HANDOFF_STATUSES = (403, 404, 405, 501)


@dataclass(frozen=True)
class ProductEnvironment:
    product: str
    product_app_id: str
    name: str  # "dev"
    app_id: str  # what environmentAppId takes
    flow: str
    active: bool
    approval: bool
    services: tuple[str, ...] = ()
    credential_issuer: str = ""


@dataclass(frozen=True)
class ConsumerCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    token_endpoint: str
    issuer: str | None = None
    application: str = ""


def secret_name(host: str, client_id: str) -> str:
    """The SecretStore key under which the client secret is kept."""
    return client_secret_name(host, client_id)


def needs_handoff(error: WizardError) -> bool:
    """True when the REST way is not open to this user here, so the portal must be used."""
    return error.status in HANDOFF_STATUSES


def default_application_name(service: str) -> str:
    return f"{service or 'my'}-tester"[:40]


_ISSUE_HINTS: dict[str, tuple[str, str]] = {
    "Missing required scope": (
        "Issuing credentials over the API needs the CredentialIssuer.Generate permission on "
        "this gateway, which you do not hold here.",
        "Do it in the portal instead: the wizard shows the exact clicks and takes the values back.",
    ),
    "already has access": (
        "This application already has credentials for this environment; each application "
        "and environment pair gets one set.",
        "Use another application name, or revoke the existing consumer first.",
    ),
    "Communication error with issuer": (
        "The portal could not register the client with the identity provider.",
        "Retry in a moment; if it persists, report it to the APS team.",
    ),
}


def _as_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def parse_issued(body: Any, application: str = "") -> ConsumerCredentials:
    """Client ID, secret and token endpoint from an issue answer, wherever they sit in it."""
    top = _as_mapping(body)
    candidates = [top]
    for key in ("credential", "credentials", "consumer", "data"):
        nested = _as_mapping(top.get(key))
        if nested:
            candidates.append(nested)
    found: dict[str, Any] = {}
    for mapping in candidates:
        for key in ("clientId", "clientSecret", "tokenEndpoint", "issuer"):
            if mapping.get(key) and key not in found:
                found[key] = mapping[key]
    missing = [k for k in ("clientId", "clientSecret", "tokenEndpoint") if k not in found]
    if missing:
        raise WizardError(
            "The portal issued credentials but its answer lacks " + ", ".join(missing),
            "The consumers endpoint answered in a shape the wizard does not know.",
            "Use the portal hand-off instead, and paste the three values.",
        )
    app = top.get("application")
    app_name = app.get("name") if isinstance(app, dict) else None
    return ConsumerCredentials(
        client_id=str(found["clientId"]),
        client_secret=str(found["clientSecret"]),
        token_endpoint=str(found["tokenEndpoint"]),
        issuer=str(found["issuer"]) if found.get("issuer") else None,
        application=str(app_name or application),
    )


class CredentialsService:
    """Lists product environments and issues or revokes consumer credentials over REST."""

    def __init__(self, client: Any) -> None:
        self.client = client
        # The credentials in use this run (memory only; the secret also sits in the SecretStore).
        self.current: ConsumerCredentials | None = None

    async def remember(self, session: Any, secrets: Any, credentials: ConsumerCredentials) -> None:
        """Keep the secret in the secret store and make these the current credentials.

        The session gets only what is not secret (the caller commits it): client id and token
        endpoint.
        """
        await secrets.set(
            secret_name(session.host, credentials.client_id), credentials.client_secret
        )
        self.current = credentials

    async def remembered(self, session: Any, secrets: Any) -> ConsumerCredentials | None:
        """The current credentials, else the session's client id with its stored secret."""
        if self.current is not None and self.current.client_id == session.client_id:
            return self.current
        if not session.client_id or not session.token_endpoint:
            return None
        secret = await secrets.get(secret_name(session.host, session.client_id))
        if not secret:
            return None
        self.current = ConsumerCredentials(session.client_id, secret, session.token_endpoint)
        return self.current

    async def forget(self, session: Any, secrets: Any, client_id: str) -> None:
        """Drop the secret from the store (after the consumer was revoked)."""
        await secrets.delete(secret_name(session.host, client_id))
        if self.current is not None and self.current.client_id == client_id:
            self.current = None

    async def consumers(self, gateway_id: str) -> list[str] | None:
        """Client ids with access, where the portal lists them over REST (None: it does not)."""
        try:
            response = await self.client.request(
                "GET",
                f"/ds/api/v3/gateways/{quote(gateway_id)}/consumers",
                action="List the consumers",
            )
        except WizardError as exc:
            if needs_handoff(exc):
                return None
            raise
        data = response.json()
        if not isinstance(data, list):
            return None
        return [str(c.get("clientId")) for c in data if isinstance(c, dict) and c.get("clientId")]

    async def environments(self, gateway_id: str) -> list[ProductEnvironment]:
        response = await self.client.request(
            "GET",
            f"/ds/api/v3/gateways/{quote(gateway_id)}/products",
            action="List the gateway's products",
        )
        found: list[ProductEnvironment] = []
        data = response.json()
        for product in data if isinstance(data, list) else []:
            for env in product.get("environments") or []:
                found.append(
                    ProductEnvironment(
                        product=str(product.get("name", "")),
                        product_app_id=str(product.get("appId", "")),
                        name=str(env.get("name", "")),
                        app_id=str(env.get("appId", "")),
                        flow=str(env.get("flow", "")),
                        active=bool(env.get("active")),
                        approval=bool(env.get("approval")),
                        services=tuple(str(s) for s in env.get("services") or []),
                        credential_issuer=str(env.get("credentialIssuer") or ""),
                    )
                )
        return found

    async def issue(
        self, gateway_id: str, environment_app_id: str, application_name: str
    ) -> ConsumerCredentials:
        """Create an application with access to the environment; 201 → its credentials."""
        response = await self.client.request(
            "POST",
            f"/ds/api/v3/gateways/{quote(gateway_id)}/consumers",
            action="Issue consumer credentials",
            json={
                "environmentAppId": environment_app_id,
                "application": {
                    "name": application_name,
                    "description": "Created by gwa-wizard for the client-credentials tutorial",
                },
                "labels": {"issued-by": "gwa-wizard"},
            },
            expect=(201, 200),
            hints=_ISSUE_HINTS,
        )
        return parse_issued(response.json(), application_name)

    async def verify(self, credentials: ConsumerCredentials) -> Any:
        """Check pasted values the way the tutorial does next: ask the Token Endpoint for a
        token with them. Returns the token; raises the token endpoint's WizardError."""
        return await ConsumerTokenService(self.client).request(credentials)

    async def revoke(self, gateway_id: str, client_id: str) -> None:
        """Remove the consumer (sandbox only; the real portal does it on its Consumers page).

        A consumer that is already gone counts as revoked. Where the portal has no such
        endpoint the WizardError satisfies :func:`needs_handoff`.
        """
        try:
            await self.client.request(
                "DELETE",
                f"/ds/api/v3/gateways/{quote(gateway_id)}/consumers/{quote(client_id)}",
                action="Revoke the consumer",
                expect=(200, 204),
            )
        except WizardError as exc:
            if exc.status == 404:
                listed = await self.consumers(gateway_id)
                if listed is not None and client_id not in listed:
                    return
            raise


# -- the portal hand-off -------------------------------------------------------------------


def portal_base(target: Any) -> str:
    return str(target.base_url).rstrip("/")


def handoff_url(target: Any, gateway_id: str) -> str:
    """Where the learner starts in the browser: the portal's list of their gateways."""
    return f"{portal_base(target)}/manager/gateways/list"


def handoff_steps(target: Any, gateway_id: str, product: str = "", service: str = "") -> list[str]:
    """The clicks, in order, with the learner's own names filled in."""
    base = portal_base(target)
    card = service or "your service"
    return [
        f"Open {base}/manager/gateways/list and log in (the same instance as this wizard: {target.host}).",
        f"Select your gateway {gateway_id} (this makes it the active gateway).",
        f"Open Products ({base}/manager/products) and click Preview in Directory.",
        f"Click the card '{card}', then Request Access.",
        "Click Create Application, give it a name, and save.",
        f"Choose the Dev environment{f' of {product}' if product else ''} and click "
        "Request Access & Continue.",
        "Click Generate Secrets, then copy Client ID, Client Secret and Token Endpoint into the fields below.",
    ]


def consumers_url(target: Any) -> str:
    return f"{portal_base(target)}/manager/consumers"


def clean_pasted(value: str) -> str:
    """Remove the whitespace a paste often adds at either end."""
    return value.strip()


def _quoting_problem(value: str) -> str | None:
    if value[:1] in "\"'" or value[-1:] in "\"'":
        return "Remove the quotes around the value."
    if any(ch.isspace() for ch in value):
        return "It contains a space or line break; paste the value alone."
    return None


def pasted_problem(
    client_id: str, client_secret: str, token_endpoint: str, *, allow_http: bool = False
) -> dict[str, str]:
    """Field name → message for each pasted value whose shape is wrong (empty: all fine)."""
    problems: dict[str, str] = {}
    cid, csc, url = (
        clean_pasted(client_id),
        clean_pasted(client_secret),
        clean_pasted(token_endpoint),
    )

    if not cid:
        problems["client_id"] = "Paste the Client ID shown after Generate Secrets."
    elif (p := _quoting_problem(cid)) is not None:
        problems["client_id"] = p
    elif not CLIENT_ID_RE.match(cid):
        problems["client_id"] = (
            "A Client ID looks like 8C1D2E3F-0A1B2C3D4E5: 8 hex characters, a dash, 11 hex "
            "characters. Did you paste the application name or the secret?"
        )

    if not csc:
        problems["client_secret"] = "Paste the Client Secret shown after Generate Secrets."
    elif (p := _quoting_problem(csc)) is not None:
        problems["client_secret"] = p
    elif csc == cid:
        problems["client_secret"] = "This is the Client ID again; paste the Client Secret."
    elif not (UUID_RE.match(csc) or LONG_SECRET_RE.match(csc)):
        problems["client_secret"] = (
            "A Client Secret looks like 0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f (36 characters). "
            "Copy it again with the copy button next to it."
        )

    if not url:
        problems["token_endpoint"] = "Paste the Token Endpoint shown after Generate Secrets."
    elif (p := _quoting_problem(url)) is not None:
        problems["token_endpoint"] = p
    else:
        parts = urlsplit(url)
        schemes = ("https", "http") if allow_http else ("https",)
        if parts.scheme not in schemes or not parts.netloc:
            problems["token_endpoint"] = (
                "The Token Endpoint is a full https:// URL, e.g. "
                "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token."
            )
        elif not parts.path.rstrip("/").endswith(TOKEN_PATH_SUFFIX):
            problems["token_endpoint"] = (
                f"The Token Endpoint ends with {TOKEN_PATH_SUFFIX}; this URL does not "
                "(is it the Issuer or the portal URL?)."
            )
    return problems
