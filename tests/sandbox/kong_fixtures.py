"""Helpers for data-plane tests: publish a service and add a consumer straight into the
shared tables (``kong_services``, ``consumers``), in the documented shapes, so these tests
do not depend on the portal's publish and consumer endpoints."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tui.sandbox import client_secrets
from tui.sandbox.context import SHARED_IDP_ISSUER
from tui.sandbox.server import SandboxServer


def new_gateway_id() -> str:
    return f"gw-{secrets.token_hex(3)[:5]}"


def jwt_plugin(gateway_id: str, **overrides: Any) -> dict[str, Any]:
    """The client-credentials-shared-idp template's jwt-keycloak plugin (docs/contract.md#s6.4)."""
    config: dict[str, Any] = {
        "allowed_iss": [SHARED_IDP_ISSUER],
        "allowed_aud": f"ap-{gateway_id}-default-dev",
        "run_on_preflight": True,
        "iss_key_grace_period": 10,
        "maximum_expiration": 0,
        "algorithm": "RS256",
        "claims_to_verify": ["exp"],
        "uri_param_names": ["jwt"],
        "cookie_names": [],
        "scope": None,
        "roles": None,
        "realm_roles": None,
        "client_roles": None,
        "anonymous": None,
        "consumer_match": True,
        "consumer_match_claim": "azp",
        "consumer_match_claim_custom_id": True,
        "consumer_match_ignore_not_found": False,
    }
    config.update(overrides)
    return {"name": "jwt-keycloak", "tags": [f"ns.{gateway_id}"], "enabled": True, "config": config}


def service_doc(
    gateway_id: str,
    service: str,
    upstream_url: str,
    *,
    protected: bool = True,
    route: dict[str, Any] | None = None,
    plugin_overrides: dict[str, Any] | None = None,
    **service_fields: Any,
) -> dict[str, Any]:
    """A GatewayService as the template renders it, ``host`` keeping gwa's ``:port`` quirk."""
    url = httpx.URL(upstream_url)
    tag = [f"ns.{gateway_id}"]
    route_doc: dict[str, Any] = {
        "name": f"{service}-dev",
        "tags": tag,
        "hosts": [f"{service}.dev.api.gov.bc.ca"],
        "methods": ["GET"],
        "strip_path": False,
        "https_redirect_status_code": 426,
        "path_handling": "v0",
        "request_buffering": True,
        "response_buffering": True,
    }
    if url.path and url.path != "":
        route_doc["paths"] = [url.path]
    route_doc.update(route or {})
    doc: dict[str, Any] = {
        "name": f"{service}-dev",
        "tags": tag,
        "host": f"{url.host}:{url.port}" if url.port else url.host,
        "port": url.port or (443 if url.scheme == "https" else 80),
        "protocol": url.scheme,
        "retries": 0,
        "routes": [route_doc],
        "plugins": [],
    }
    if url.path and url.path != "/":
        doc["path"] = url.path
    if protected:
        doc["plugins"].append(jwt_plugin(gateway_id, **(plugin_overrides or {})))
        doc["plugins"].append(
            {
                "name": "request-transformer",
                "tags": tag,
                "enabled": True,
                "config": {"http_method": None},
            }
        )
    doc.update(service_fields)
    return doc


def publish(server: SandboxServer, gateway_id: str, doc: dict[str, Any]) -> None:
    with server.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (gateway_id, doc["name"], str(uuid.uuid4()), json.dumps(doc)),
        )


def unpublish(server: SandboxServer, gateway_id: str) -> None:
    with server.ctx.db.transaction() as conn:
        conn.execute("DELETE FROM kong_services WHERE gateway_id=?", (gateway_id,))


@dataclass(frozen=True)
class Consumer:
    client_id: str
    client_secret: str
    audience: str
    kong_consumer_id: str


def add_consumer(server: SandboxServer, gateway_id: str, audience: str | None = None) -> Consumer:
    env_app = secrets.token_hex(4).upper()
    app_app = secrets.token_hex(6).upper()[:11]
    consumer = Consumer(
        client_id=f"{env_app}-{app_app}",
        client_secret=str(uuid.uuid4()),
        audience=audience or f"ap-{gateway_id}-default-dev",
        kong_consumer_id=str(uuid.uuid4()),
    )
    with server.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO consumers(client_id, gateway_id, environment_app_id, application_app_id,"
            " client_secret, audience, kong_consumer_id, labels, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                consumer.client_id,
                gateway_id,
                env_app,
                app_app,
                client_secrets.digest(consumer.client_secret),
                consumer.audience,
                consumer.kong_consumer_id,
                "{}",
                time.time(),
            ),
        )
    return consumer


def remove_consumer(server: SandboxServer, client_id: str) -> None:
    with server.ctx.db.transaction() as conn:
        conn.execute("DELETE FROM consumers WHERE client_id=?", (client_id,))


def consumer_token(server: SandboxServer, consumer: Consumer) -> str:
    response = httpx.post(
        server.ctx.shared_idp_token_endpoint,
        data={
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
            "grant_type": "client_credentials",
            "scopes": "openid",
        },
    )
    response.raise_for_status()
    return response.json()["access_token"]


def gateway_url(server: SandboxServer) -> str:
    """Where the data plane listens (requests carry the env host in ``Host``)."""
    return f"http://127.0.0.1:{server.ctx.data_plane_port}"


def env_host(server: SandboxServer, service: str) -> str:
    return server.ctx.env_host(f"{service}-dev.api.gov.bc.ca".replace("-dev.", ".dev.", 1))
