"""Every jwt-keycloak failure row of docs/contract.md#s13, through the data plane over HTTP.

Bad tokens are built here with PyJWT and cryptography: a forged key, ``alg: none``, HS256
signed with the issuer's public key PEM, wrong ``iss``/``aud``, expired, unknown consumer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sandbox.kong_fixtures import (
    Consumer,
    add_consumer,
    consumer_token,
    gateway_url,
    new_gateway_id,
    publish,
    service_doc,
)
from tui.sandbox.context import SHARED_IDP_ISSUER
from tui.sandbox.keys import LOGIN_REALM, SHARED_IDP_REALM
from tui.sandbox.lua_pattern import lua_match
from tui.sandbox.server import SandboxServer


@dataclass(frozen=True)
class Protected:
    server: SandboxServer
    gateway: str
    host: str
    consumer: Consumer

    def call(
        self,
        token: str | None = None,
        *,
        path: str = "/uuid",
        params: dict | None = None,
        headers: dict | None = None,
        host: str | None = None,
        method: str = "GET",
    ) -> httpx.Response:
        sent = {"Host": host or self.host}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        return httpx.request(method, gateway_url(self.server) + path, params=params, headers=sent)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": SHARED_IDP_ISSUER,
            "aud": [f"ap-{self.gateway}-default-dev"],
            "sub": str(uuid.uuid4()),
            "typ": "Bearer",
            "azp": self.consumer.client_id,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def signed(self, **overrides: Any) -> str:
        """Signed with the shared IdP realm's real key."""
        return self.server.ctx.keys.sign(SHARED_IDP_REALM, self.claims(**overrides))


@pytest.fixture(scope="module")
def api(sandbox) -> Protected:
    gateway = new_gateway_id()
    service = f"jwtk-{gateway}"
    publish(sandbox, gateway, service_doc(gateway, service, sandbox.ctx.upstream_url + "/"))
    consumer = add_consumer(sandbox, gateway)
    host = sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    return Protected(sandbox, gateway, host, consumer)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict, claims: dict, sign) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def message(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["message"]


# -- the happy path ------------------------------------------------------------------------
def test_authorised_call_reaches_the_upstream(api: Protected) -> None:
    token = consumer_token(api.server, api.consumer)
    response = api.call(token)
    assert response.status_code == 200
    assert uuid.UUID(response.json()["uuid"])


def test_token_in_the_jwt_query_parameter(api: Protected) -> None:
    token = consumer_token(api.server, api.consumer)
    assert api.call(params={"jwt": token}).status_code == 200


def test_same_token_twice_counts_once(api: Protected) -> None:
    token = consumer_token(api.server, api.consumer)
    assert api.call(token, params={"jwt": token}).status_code == 200


def test_consumer_headers_reach_the_upstream_and_cannot_be_spoofed(api: Protected) -> None:
    token = consumer_token(api.server, api.consumer)
    response = api.call(
        token,
        path="/headers",
        headers={"X-Consumer-ID": "spoofed", "X-Consumer-Username": "spoofed"},
    )
    assert response.status_code == 200
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert seen["x-consumer-id"] == api.consumer.kong_consumer_id
    assert seen["x-consumer-custom-id"] == api.consumer.client_id
    assert seen["x-consumer-username"] == api.consumer.client_id
    assert "spoofed" not in json.dumps(response.json())


# -- row 1: finding the token -------------------------------------------------------------
def test_no_token(api: Protected) -> None:
    response = api.call()
    assert message(response) == (401, "Unauthorized")
    assert response.json() == {"message": "Unauthorized"}
    assert "www-authenticate" not in response.headers


def test_not_a_bearer_header(api: Protected) -> None:
    response = api.call(headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert message(response) == (401, "Unauthorized")


def test_multiple_tokens(api: Protected) -> None:
    one = consumer_token(api.server, api.consumer)
    two = api.signed()
    assert message(api.call(one, params={"jwt": two})) == (401, "Multiple tokens provided")


# -- row 2: decoding ----------------------------------------------------------------------
@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "x.y"])
def test_undecodable_token(api: Protected, token: str) -> None:
    assert message(api.call(token)) == (401, "Bad token; invalid JSON")


def test_alg_none_does_not_decode(api: Protected) -> None:
    token = hand_made({"alg": "none", "typ": "JWT"}, api.claims(), lambda _: b"")
    assert message(api.call(token)) == (401, "Bad token; invalid alg")


# -- rows 3 and 4: issuer and audience ------------------------------------------------------
def test_wrong_issuer(api: Protected) -> None:
    token = api.signed(iss="https://dev.loginproxy.gov.bc.ca/auth/realms/other")
    assert message(api.call(token)) == (401, "Token issuer not allowed")


def test_issuer_must_match_exactly(api: Protected) -> None:
    token = api.signed(iss=SHARED_IDP_ISSUER + "/")
    assert message(api.call(token)) == (401, "Token issuer not allowed")


