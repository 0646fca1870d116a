"""Call the learner's API on the gateway (data plane) and explain what came back.

Used twice: by *Try it* with no token (where a 401 ``{"message":"Unauthorized"}`` is the
success we want: the gateway stopped an anonymous caller) and by *Call* with a Bearer token
(where success is a 200 whose body holds a UUID). :func:`explain` turns every answer the
gateway can give (docs/contract.md#s13: the ``jwt-keycloak`` messages, Kong's 404 and its 502/503/504
rewrites) and every transport failure into a headline, a cause and a fix.

The request goes through :meth:`ApiClient.send_raw`: no portal login header, no status
check, and ``*.localhost`` hosts reach the sandbox's data plane with the right ``Host``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import WizardError
from .network_errors import network_error

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Headers worth showing from the gateway's answer (everything else is noise for a learner).
SHOWN_RESPONSE_HEADERS = (
    "content-type",
    "content-length",
    "www-authenticate",
    "x-kong-response-latency",
    "x-kong-upstream-latency",
    "x-kong-proxy-latency",
    "via",
    "server",
)


def mask_token(token: str) -> str:
    """Enough of a token to recognise it, never enough to use it."""
    if len(token) <= 12:
        return "•" * 8
    return f"{token[:6]}…{token[-4:]} (masked)"


@dataclass(frozen=True)
class ApiCall:
    method: str
    url: str
    request_headers: dict[str, str]  # the Authorization value is masked
    status: int | None  # None: no HTTP answer at all (see ``error``)
    response_headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    elapsed_ms: float = 0.0
    token_sent: bool = False
    error: WizardError | None = None  # the transport failure when ``status`` is None

    @property
    def message(self) -> str:
        """The ``message`` field of a JSON body (Kong and jwt-keycloak answers), or ''."""
        data = _json(self.body)
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return data["message"]
        return ""

    @property
    def uuid(self) -> str | None:
        """The UUID an httpbin-style ``/uuid`` answer carries, if any."""
        data = _json(self.body)
        if isinstance(data, dict) and isinstance(data.get("uuid"), str):
            match = UUID_RE.fullmatch(data["uuid"].strip())
            return match.group(0) if match else None
        match = UUID_RE.search(self.body or "")
        return match.group(0) if match else None

    @property
    def shown_response_headers(self) -> dict[str, str]:
        return {
            k: v for k, v in self.response_headers.items() if k.lower() in SHOWN_RESPONSE_HEADERS
        }


@dataclass(frozen=True)
class Explanation:
    ok: bool
    headline: str
    why: str
    fix: str = ""
    kind: str = ""  # a stable tag for screens and tests: "protected", "uuid", "expired", …


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


class ProbeService:
    """Calls an API URL through the gateway, with or without a Bearer token."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def call(self, url: str, token: str | None = None, *, method: str = "GET") -> ApiCall:
        headers: dict[str, str] = {"Accept": "application/json"}
        shown: dict[str, str] = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
            shown["Authorization"] = f"Bearer {mask_token(token)}"
        started = time.perf_counter()
        try:
            response = await self.client.send_raw(method, url, headers=headers)
        except WizardError as exc:
            return ApiCall(
                method,
                url,
                shown,
                None,
                token_sent=token is not None,
                elapsed_ms=_ms(started),
                error=exc,
            )
        except httpx.HTTPError as exc:
            return ApiCall(
                method,
                url,
                shown,
                None,
                token_sent=token is not None,
                elapsed_ms=_ms(started),
                error=network_error("Call the API", exc, url),
            )
        return ApiCall(
            method=method,
            url=url,
            request_headers=shown,
            status=response.status_code,
            response_headers={k.lower(): v for k, v in response.headers.items()},
            body=response.text,
            elapsed_ms=_ms(started),
            token_sent=token is not None,
        )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# -- explanations ---------------------------------------------------------------------------

