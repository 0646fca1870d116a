"""Test-only setup for the consumer half: a published tutorial gateway on a real sandbox.

Drives the sandbox with raw httpx and a provider token minted by the sandbox itself (test code
only), so the consumer services can be tested without the provider services.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml

from tui.sandbox.server import SandboxServer
from tui.sandbox.tokens import issue_provider_token
from tui.services.http import ApiClient
from tui.services.target import Target
from tui.services.templates import generate_config

PLURAL = {"CredentialIssuer": "issuers", "DraftDataset": "datasets", "Product": "products"}


class StaticTokens:
    """A TokenSource holding one provider token (no refresh)."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str | None:
        return self.token

    async def refresh(self) -> object:
        return False


@dataclass
class World:
    server: SandboxServer
    username: str
    gateway_id: str
    service: str
    environment_app_id: str
    api_url: str
    provider_token: str = field(repr=False, default="")

    @property
    def target(self) -> Target:
        return Target.sandbox(self.server.info.portal_host)

    def api_client(self, *, transport: Any = None) -> ApiClient:
        return ApiClient(self.target, tokens=StaticTokens(self.provider_token), transport=transport)

    def raw(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.info.portal_url,
            headers={"Authorization": f"Bearer {self.provider_token}"},
            timeout=15,
        )

    def consumer_rows(self) -> list[dict[str, Any]]:
        rows = self.server.ctx.db.query(
            "SELECT client_id, gateway_id FROM consumers WHERE gateway_id=?", (self.gateway_id,)
        )
        return [dict(r) for r in rows]

    def gateway_row(self) -> dict[str, Any] | None:
        row = self.server.ctx.db.query_one(
            "SELECT * FROM gateways WHERE gateway_id=?", (self.gateway_id,)
        )
        return dict(row) if row else None

    def drop_scope(self, scope: str) -> None:
        """Simulate a live user who lacks one permission on the gateway."""
        with self.server.ctx.db.transaction() as conn:
            conn.execute(
                "DELETE FROM permissions WHERE gateway_id=? AND username=? AND scope=?",
                (self.gateway_id, self.username, scope),
            )


def build_world(
    server: SandboxServer, *, upstream: str | None = None, username: str | None = None
) -> World:
    """Create a gateway and publish the client-credentials-shared-idp tutorial to it."""
    username = username or f"consumer-{secrets.token_hex(3)}@idir"
    token = issue_provider_token(server.ctx, username, lifetime=3600)
    service = f"svc-{secrets.token_hex(3)}"
    with httpx.Client(
        base_url=server.info.portal_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    ) as c:
        r = c.post("/ds/api/v3/gateways", json={"displayName": "Consumer tests"})
        assert r.status_code == 200, r.text
        gw = r.json()["gatewayId"]
        text = generate_config(
            "client-credentials-shared-idp", service, upstream or server.info.upstream_url, gw
        )
        docs = [d for d in yaml.safe_load_all(text) if d]
        services = [
            {k: v for k, v in d.items() if k != "kind"}
            for d in docs
            if d["kind"] == "GatewayService"
        ]
        for svc in services:
            # gwa's template keeps the port in `host` (docs/contract.md#s6.3), which Kong rejects;
            # drop it here as a learner would in Review.
            svc["host"] = str(svc["host"]).rsplit(":", 1)[0]
        r = c.put(
            f"/gw/api/v3/gateways/{gw}/gateway",
            data={"dryRun": "false"},
            files={"configFile": ("config.yaml", json.dumps({"services": services}).encode())},
        )
        assert r.status_code == 200, r.text
        for d in docs:
            if d["kind"] in PLURAL:
                body = {k: v for k, v in d.items() if k != "kind"}
                r = c.put(f"/ds/api/v3/gateways/{gw}/{PLURAL[d['kind']]}", json=body)
                assert r.status_code == 200, r.text
        r = c.get(f"/ds/api/v3/gateways/{gw}/products")
        assert r.status_code == 200, r.text
        env_app_id = r.json()[0]["environments"][0]["appId"]
    env_host = server.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    return World(server, username, gw, service, env_app_id, f"http://{env_host}/uuid", token)