def test_wrong_audience(api: Protected) -> None:
    token = api.signed(aud=["ap-gw-00000-default-dev"])
    assert message(api.call(token)) == (401, "Token audience not allowed")


def test_missing_audience(api: Protected) -> None:
    token = api.signed(aud=None)
    assert message(api.call(token)) == (401, "Token audience not allowed")


def test_audience_as_a_plain_string(api: Protected) -> None:
    token = api.signed(aud=f"ap-{api.gateway}-default-dev")
    assert api.call(token).status_code == 200


# -- row 5: algorithm ---------------------------------------------------------------------
def test_an_audience_read_as_a_lua_pattern_is_let_through(api: Protected) -> None:
    # jwt-keycloak reads the token's audience as a Lua pattern matched against allowed_aud:
    # "%-" is a literal dash and "%x+" hex digits, so this audience is accepted...
    pattern = "^ap%-gw%-%x+%-default%-dev$"
    assert api.call(api.signed(aud=[pattern])).status_code == 200
    # ... and a pattern that does not match it is refused (anchored at the start).
    refused = api.call(api.signed(aud=["^default"]))
    assert message(refused) == (401, "Token audience not allowed")


def test_hs256_signed_with_the_public_key(api: Protected) -> None:
    pem = api.server.ctx.keys.public_pem(SHARED_IDP_REALM)
    kid = api.server.ctx.keys.kid(SHARED_IDP_REALM)
    token = hand_made(
        {"alg": "HS256", "typ": "JWT", "kid": kid},
        api.claims(),
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    assert message(api.call(token)) == (403, "Invalid algorithm")


def test_other_rsa_algorithm(api: Protected) -> None:
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(api.claims(), forged, algorithm="RS384")
    assert message(api.call(token)) == (403, "Invalid algorithm")


# -- row 6: signature -----------------------------------------------------------------------
def test_forged_signature(api: Protected) -> None:
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = api.server.ctx.keys.kid(SHARED_IDP_REALM)
    token = jwt.encode(api.claims(), forged, algorithm="RS256", headers={"kid": kid})
    assert message(api.call(token)) == (401, "Invalid token signature")


def test_tampered_claims(api: Protected) -> None:
    header, _, signature = api.signed().split(".")
    other = b64(json.dumps(api.claims(azp="SOMEONE-ELSE")).encode())
    assert message(api.call(f"{header}.{other}.{signature}")) == (401, "Invalid token signature")


def test_issuer_keys_unreachable(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"nokeys-{gateway}"
    dead = "http://127.0.0.1:9/auth/realms/gone"
    doc = service_doc(
        gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides={"allowed_iss": [dead]}
    )
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    api = Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )
    token = api.signed(iss=dead)
    assert message(api.call(token)) == (403, "Unable to get public key for issuer")


def test_keys_fetched_from_an_issuer_over_http(sandbox) -> None:
    """An issuer the sandbox does not hold locally: well-known → jwks_uri → keys."""
    gateway = new_gateway_id()
    service = f"remote-{gateway}"
    issuer = sandbox.ctx.login_issuer
    doc = service_doc(
        gateway,
        service,
        sandbox.ctx.upstream_url + "/",
        plugin_overrides={"allowed_iss": [issuer], "allowed_aud": None, "consumer_match": False},
    )
    publish(sandbox, gateway, doc)
    host = sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    good = sandbox.ctx.keys.sign(
        LOGIN_REALM, {"iss": issuer, "exp": int(time.time()) + 60, "azp": "gwa-cli"}
    )
    ok = httpx.get(
        gateway_url(sandbox) + "/uuid", headers={"Host": host, "Authorization": f"Bearer {good}"}
    )
    assert ok.status_code == 200
    # the shared IdP key is not the login realm's: same claims, wrong signer
    wrong = sandbox.ctx.keys.sign(
        SHARED_IDP_REALM, {"iss": issuer, "exp": int(time.time()) + 60, "azp": "gwa-cli"}
    )
    refused = httpx.get(
        gateway_url(sandbox) + "/uuid", headers={"Host": host, "Authorization": f"Bearer {wrong}"}
    )
    assert message(refused) == (401, "Invalid token signature")


# -- row 7: claims --------------------------------------------------------------------------
def test_expired_token(api: Protected) -> None:
    token = api.signed(exp=int(time.time()) - 5, iat=int(time.time()) - 305)
    assert message(api.call(token)) == (401, 'Token claims invalid: ["exp"]="token expired"')


def test_token_without_exp(api: Protected) -> None:
    token = api.signed(exp=None)
    assert message(api.call(token)) == (401, 'Token claims invalid: ["exp"]="must be a number"')


def test_maximum_expiration(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"maxexp-{gateway}"
    doc = service_doc(
        gateway,
        service,
        sandbox.ctx.upstream_url + "/",
        plugin_overrides={"maximum_expiration": 60},
    )
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    api = Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )
    response = api.call(consumer_token(sandbox, consumer))  # lives 300 s > 60 s
    assert message(response) == (
        403,
        'Token claims invalid: ["exp"]="exceeds maximum allowed expiration"',
    )


# -- row 8: consumer ------------------------------------------------------------------------
def test_unknown_consumer(api: Protected) -> None:
    token = api.signed(azp="ABCDEF12-0123456789A")
    assert message(api.call(token)) == (
        401,
        "Unable to find consumer ABCDEF12-0123456789A for token",
    )


# -- row 9: scopes and roles ------------------------------------------------------------------
def test_required_scope(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"scoped-{gateway}"
    doc = service_doc(
        gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides={"scope": ["admin"]}
    )
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    api = Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )
    assert message(api.call(consumer_token(sandbox, consumer))) == (
        403,
        "Access token does not have the required scope/role: Missing required scope",
    )
    assert api.call(api.signed(scope="profile admin")).status_code == 200


# -- the order of the checks ------------------------------------------------------------------
def test_checks_run_in_the_plugins_order(api: Protected) -> None:
    now = int(time.time())
    pem = api.server.ctx.keys.public_pem(SHARED_IDP_REALM)
    hs = lambda claims: hand_made(  # noqa: E731
        {"alg": "HS256", "typ": "JWT"},
        claims,
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    # issuer before audience before algorithm
    bad_all = hs(api.claims(iss="https://elsewhere", aud=["nope"]))
    assert message(api.call(bad_all)) == (401, "Token issuer not allowed")
    assert message(api.call(hs(api.claims(aud=["nope"])))) == (401, "Token audience not allowed")
    # algorithm before expiry
    assert message(api.call(hs(api.claims(exp=now - 10)))) == (403, "Invalid algorithm")
    # signature before expiry
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    expired_forged = jwt.encode(api.claims(exp=now - 10), forged, algorithm="RS256")
    assert message(api.call(expired_forged)) == (401, "Invalid token signature")
    # expiry before consumer
    expired_stranger = api.signed(exp=now - 10, azp="NOBODY-00000000000")
    assert message(api.call(expired_stranger))[1].startswith("Token claims invalid")


def test_preflight_skipped_only_when_configured(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"cors-{gateway}"
    doc = service_doc(
        gateway,
        service,
        sandbox.ctx.upstream_url + "/",
        route={"methods": ["GET", "OPTIONS"]},
        plugin_overrides={"run_on_preflight": False},
    )
    publish(sandbox, gateway, doc)
    host = sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    url = gateway_url(sandbox) + "/anything"
    assert httpx.options(url, headers={"Host": host}).status_code == 200
    assert httpx.get(url, headers={"Host": host}).status_code == 401


def test_lua_pattern_audience_matching() -> None:
    allowed = "ap-gw-1a2b3-default-dev"
    assert lua_match(allowed, "ap%-gw%-%x+%-default%-dev")
    assert lua_match(allowed, "default")
    assert not lua_match(allowed, "^default")
    assert not lua_match("ap-gw", "ap-gw")  # "-" is a lazy quantifier, not a dash
    assert not lua_match(allowed, "(unsupported")


def test_anonymous_consumer_when_authentication_fails(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"anon-{gateway}"
    fallback = add_consumer(sandbox, gateway)
    doc = service_doc(
        gateway,
        service,
        sandbox.ctx.upstream_url + "/",
        plugin_overrides={"anonymous": fallback.kong_consumer_id},
    )
    publish(sandbox, gateway, doc)
    host = sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    response = httpx.get(gateway_url(sandbox) + "/headers", headers={"Host": host})
    assert response.status_code == 200
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert seen["x-anonymous-consumer"] == "true"
    assert seen["x-consumer-id"] == fallback.kong_consumer_id


def test_realm_adds_www_authenticate_to_401_only(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"realm-{gateway}"
    doc = service_doc(
        gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides={"realm": "sandbox"}
    )
    publish(sandbox, gateway, doc)
    host = sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")
    response = httpx.get(gateway_url(sandbox) + "/uuid", headers={"Host": host})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="sandbox"'


def test_schema_defaults_apply_to_a_minimal_config(sandbox) -> None:
    """Kong fills in the plugin schema's defaults (algorithm RS256, ?jwt=, exp)."""
    gateway = new_gateway_id()
    service = f"minimal-{gateway}"
    doc = service_doc(gateway, service, sandbox.ctx.upstream_url + "/", protected=False)
    doc["plugins"] = [
        {
            "name": "jwt-keycloak",
            "config": {"allowed_iss": [SHARED_IDP_ISSUER], "algorithm": None, "consumer_match": True,
                       "consumer_match_claim_custom_id": True},
        }
    ]  # fmt: skip
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    api = Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )
    token = consumer_token(sandbox, consumer)
    assert api.call(params={"jwt": token}).status_code == 200
    assert message(api.call(api.signed(exp=int(time.time()) - 1)))[0] == 401