# jwt-keycloak's refusals (docs/contract.md#s13), in the order the plugin checks them:
# prefix of the message → (kind, why, fix).
PLUGIN_MESSAGES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Multiple tokens provided",
        "multiple",
        "The token arrived twice: in the Authorization header and also as ?jwt= or a cookie, "
        "and the two differ.",
        "Send the token once, in the Authorization header only.",
    ),
    (
        "Bad token",
        "bad_token",
        "What was sent after 'Bearer' is not a JWT: often the word null (the token request had "
        "failed), a truncated copy, or a value with quotes around it.",
        "Get a fresh token on the Token step and send it exactly as issued.",
    ),
    (
        "Token issuer not allowed",
        "issuer",
        "The token's iss claim is not in the plugin's allowed_iss list: it came from another "
        "realm or instance (a production token, or the provider login token).",
        "Use a token from the token endpoint that came with this product environment's credentials.",
    ),
    (
        "Token audience not allowed",
        "audience",
        "The token's aud claim does not contain the audience the plugin expects "
        "(ap-<gateway>-default-dev): the credentials belong to another gateway or environment, "
        "or allowed_aud was edited in the YAML.",
        "Use credentials issued for this gateway's Dev environment, or restore allowed_aud and apply again.",
    ),
    (
        "Invalid algorithm",
        "algorithm",
        "The token is not signed with RS256, the only algorithm the plugin accepts.",
        "Use a token issued by the Keycloak token endpoint, not one made by hand.",
    ),
    (
        "Invalid token signature",
        "signature",
        "No key published by the issuer verifies the signature: the token was altered, or it "
        "comes from a look-alike issuer.",
        "Get a fresh token from the real token endpoint and do not edit it.",
    ),
    (
        "Unable to get public key for issuer",
        "issuer_keys",
        "The gateway could not fetch the issuer's signing keys (its JWKS), so it cannot check any token.",
        "Retry in a moment; if it persists, report it to the APS team: it is not your configuration.",
    ),
    (
        "Token claims invalid",
        "expired",
        "The token's exp time has passed. Consumer tokens live only a few minutes.",
        "Get a fresh token (Token step) and call again straight away.",
    ),
    (
        "Unable to find consumer",
        "consumer",
        "The token is valid, but no consumer on this gateway matches its azp (your Client ID): "
        "access was revoked, the consumer was deleted, or the credentials are for another gateway.",
        "Request access again (Credentials step) and use the new credentials.",
    ),
    (
        "Access token does not have the required scope",
        "scope",
        "The plugin is configured to demand scopes or roles that this client was not granted.",
        "Ask an Access Manager to grant them, or remove the requirement from the plugin.",
    ),
)

UPSTREAM_REWRITES: dict[int, tuple[str, str]] = {
    502: (
        "An invalid response was received from the upstream server",
        "the upstream answered with something that is not valid HTTP, or closed the connection",
    ),
    503: (
        "The upstream server is currently unavailable",
        "nothing is answering at the upstream address (refused, or no healthy target)",
    ),
    504: (
        "The upstream server is timing out",
        "the upstream accepted the connection but did not answer in time",
    ),
}


def _plugin_refusal(call: ApiCall) -> tuple[str, str, str, str] | None:
    message = call.message
    for prefix, kind, why, fix in PLUGIN_MESSAGES:
        if message.startswith(prefix):
            return prefix, kind, why, fix
    return None


