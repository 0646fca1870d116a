"""The whole tutorial over HTTP, as ``gwa`` and ``curl`` would do it against a fresh sandbox.

Discovery chain → device login (pending, approval on the HTML page, refresh) → gateway create
→ publish the client-credentials template (JSON ``{"services": […]}`` in multipart
``configFile``) → issuer, dataset and product PUTs → status UP → ``GET /uuid`` without a token
is 401 → issue a consumer → consumer token → ``GET /uuid`` with it is 200 and a UUID →
revoke → 401 ``Unable to find consumer`` → destroy rules.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
import yaml

from tests.sandbox.login_helpers import DEVICE_GRANT, Device, approve_with_form, pkce_pair
from tui.sandbox import device_flow
from tui.sandbox.context import SHARED_IDP_ISSUER


def tutorial_documents(gateway: str, service: str, upstream: str) -> list[dict[str, Any]]:
    """The client-credentials-shared-idp template's four documents (docs/contract.md#s6.4)."""
    url = httpx.URL(upstream)
    tag = [f"ns.{gateway}"]
    route: dict[str, Any] = {
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
    if url.path:
        route["paths"] = [url.path]
    return [
        {
            "kind": "GatewayService",
            "name": f"{service}-dev",
            "tags": tag,
            "host": f"{url.host}:{url.port}",  # gwa's Host-with-port quirk (§6.3)
            "port": url.port,
            "protocol": url.scheme,
            "retries": 0,
            "routes": [route],
            "plugins": [
                {
                    "name": "jwt-keycloak",
                    "tags": tag,
                    "enabled": True,
                    "config": {
                        "allowed_iss": [SHARED_IDP_ISSUER],
                        "allowed_aud": f"ap-{gateway}-default-dev",
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
                    },
                },
                {
                    "name": "request-transformer",
                    "tags": tag,
                    "enabled": True,
                    "config": {"http_method": None},
                },
            ],
        },
        {
            "kind": "CredentialIssuer",
            "name": f"{gateway} default",
            "description": f"Default Authorization Profile for {gateway} Gateway",
            "flow": "client-credentials",
            "mode": "auto",
            "authPlugin": "jwt-keycloak",
            "clientAuthenticator": "client-secret",
            "clientRoles": [],
            "inheritFrom": "Gold Shared IdP",
        },
        {
            "kind": "DraftDataset",
            "name": f"{service}-dataset",
            "title": service,
            "organization": "ministry-of-citizens-services",
            "organizationUnit": "databc",
            "notes": f"Some information about the {service} service",
            "tags": [service, "openapi"],
            "license_title": "Access Only",
            "view_audience": "Government",
            "security_class": "PUBLIC",
            "record_publish_date": "2021-05-27",
        },
        {
            "kind": "Product",
            "name": f"{service} API",
            "dataset": f"{service}-dataset",
            "environments": [
                {
                    "name": "dev",
                    "active": False,
                    "approval": False,
                    "flow": "client-credentials",
                    "credentialIssuer": f"{gateway} default",
                    "services": [f"{service}-dev"],
                }
            ],
        },
    ]


def without_kind(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "kind"}


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)


