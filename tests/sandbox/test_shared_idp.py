"""The shared IdP realm: client-credentials tokens for consumers (docs/contract.md#s12.2 item 5)."""

from __future__ import annotations

import base64
import time

import httpx
import jwt

from tests.sandbox.kong_fixtures import add_consumer, new_gateway_id, remove_consumer
from tui.sandbox.context import SHARED_IDP_ISSUER

INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Invalid client or Invalid client credentials",
}
WRONG_SECRET = {
    "error": "unauthorized_client",
    "error_description": "Invalid client or Invalid client credentials",
}


def tutorial_request(url: str, client_id: str, secret: str) -> httpx.Response:
    """The tutorial's curl, ``scopes=openid`` typo included."""
    return httpx.post(
        url,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scopes": "openid",
        },
    )


def test_consumer_token_claims(sandbox) -> None:
    gateway = new_gateway_id()
    consumer = add_consumer(sandbox, gateway)
    before = int(time.time())
    response = tutorial_request(
        sandbox.ctx.shared_idp_token_endpoint, consumer.client_id, consumer.client_secret
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 300
    assert body["refresh_expires_in"] == 0
    assert body["token_type"] == "Bearer"
    assert body["not-before-policy"] == 0
    assert "refresh_token" not in body

    jwks = httpx.get(f"{sandbox.ctx.shared_idp_base}/protocol/openid-connect/certs").json()
    key = jwt.PyJWKSet.from_dict(jwks).keys[0].key
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    claims = jwt.decode(
        body["access_token"],
        key,
        algorithms=["RS256"],
        audience=f"ap-{gateway}-default-dev",
        issuer=SHARED_IDP_ISSUER,
    )
    assert claims["iss"] == "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"
    assert isinstance(claims["aud"], list) and f"ap-{gateway}-default-dev" in claims["aud"]
    assert claims["azp"] == consumer.client_id
    assert claims["typ"] == "Bearer"
    assert before + 300 <= claims["exp"] <= int(time.time()) + 300
    assert claims["exp"] - claims["iat"] == 300


def test_basic_auth_works_too(sandbox) -> None:
    consumer = add_consumer(sandbox, new_gateway_id())
    basic = base64.b64encode(f"{consumer.client_id}:{consumer.client_secret}".encode()).decode()
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


def test_wrong_secret_is_unauthorized_client_and_unknown_client_invalid_client(sandbox) -> None:
    consumer = add_consumer(sandbox, new_gateway_id())
    url = sandbox.ctx.shared_idp_token_endpoint
    wrong = tutorial_request(url, consumer.client_id, "not-the-secret")
    assert wrong.status_code == 401
    assert wrong.json() == WRONG_SECRET
    unknown = tutorial_request(url, "NOPE-NOPE", consumer.client_secret)
    assert unknown.status_code == 401
    assert unknown.json() == INVALID_CLIENT
    no_secret = httpx.post(
        url, data={"client_id": consumer.client_id, "grant_type": "client_credentials"}
    )
    assert (no_secret.status_code, no_secret.json()) == (401, WRONG_SECRET)
    basic = base64.b64encode(f"{consumer.client_id}:wrong".encode()).decode()
    via_basic = httpx.post(
        url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert (via_basic.status_code, via_basic.json()) == (401, WRONG_SECRET)


def test_revoked_consumer_gets_no_more_tokens(sandbox) -> None:
    consumer = add_consumer(sandbox, new_gateway_id())
    url = sandbox.ctx.shared_idp_token_endpoint
    assert tutorial_request(url, consumer.client_id, consumer.client_secret).status_code == 200
    remove_consumer(sandbox, consumer.client_id)
    again = tutorial_request(url, consumer.client_id, consumer.client_secret)
    assert again.status_code == 401
    assert again.json() == INVALID_CLIENT


def test_wrong_grant_type(sandbox) -> None:
    consumer = add_consumer(sandbox, new_gateway_id())
    url = sandbox.ctx.shared_idp_token_endpoint
    response = httpx.post(
        url,
        data={
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
            "grant_type": "password",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    missing = httpx.post(url, data={"client_id": consumer.client_id})
    assert missing.status_code == 400
    assert missing.json()["error_description"] == "Missing form parameter: grant_type"


def test_discovery_names_the_template_issuer(sandbox) -> None:
    base = sandbox.ctx.shared_idp_base
    doc = httpx.get(f"{base}/.well-known/openid-configuration").json()
    assert doc["issuer"] == SHARED_IDP_ISSUER
    assert doc["token_endpoint"] == sandbox.ctx.shared_idp_token_endpoint
    assert doc["jwks_uri"] == f"{base}/protocol/openid-connect/certs"
    assert "device_authorization_endpoint" not in doc


def test_login_realm_tokens_are_signed_with_another_key(sandbox) -> None:
    login_jwks = httpx.get(f"{sandbox.ctx.login_issuer}/protocol/openid-connect/certs").json()
    idp_jwks = httpx.get(f"{sandbox.ctx.shared_idp_base}/protocol/openid-connect/certs").json()
    assert login_jwks["keys"][0]["kid"] != idp_jwks["keys"][0]["kid"]
    assert login_jwks["keys"][0]["n"] != idp_jwks["keys"][0]["n"]
