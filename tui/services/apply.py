"""``gwa apply -i <file>`` (docs/contract.md#s7), with failures that count as failures.

The file is read by :func:`tui.services.manifest.to_apply_payloads` (yaml.v3's reading of
booleans and dates, line numbers in errors). Order, as gwa does it: every ``kind: GatewayService`` document is merged into **one** publish
(``PUT /gw/api/v3/gateways/{gw}/gateway``, multipart ``dryRun=false`` + file ``configFile``
named ``config.yaml`` holding JSON ``{"services": […]}``), which goes first. Then the other
documents in file order: CredentialIssuer → ``issuers``, DraftDataset → ``datasets``,
Product → ``products``, Environment → ``environments`` (v3 has no such route; the portal
answers 404, explained). Other kinds are skipped.

Unlike gwa, every failure is a :class:`ResourceResult` with ``ok=False`` and a translated
:class:`WizardError`; ``only`` re-sends just the named resources (``"Kind name"`` strings,
see :attr:`ResourceResult.key`), which is how the Apply step retries the portal's
product-before-services race (§7.3).
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from . import manifest
from .errors import WizardError, error_from_response, parse_body
from .http import ApiClient

ENDPOINTS = {
    "CredentialIssuer": "issuers",
    "DraftDataset": "datasets",
    "Product": "products",
    "Environment": "environments",
}

PUBLISH_HINTS: dict[str, tuple[str, str]] = {
    "missing required tag": (
        "Every service, route and plugin must carry the tag ns.<your gateway id>; this file's "
        "tags name another gateway (or none).",
        "Regenerate the file for your current gateway, or fix the tags in Review.",
    ),
    "no tags found": (
        "A service, route or plugin has no tags; each needs ns.<your gateway id>.",
        "Add the ns.<gateway id> tag in Review, or regenerate the file.",
    ),
    "invalid ns tag": (
        "A tag names another gateway's namespace.",
        "Use only ns.<your gateway id> tags.",
    ),
    "already used in another gateway": (
        "Route hosts are global: another gateway already publishes this host.",
        "Pick another service name in Template (the availability check suggests one).",
    ),
    "Host invalid": (
        "Route hosts must end with a domain this gateway may use (normally .api.gov.bc.ca).",
        "Keep the host the template generated, <service>.dev.api.gov.bc.ca.",
    ),
    "A host must be specified": (
        "Every route needs a hosts list.",
        "Restore the route's hosts entry in Review.",
    ),
    "service upstream is invalid": (
        "The upstream points at localhost or an OpenShift service you may not use.",
        "Use a reachable upstream URL such as https://httpbin.org.",
    ),
    "host: must not have a port": (
        "The service's host: line carries a port (generate-config copies host:port from an "
        "upstream URL with a port), and Kong's schema refuses that.",
        "In Review, remove the :<port> from the service's host: line; its port: line already "
        "has the port. Then apply again.",
    ),
    "Validation Failed.": (
        "decK rejected the Kong configuration (see the details).",
        "Fix the service, route or plugin named in the details, then apply again.",
    ),
    "Sync Failed.": (
        "decK could not write the configuration to Kong (see the details).",
        "Apply again; if it persists, fix what the details name.",
    ),
    "Not authorized to access namespace": (
        "You may not publish to this gateway: it is not yours, or you logged in as someone else.",
        "Pick one of your gateways in the Gateway step (and regenerate the file for it).",
    ),
    "Empty Configuration Passed": (
        "The publish contained no services.",
        "Check the GatewayService document in Review.",
    ),
}
RACE = "in allGatewayServices"
RESOURCE_HINTS: dict[str, tuple[str, str]] = {
    "Record not found [organization]": (
        "The dataset names an organization the portal does not know.",
        "Use ministry-of-citizens-services (the template default) or an organization that exists.",
    ),
    "Record not found [organizationUnit]": (
        "The dataset names an organization unit the portal does not know.",
        "Use databc (the template default) or a unit of that organization.",
    ),
    "Record not found [dataset]": (
        "The product names a DraftDataset that does not exist (it failed above, or the names "
        "differ).",
        "Fix the DraftDataset first (same name as the product's dataset), then apply again.",
    ),
    "Record not found [inheritFrom]": (
        "The issuer inherits from a shared identity provider that does not exist.",
        "Keep inheritFrom: Gold Shared IdP as generated.",
    ),
    "credentialIssuer": (
        "The product's environment names a credential issuer that is not in this gateway.",
        "Keep the CredentialIssuer document before the Product and make the names match.",
    ),
    "is an excess property": (
        "The document has a field the portal does not accept (a typo or an extra key).",
        "Remove or correct the field named above in Review.",
    ),
    "Resource not found": (
        "The portal has no PUT route for this kind (v3 has none for Environment).",
        "Put the environment inside its Product document instead.",
    ),
    "Missing required scope": (
        "You do not hold the permission this needs on this gateway.",
        "Apply to one of your own gateways (and regenerate the file for it).",
    ),
}


@dataclass(frozen=True)
class ResourceResult:
    kind: str
    name: str
    ok: bool
    result: str = ""  # created / updated / no-change / …, or the publish's decK output
    error: WizardError | None = None

    @property
    def key(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class ApplyEvent:
    kind: str
    name: str
    phase: Literal["start", "ok", "failed", "skipped"]
    text: str  # the live line: "↑ [Kind] name", "✓ [Kind] name: created", "✗ …", "- …"
    detail: str = ""  # the decK output after a publish; the error's cause on a failure


@dataclass(frozen=True)
class ApplyReport:
    results: list[ResourceResult] = field(default_factory=list)
    deck_output: str = ""
    published: int = 0
    total: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.published == self.total

    @property
    def failures(self) -> list[ResourceResult]:
        return [r for r in self.results if not r.ok]

    @property
    def retry_keys(self) -> frozenset[str]:
        """Pass as ``only=`` to redo just what failed."""
        return frozenset(r.key for r in self.failures)

    @property
    def summary(self) -> str:
        return f"{self.published}/{self.total} Published, {len(self.skipped)} Skipped"


class ApplyService:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def apply(
        self,
        gateway_id: str,
        text: str,
        *,
        only: Collection[str] | None = None,
        on_event: Callable[[ApplyEvent], Any] | None = None,
    ) -> ApplyReport:
        """Apply the file ``text`` to ``gateway_id``.

        Raises WizardError (a ``ManifestError`` with line numbers) when the file cannot be
        read at all; otherwise every resource's outcome is in the report. ``on_event`` may be
        a plain function or a coroutine function.
        """
        payloads = await asyncio.to_thread(manifest.to_apply_payloads, text)
        if not payloads:
            raise WizardError(
                what="The file has nothing to apply",
                why="It contains no documents.",
                fix="Generate the file again in Template, or paste its content in Review.",
                retryable=False,
            )

        async def emit(kind: str, name: str, phase: str, line: str, detail: str = "") -> None:
            if on_event is not None:
                outcome = on_event(ApplyEvent(kind, name, phase, line, detail))  # type: ignore[arg-type]
                if inspect.isawaitable(outcome):
                    await outcome

        results: list[ResourceResult] = []
        skipped: list[str] = []
        deck_output = ""
        for item in payloads:
            key = f"{item.kind} {item.name}"
            if item.action is None:
                skipped.append(key)
                await emit(item.kind, item.name, "skipped", f"- [{item.kind}] {item.name}")
                continue
            if only is not None and key not in only:
                continue
            if item.action == "gateway":
                await emit(item.kind, item.name, "start", "↑ Publishing Gateway Services")
                ok, outcome, error = await self._publish(gateway_id, item.body)
                results.append(ResourceResult(item.kind, item.name, ok, outcome, error))
                if ok:
                    deck_output = outcome
                    await emit(item.kind, item.name, "ok", "✓ Gateway Services published", outcome)
                else:
                    assert error is not None
                    await emit(
                        item.kind,
                        item.name,
                        "failed",
                        f"✗ Gateway Services publish failed: {_reason(error)}",
                        error.why,
                    )
                continue
            await emit(item.kind, item.name, "start", f"↑ [{item.kind}] {item.name}")
            ok, outcome, error = await self._put(gateway_id, item.kind, item.name, item.body)
            results.append(ResourceResult(item.kind, item.name, ok, outcome, error))
            if ok:
                await emit(item.kind, item.name, "ok", f"✓ [{item.kind}] {item.name}: {outcome}")
            else:
                assert error is not None
                await emit(
                    item.kind,
                    item.name,
                    "failed",
                    f"✗ [{item.kind}] {item.name}: {_reason(error)}",
                    error.why,
                )
        published = sum(1 for r in results if r.ok)
        return ApplyReport(results, deck_output, published, len(results), skipped)

    async def _publish(
        self, gateway_id: str, body: dict[str, Any]
    ) -> tuple[bool, str, WizardError | None]:
        payload = json.dumps(body).encode("utf-8")
        try:
            response = await self.client.request(
                "PUT",
                f"/gw/api/v3/gateways/{gateway_id}/gateway",
                action="Publish the gateway services",
                data={"dryRun": "false"},
                files={"configFile": ("config.yaml", payload, "application/octet-stream")},
                hints=PUBLISH_HINTS,
            )
        except WizardError as exc:
            return False, "", _with_lines(exc)
        data = parse_body(response.text)
        results = data.get("results") if isinstance(data, dict) else None
        return True, results if isinstance(results, str) else "", None

    async def _put(
        self, gateway_id: str, kind: str, name: str, body: dict[str, Any]
    ) -> tuple[bool, str, WizardError | None]:
        action = f"Apply [{kind}] {name}"
        try:
            response = await self.client.request(
                "PUT",
                f"/ds/api/v3/gateways/{gateway_id}/{ENDPOINTS[kind]}",
                action=action,
                json=body,
                expect=(200, 400),
                hints=RESOURCE_HINTS,
            )
        except WizardError as exc:
            return False, "", _explain_resource(exc, action)
        if response.status_code == 400:
            return False, "", batch_error(response, action)
        data = parse_body(response.text)
        result = data.get("result") if isinstance(data, dict) else None
        return True, str(result or "ok"), None


def _reason(error: WizardError) -> str:
    """The server's reason without our "<action> failed: " prefix, for the live line."""
    return error.what.split(" failed: ", 1)[-1]