def test_the_whole_tutorial_over_http(fresh_sandbox, quick_polls) -> None:
    ctx = fresh_sandbox.ctx
    http = httpx.Client(base_url=ctx.portal_url, timeout=15)

    # -- gwa config set host; gwa login: the discovery chain (§4.2) --------------------------
    ds = http.get("/ds/api")
    assert ds.status_code == 204
    link = ds.headers["link"].split(",")[-1]
    openapi_path = re.search(r"<([^>]+)>", link).group(1)
    assert openapi_path == "/ds/api/v3/openapi.yaml"
    spec = yaml.safe_load(http.get(openapi_path, headers={"Content-Type": "text/yaml"}).text)
    oidc_url = spec["components"]["securitySchemes"]["openid"]["openIdConnectUrl"]
    oidc = httpx.get(oidc_url).json()
    token_endpoint = oidc["token_endpoint"]

    # -- device flow with PKCE (§4.3) --------------------------------------------------------
    verifier, challenge = pkce_pair()
    device = httpx.post(
        oidc["device_authorization_endpoint"],
        data={
            "client_id": "gwa-cli",
            "code_challenge_method": "S256",
            "code_challenge": challenge,
        },
    ).json()
    poll = {
        "device_code": device["device_code"],
        "client_id": "gwa-cli",
        "grant_type": DEVICE_GRANT,
        "code_verifier": verifier,
    }
    pending = httpx.post(token_endpoint, data=poll)
    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"

    assert approve_with_form(Device(**device, verifier=verifier), "tutor").status_code == 200
    login = httpx.post(token_endpoint, data=poll)
    assert login.status_code == 200
    refreshed = httpx.post(
        token_endpoint,
        data={
            "client_id": "gwa-cli",
            "grant_type": "refresh_token",
            "refresh_token": login.json()["refresh_token"],
        },
    )
    assert refreshed.status_code == 200
    provider = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}

    # -- gwa gateway create (§5.1) -------------------------------------------------------------
    bad_name = http.post("/ds/api/v3/gateways", json={"displayName": "!x"}, headers=provider)
    assert bad_name.status_code == 422
    assert bad_name.json()["fields"]["d0"]["message"].startswith("Display name must be")
    created = http.post("/ds/api/v3/gateways", json={}, headers=provider)
    assert created.status_code == 200, created.text
    gateway = created.json()["gatewayId"]
    assert created.json()["displayName"] == "tutor's Gateway"

    # -- gwa generate-config + gwa apply (§6.4, §7, §8) ----------------------------------------
    service = f"tut-{uuid.uuid4().hex[:6]}"
    available = http.get(
        "/ds/api/v3/routes/availability",
        params={"gatewayId": gateway, "serviceName": service},
    )
    assert available.json()["available"] is True
    docs = tutorial_documents(gateway, service, ctx.upstream_url + "/")
    services = [without_kind(d) for d in docs if d["kind"] == "GatewayService"]
    published = http.put(
        f"/gw/api/v3/gateways/{gateway}/gateway",
        data={"dryRun": "false"},
        files={"configFile": ("config.yaml", json.dumps({"services": services}))},
        headers=provider,
    )
    assert published.status_code == 200, published.text
    assert published.json()["message"] == "Sync successful."
    assert "Created: 4" in published.json()["results"]
    for doc, path in ((docs[1], "issuers"), (docs[2], "datasets"), (docs[3], "products")):
        put = http.put(
            f"/ds/api/v3/gateways/{gateway}/{path}", json=without_kind(doc), headers=provider
        )
        assert put.status_code == 200, put.text
        assert put.json()["result"] == "created"
    again = http.put(
        f"/ds/api/v3/gateways/{gateway}/products", json=without_kind(docs[3]), headers=provider
    )
    assert again.json()["result"] in ("no-change", "updated")

    # -- gwa status --hosts (§9) ---------------------------------------------------------------
    status = http.get(f"/gw/api/v3/gateways/{gateway}/services", headers=provider)
    assert status.status_code == 200, status.text
    (row,) = status.json()
    assert row["name"] == f"{service}-dev"
    assert row["status"] == "UP", row
    env_host = row["env_host"]
    assert env_host == ctx.env_host(f"{service}.dev.api.gov.bc.ca")

    # -- curl https://<svc>-dev-api-gov-bc-ca…/uuid: 401 without a token -----------------------
    gateway_url = f"http://127.0.0.1:{ctx.data_plane_port}/uuid"
    anonymous = httpx.get(gateway_url, headers={"Host": env_host})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"message": "Unauthorized"}

    # -- the consumer's credentials (§16) ------------------------------------------------------
    products = http.get(f"/ds/api/v3/gateways/{gateway}/products", headers=provider).json()
    environment = products[0]["environments"][0]
    issued = http.post(
        f"/ds/api/v3/gateways/{gateway}/consumers",
        json={"environmentAppId": environment["appId"], "application": {"name": "tutorial app"}},
        headers=provider,
    )
    assert issued.status_code == 201, issued.text
    credentials = issued.json()
    client_id, secret = credentials["clientId"], credentials["clientSecret"]
    assert credentials["tokenEndpoint"] == ctx.shared_idp_token_endpoint

    # -- the tutorial's token curl (scopes=openid is ignored) ----------------------------------
    token_response = httpx.post(
        credentials["tokenEndpoint"],
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scopes": "openid",
        },
    )
    assert token_response.status_code == 200, token_response.text
    token = token_response.json()["access_token"]

    # -- curl …/uuid -H "Authorization: Bearer $TOKEN" -----------------------------------------
    authorised = httpx.get(
        gateway_url, headers={"Host": env_host, "Authorization": f"Bearer {token}"}
    )
    assert authorised.status_code == 200
    assert uuid.UUID(authorised.json()["uuid"]).version == 4

    # -- clean up: destroy rules (§5.4), revoke, destroy ---------------------------------------
    blocked = http.delete(
        f"/ds/api/v3/gateways/{gateway}", params={"force": "false"}, headers=provider
    )
    assert blocked.status_code == 422
    forced = http.delete(
        f"/ds/api/v3/gateways/{gateway}", params={"force": "true"}, headers=provider
    )
    assert forced.status_code == 422
    assert "consumer has access" in forced.json()["fields"]["d0"]["message"]

    revoked = http.delete(f"/ds/api/v3/gateways/{gateway}/consumers/{client_id}", headers=provider)
    assert revoked.status_code == 200
    after_revoke = httpx.get(
        gateway_url, headers={"Host": env_host, "Authorization": f"Bearer {token}"}
    )
    assert after_revoke.status_code == 401
    assert after_revoke.json() == {"message": f"Unable to find consumer {client_id} for token"}

    still_services = http.delete(
        f"/ds/api/v3/gateways/{gateway}", params={"force": "false"}, headers=provider
    )
    assert still_services.status_code == 422
    assert "service" in still_services.json()["fields"]["d0"]["message"]
    destroyed = http.delete(
        f"/ds/api/v3/gateways/{gateway}", params={"force": "true"}, headers=provider
    )
    assert destroyed.status_code == 200
    assert destroyed.json() is True
    gone = httpx.get(gateway_url, headers={"Host": env_host, "Authorization": f"Bearer {token}"})
    assert gone.status_code == 404
    assert gone.json() == {"message": "no Route matched with those values"}
