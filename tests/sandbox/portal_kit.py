"""Helpers for the control-plane tests: provider clients, gateways and tutorial documents."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import yaml

from tui.sandbox.server import SandboxServer
from tui.sandbox.tokens import issue_provider_token


def user(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(3)}@idir"


def client(server: SandboxServer, username: str | None = None) -> httpx.Client:
    headers = {}
    if username:
        headers["Authorization"] = f"Bearer {issue_provider_token(server.ctx, username)}"
    return httpx.Client(base_url=server.info.portal_url, headers=headers, timeout=15)


def new_gateway(c: httpx.Client, **body: Any) -> str:
    r = c.post("/ds/api/v3/gateways", json=body)
    assert r.status_code == 200, r.text
    return r.json()["gatewayId"]


def service_name(prefix: str = "svc") -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def service_doc(gw: str, name: str, upstream: str, *, path: str | None = None) -> dict[str, Any]:
    """The client-credentials-shared-idp template's GatewayService (decK shape)."""
    url = httpx.URL(upstream)
    route: dict[str, Any] = {
        "name": f"{name}-dev",
        "tags": [f"ns.{gw}"],
        "hosts": [f"{name}.dev.api.gov.bc.ca"],
        "methods": ["GET"],
        "strip_path": False,
        "https_redirect_status_code": 426,
        "path_handling": "v0",
        "request_buffering": True,
        "response_buffering": True,
    }
    service: dict[str, Any] = {
        "name": f"{name}-dev",
        "tags": [f"ns.{gw}"],
        "host": url.host,
        "port": url.port or (443 if url.scheme == "https" else 80),
        "protocol": url.scheme,
        "retries": 0,
        "routes": [route],
        "plugins": [
            {
                "name": "jwt-keycloak",
                "tags": [f"ns.{gw}"],
                "enabled": True,
                "config": {
                    "allowed_iss": ["https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"],
                    "allowed_aud": f"ap-{gw}-default-dev",
                    "algorithm": "RS256",
                    "claims_to_verify": ["exp"],
                    "uri_param_names": ["jwt"],
                    "consumer_match": True,
                    "consumer_match_claim": "azp",
                    "consumer_match_claim_custom_id": True,
                },
            },
            {
                "name": "request-transformer",
                "tags": [f"ns.{gw}"],
                "enabled": True,
                "config": {"http_method": None},
            },
        ],
    }
    if path:
        service["path"] = path
    return service


def config_text(*services: dict[str, Any]) -> str:
    return yaml.safe_dump({"services": list(services)}, sort_keys=False)


def publish(
    c: httpx.Client,
    gw: str,
    text: str,
    *,
    dry_run: bool = False,
    qualifier: str | None = None,
) -> httpx.Response:
    data = {"dryRun": "true" if dry_run else "false"}
    if qualifier is not None:
        data["qualifier"] = qualifier
    return c.put(
        f"/gw/api/v3/gateways/{gw}/gateway",
        data=data,
        files={"configFile": ("config.yaml", text.encode(), "application/octet-stream")},
    )


def issuer_doc(gw: str) -> dict[str, Any]:
    return {
        "name": f"{gw} default",
        "description": f"Default Authorization Profile for {gw} Gateway",
        "flow": "client-credentials",
        "mode": "auto",
        "authPlugin": "jwt-keycloak",
        "clientAuthenticator": "client-secret",
        "clientRoles": [],
        "inheritFrom": "Gold Shared IdP",
    }


def dataset_doc(name: str, **changes: Any) -> dict[str, Any]:
    doc = {
        "name": f"{name}-dataset",
        "title": name,
        "organization": "ministry-of-citizens-services",
        "organizationUnit": "databc",
        "notes": f"Some information about the {name} service",
        "tags": [name, "openapi"],
        "license_title": "Access Only",
        "view_audience": "Government",
        "security_class": "PUBLIC",
        "record_publish_date": "2021-05-27",
    }
    doc.update(changes)
    return doc


def product_doc(gw: str, name: str, **env_changes: Any) -> dict[str, Any]:
    env = {
        "name": "dev",
        "active": False,
        "approval": False,
        "flow": "client-credentials",
        "credentialIssuer": f"{gw} default",
        "services": [f"{name}-dev"],
    }
    env.update(env_changes)
    return {"name": f"{name} API", "dataset": f"{name}-dataset", "environments": [env]}


def tutorial(c: httpx.Client, gw: str, name: str, upstream: str) -> dict[str, Any]:
    """Publish the service and PUT issuer, dataset and product; return the product."""
    r = publish(c, gw, config_text(service_doc(gw, name, upstream)))
    assert r.status_code == 200, r.text
    for kind, doc in (
        ("issuers", issuer_doc(gw)),
        ("datasets", dataset_doc(name)),
        ("products", product_doc(gw, name)),
    ):
        r = c.put(f"/ds/api/v3/gateways/{gw}/{kind}", json=doc)
        assert r.status_code == 200, r.text
    products = c.get(f"/ds/api/v3/gateways/{gw}/products").json()
    return next(p for p in products if p["name"] == f"{name} API")


def issue_consumer(
    c: httpx.Client, gw: str, env_app_id: str, app: str = "my-app"
) -> httpx.Response:
    return c.post(
        f"/ds/api/v3/gateways/{gw}/consumers",
        json={"environmentAppId": env_app_id, "application": {"name": app}},
    )


def dumps(value: Any) -> str:
    return json.dumps(value)


def start_server(data_dir, **overrides: Any) -> SandboxServer:
    """A sandbox of one's own on free loopback ports (same as the conftest helper)."""
    from tui.sandbox.context import SandboxConfig

    config = SandboxConfig(
        data_dir=data_dir, portal_port=0, data_plane_port=0, upstream_port=0, **overrides
    )
    server = SandboxServer(config)
    server.start()
    return server