def batch_reasons(body: Any) -> list[str]:
    """Every ``reason`` in a BatchResult and its children, outermost first."""
    found: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("reason"), str) and body["reason"]:
            found.append(body["reason"])
        for child in body.get("childResults") or []:
            found.extend(batch_reasons(child))
    return found


def _explain_resource(exc: WizardError, action: str) -> WizardError:
    """Re-read a BatchResult failure including its children's reasons."""
    text = exc.detail
    if RACE in text or "Failed to find" in text:
        return WizardError(
            what=f"{action} failed: {_race_line(text)}",
            why="The portal had not yet seen the service published a moment ago (it learns of "
            "new services shortly after a publish), or the service failed to publish.",
            fix="Apply again: only what failed is re-sent. If the publish above failed, fix it "
            "first.",
            status=exc.status,
            retryable=True,
            detail=exc.detail,
            code=exc.code,
            fields=exc.fields,
        )
    return exc


def _race_line(text: str) -> str:
    for line in text.splitlines():
        if RACE in line or "Failed to find" in line:
            return line.strip()
    return text.splitlines()[0] if text else "a service was not found"


def _with_lines(exc: WizardError) -> WizardError:
    """Validation Errors: keep every line of the server's list in ``why``."""
    lines = [ln.strip() for ln in exc.detail.splitlines() if ln.strip()]
    if len(lines) > 2 and lines[0].startswith("Validation Errors"):
        listed = "\n".join(f"• {ln}" for ln in lines[1:])
        return WizardError(
            what=exc.what,
            why=f"{exc.why}\n{listed}" if exc.why else listed,
            fix=exc.fix,
            status=exc.status,
            retryable=exc.retryable,
            detail=exc.detail,
            code=exc.code,
            fields=exc.fields,
        )
    return exc


def batch_error(response: httpx.Response, action: str) -> WizardError:
    """A 400 BatchResult (or other 400) as a WizardError whose detail lists every reason,
    children included (a Product's real cause is in its child environment's reason)."""
    body = parse_body(response.text)
    reasons = batch_reasons(body)
    base = error_from_response(
        response.status_code,
        response.headers.get("content-type", ""),
        response.text,
        action=action,
        hints=RESOURCE_HINTS,
    )
    if not reasons:
        return base
    extra = [r for r in reasons if r not in base.detail]
    detail = "\n".join([base.detail, *extra])
    what = f"{action} failed: {reasons[-1]}"
    if RACE in detail or "Failed to find" in detail:
        return _explain_resource(dataclasses.replace(base, detail=detail), action)
    for needle, (why, fix) in RESOURCE_HINTS.items():
        if needle in detail:
            return dataclasses.replace(
                base, what=what, why=why, fix=fix, detail=detail, retryable=False
            )
    return dataclasses.replace(base, what=what, detail=detail)