def explain(call: ApiCall) -> Explanation:
    """What the answer means for the learner: success for this step, or cause and fix."""
    if call.status is None:
        err = call.error
        return Explanation(
            False,
            err.what if err else f"No answer from {call.url}",
            (err.why if err else "The request never reached the gateway.")
            + " The request did not reach the gateway, so this says nothing about your API's protection.",
            (err.fix if err else "Check the URL and retry.")
            + " The URL to call is the one the Status step shows (the transformed host).",
            kind="network",
        )
    status, message = call.status, call.message
    if status == 404 and message.startswith("no Route matched"):
        return Explanation(
            False,
            "404 no Route matched with those values: the gateway has no route for this request",
            "Kong matches a route by host, path and method. The host is wrong (the YAML's "
            "host instead of the transformed one from Status, a missing -dev, a typo), the "
            "service was not published, or the method is not GET (the template allows GET only).",
            "Copy the URL from the Status step and call it with GET.",
            kind="no_route",
        )
    if status in UPSTREAM_REWRITES:
        text, cause = UPSTREAM_REWRITES[status]
        return Explanation(
            False,
            f"{status} {message or text}",
            f"The gateway let the request through but {cause}. Authentication is not the "
            "problem here; the upstream (your backend) is.",
            "Check the upstream URL in your YAML and that the service is UP on the Status "
            "step; fix the upstream and apply again.",
            kind="upstream",
        )
    if not call.token_sent:
        return _explain_anonymous(call)
    return _explain_with_token(call)


def _explain_anonymous(call: ApiCall) -> Explanation:
    status, message = call.status, call.message
    if status == 401 and message == "Unauthorized":
        return Explanation(
            True,
            '401 {"message":"Unauthorized"}: your API is protected',
            "The jwt-keycloak plugin on your route looked for a Bearer token (header, ?jwt= "
            "or cookie), found none, and refused the request before it reached the upstream. "
            "A 401 here is exactly what we want: anonymous callers are kept out.",
            "Get credentials as a consumer would (the Credentials step), then call it with a token.",
            kind="protected",
        )
    if status is not None and status < 400:
        return Explanation(
            False,
            f"{status}: the API answered without any token: it is NOT protected",
            "The request went straight to the upstream, so no authentication plugin ran on this route.",
            "Check that the GatewayService in your YAML keeps its jwt-keycloak plugin, then apply again.",
            kind="unprotected",
        )
    refusal = _plugin_refusal(call)
    if refusal:
        _, kind, why, fix = refusal
        return Explanation(False, f"{status} {message}", why, fix, kind=kind)
    return _unexpected(call)


def _explain_with_token(call: ApiCall) -> Explanation:
    status, message = call.status, call.message
    if status == 200 and call.uuid:
        return Explanation(
            True,
            f"200 OK with UUID {call.uuid}: the tutorial works end to end",
            "The gateway checked your token (issuer, audience, algorithm, signature, expiry, "
            "and that its azp names a known consumer) and only then passed the request to the "
            "upstream, which answered with a fresh UUID.",
            "",
            kind="uuid",
        )
    if status is not None and status < 400:
        return Explanation(
            False,
            f"{status}: the gateway let the call through, but the body has no UUID",
            "The upstream answered, but not with the httpbin /uuid reply this tutorial expects: "
            "the URL's path or the upstream differs.",
            "Call the /uuid path of the URL shown on the Status step.",
            kind="no_uuid",
        )
    if status == 401 and message == "Unauthorized":
        return Explanation(
            False,
            '401 {"message":"Unauthorized"}: the gateway saw no token',
            "The Authorization header did not reach the plugin in the form 'Bearer <token>' "
            "(an empty $TOKEN, or a misspelt header).",
            "Get a token on the Token step; the wizard sends it as 'Authorization: Bearer …'.",
            kind="no_token",
        )
    refusal = _plugin_refusal(call)
    if refusal:
        _, kind, why, fix = refusal
        return Explanation(False, f"{status} {message}", why, fix, kind=kind)
    return _unexpected(call)


def _unexpected(call: ApiCall) -> Explanation:
    snippet = (call.message or call.body or "").strip().splitlines()
    first = snippet[0][:120] if snippet else "(empty body)"
    return Explanation(
        False,
        f"{call.status}: {first}",
        "This is not an answer the gateway's authentication gives; it most likely comes from "
        "the upstream itself or from something in front of the gateway.",
        "Check the URL (from the Status step) and the upstream, then retry.",
        kind="unexpected",
    )
