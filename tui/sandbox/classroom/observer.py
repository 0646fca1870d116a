"""Turns the traffic the sandbox answers into learner events (see :mod:`events`).

:class:`PortalObserver` wraps the portal origin (portal REST API, gwa-api, Keycloak): it
reads the request path, the caller's token and the JSON answer, so the wizard, the real
``gwa`` CLI and ``curl`` all count the same way. :func:`data_plane` is the one call the
Kong data plane makes per answered request.

The observer never changes a response and never fails one: a problem while deriving an
event is swallowed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections import OrderedDict
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..context import SandboxContext
from ..keys import SHARED_IDP_REALM
from ..tokens import TokenProblem, bearer_from_header, username_of, verify_provider_token
from . import events

GW = r"(?:/gw/api/v3/gateways|/gw/api/v2/namespaces)/(?P<gw>[^/]+)"
CREATE_GATEWAY = re.compile(r"^/ds/api/v3/gateways/?$")
GATEWAY = re.compile(r"^/ds/api/v3/gateways/(?P<gw>[^/]+)/?$")
CONSUMERS = re.compile(r"^/ds/api/v3/gateways/(?P<gw>[^/]+)/consumers/?$")
PUBLISH = re.compile(rf"^{GW}/gateway/?$")
STATUS = re.compile(rf"^{GW}/services/?$")
CONSUMER_TOKEN = f"/auth/realms/{SHARED_IDP_REALM}/protocol/openid-connect/token"
MAX_BODY = 64 * 1024
SUMMARY = re.compile(r"Created:\s*(\d+)\s*Updated:\s*(\d+)\s*Deleted:\s*(\d+)")


def _field_message(body: dict[str, Any]) -> str:
    for key in ("fields", "details"):
        group = body.get(key)
        if isinstance(group, dict):
            for item in group.values():
                if isinstance(item, dict) and item.get("message"):
                    return str(item["message"])
    return ""


def _message(status: int, body: Any) -> str:
    """The words a learner saw in an error answer, whatever the system's error shape."""
    if isinstance(body, dict):
        detail = _field_message(body)
        for key in ("message", "error_description", "results", "error", "reason"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                lines = [ln.strip() for ln in value.strip().splitlines() if ln.strip()]
                text = lines[-1] if key == "results" else value.strip()
                return f"{text}: {detail}" if detail and detail not in text else text
        if detail:
            return detail
    if isinstance(body, str) and body.strip():
        return body.strip()
    return f"HTTP {status}"


def _publish_detail(gateway_id: str, body: Any) -> str:
    results = body.get("results", "") if isinstance(body, dict) else ""
    found = SUMMARY.search(results if isinstance(results, str) else "")
    if not found:
        return f"published ({gateway_id})"
    created, updated, deleted = (int(n) for n in found.groups())
    parts = [f"{n} {word}" for n, word in ((created, "created"), (updated, "updated")) if n]
    if deleted:
        parts.append(f"{deleted} deleted")
    return f"{', '.join(parts) or 'no changes'} ({gateway_id})"


def _unverified_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unchecked: only for tokens the sandbox signed or the data plane has
    just accepted (PyJWT's unverified decode costs ~10x this, checking every character)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if not isinstance(claims, dict):
        raise ValueError("the claims are not an object")
    return claims


def middleware(ctx: SandboxContext) -> Middleware:
    return Middleware(PortalObserver, ctx=ctx)


class PortalObserver:
    """ASGI middleware: watch each answer of the portal origin, record what it means."""

    def __init__(self, app: ASGIApp, ctx: SandboxContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []
        size = 0

        async def watch(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and size <= MAX_BODY:
                body = message.get("body", b"")
                chunks.append(body)
                size += len(body)
            await send(message)

        await self.app(scope, receive, watch)
        if size <= MAX_BODY:
            with contextlib.suppress(Exception):
                self.saw(scope, status, b"".join(chunks))

    # -- what an answer means ----------------------------------------------------------------
    def _user(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            claims = verify_provider_token(
                self.ctx, bearer_from_header(headers.get("authorization"))
            )
        except TokenProblem:
            return None
        user = username_of(claims)
        # A service account's token names it "service-account-<clientId>" (as Keycloak does).
        row = self.ctx.db.query_one(
            "SELECT gateway_id FROM service_accounts WHERE username=?", (user,)
        )
        if row is not None and row["gateway_id"]:  # a service account acts for its gateway
            owners = events.owners(self.ctx, str(row["gateway_id"]))
            return owners[0] if owners else None
        return user

    def saw(self, scope: Scope, status: int, raw: bytes) -> None:
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        if not (path.startswith(("/ds/api", "/gw/api")) or path == CONSUMER_TOKEN):
            return
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")[:200]
        if path == CONSUMER_TOKEN:
            self._consumer_token(status, body)
            return
        user = self._user(scope)
        if user is None:
            return
        if status >= 400:
            events.record_error(self.ctx, user, status, _message(status, body))
            return
        ctx = self.ctx
        if method == "POST" and CREATE_GATEWAY.match(path) and isinstance(body, dict):
            events.record(ctx, user, "gateway", f"created {body.get('gatewayId', '')}".strip())
        elif method == "DELETE" and (found := GATEWAY.match(path)):
            events.record(ctx, user, "gateway_destroyed", f"deleted {found['gw']}")
        elif method == "POST" and (found := CONSUMERS.match(path)) and isinstance(body, dict):
            client = body.get("clientId") or body.get("client_id") or ""
            events.record(ctx, user, "credentials", f"{client} ({found['gw']})".strip())
        elif method == "PUT" and (found := PUBLISH.match(path)):
            if isinstance(body, dict) and "dry" not in str(body.get("message", "")).lower():
                events.record(ctx, user, "apply", _publish_detail(found["gw"], body))
        elif method == "GET" and (found := STATUS.match(path)):
            events.record(ctx, user, "status", f"asked ({found['gw']})")

    def _consumer_token(self, status: int, body: Any) -> None:
        if status != 200 or not isinstance(body, dict):
            return
        token = body.get("access_token")
        if not isinstance(token, str):
            return
        client = str(_unverified_claims(token).get("azp", ""))  # we just signed it
        row = self.ctx.db.query_one("SELECT gateway_id FROM consumers WHERE client_id=?", (client,))
        if row is not None:
            events.record_for_gateway(self.ctx, str(row["gateway_id"]), "token", client)


# -- the data plane ----------------------------------------------------------------------------
_seen: OrderedDict[tuple[int, str, str], None] = OrderedDict()
SEEN_MAX = 4096


def _once(key: tuple[int, str, str]) -> bool:
    """True the first time ``key`` is seen (a bounded memory of recorded events)."""
    if key in _seen:
        return False
    _seen[key] = None
    if len(_seen) > SEEN_MAX:
        _seen.popitem(last=False)
    return True


def data_plane(ctx: SandboxContext, router: Any, request: Any, response: Any) -> None:
    """Kong answered ``response``: a 401 without a token on a learner's route is ``try_it``;
    a 200 carrying a token of that gateway's consumer is ``call``; a refused token is an
    error of the gateway's owner, with Kong's message."""
    status = int(getattr(response, "status_code", 0))
    if status not in (200, 401, 403):
        return
    auth = request.headers.get("authorization", "")
    if status == 200 and not auth:
        return
    host = request.headers.get("host", "")
    key = (id(ctx.db), host.lower(), f"{status}:{auth}")
    if status == 200 and not _once(key):  # each (host, token) is examined once
        return
    with contextlib.suppress(Exception):
        match = router.match(host, request.method, request.url.path)
        if match is None:
            return
        gateway_id = match.route.service.gateway_id
        if status == 200:
            client = str(_unverified_claims(bearer_from_header(auth)).get("azp", ""))
            row = ctx.db.query_one(
                "SELECT 1 FROM consumers WHERE client_id=? AND gateway_id=?", (client, gateway_id)
            )
            if row is not None:
                events.record_for_gateway(ctx, gateway_id, "call", f"200 {request.url.path}")
        elif status == 401 and not auth:
            if _once(key):
                events.record_for_gateway(ctx, gateway_id, "try_it", f"401 {request.url.path}")
        else:
            events.error_for_gateway(ctx, gateway_id, status, _kong_message(response))


def _kong_message(response: Any) -> str:
    body = getattr(response, "body", b"")
    try:
        return _message(response.status_code, json.loads(body))
    except (ValueError, TypeError):
        return f"HTTP {response.status_code}"
