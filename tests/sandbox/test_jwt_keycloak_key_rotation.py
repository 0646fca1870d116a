"""An issuer rotating its signing key (docs/contract.md#s13, row 6): jwt-keycloak fetches the
issuer's keys again when none verifies and its copy is older than ``iss_key_grace_period``,
and a token signed by a key the issuer dropped stops working, even one it let through before.

The issuer is a small HTTP server of the test's own on loopback, publishing one key at a time
at ``/.well-known/openid-configuration`` → ``jwks_uri``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, service_doc
from tests.sandbox.test_jwt_keycloak import message


class Issuer:
    """An OpenID issuer that publishes whichever key it holds now."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path == "/.well-known/openid-configuration":
                    body: Any = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    issuer.key_fetches += 1
                    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key()))
                    body = {"keys": [public | {"use": "sig", "alg": "RS256", "kid": "k"}]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def rotate(self) -> rsa.RSAPrivateKey:
        """Publish a new key instead of the current one; returns the old key."""
        old = self.key
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return old

    def token(self, key: rsa.RSAPrivateKey | None = None) -> str:
        claims = {"iss": self.url, "exp": int(time.time()) + 300, "jti": str(uuid.uuid4())}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "k"})

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    yield running
    running.close()


def api_trusting(sandbox, issuer: Issuer, grace: float) -> str:
    """A service whose jwt-keycloak trusts ``issuer``; returns its route host."""
    gateway = new_gateway_id()
    service = f"rotate-{gateway}"
    plugin = {
        "allowed_iss": [issuer.url],
        "allowed_aud": None,
        "consumer_match": False,
        "iss_key_grace_period": grace,
    }
    doc = service_doc(gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides=plugin)
    publish(sandbox, gateway, doc)
    return sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca")


def call(sandbox, host: str, token: str) -> httpx.Response:
    headers = {"Host": host, "Authorization": f"Bearer {token}"}
    return httpx.get(gateway_url(sandbox) + "/uuid", headers=headers)


def test_a_rotated_key_is_fetched_once_the_grace_period_is_over(sandbox, issuer) -> None:
    host = api_trusting(sandbox, issuer, grace=0)
    assert call(sandbox, host, issuer.token()).status_code == 200
    issuer.rotate()
    assert call(sandbox, host, issuer.token()).status_code == 200


def test_within_the_grace_period_a_new_key_is_not_fetched_yet(sandbox, issuer) -> None:
    host = api_trusting(sandbox, issuer, grace=3600)
    assert call(sandbox, host, issuer.token()).status_code == 200
    issuer.rotate()
    assert message(call(sandbox, host, issuer.token())) == (401, "Invalid token signature")


def test_a_token_signed_by_a_dropped_key_is_refused_even_if_it_passed_before(
    sandbox, issuer
) -> None:
    host = api_trusting(sandbox, issuer, grace=0)
    before = issuer.token()
    assert call(sandbox, host, before).status_code == 200
    issuer.rotate()
    assert call(sandbox, host, issuer.token()).status_code == 200  # the new key is in use
    assert message(call(sandbox, host, before)) == (401, "Invalid token signature")


def test_keys_are_fetched_again_only_when_no_key_verifies(sandbox, issuer) -> None:
    """A token its cached key verifies costs the issuer nothing, even past the grace period:
    a class of learners calling their APIs does not hammer the issuer."""
    host = api_trusting(sandbox, issuer, grace=0)
    token = issuer.token()
    for _ in range(3):
        assert call(sandbox, host, token).status_code == 200
    assert issuer.key_fetches == 1
    issuer.rotate()
    assert call(sandbox, host, issuer.token()).status_code == 200
    assert issuer.key_fetches == 2


def test_an_issuer_gone_when_its_keys_are_fetched_again_is_a_403(sandbox, issuer) -> None:
    host = api_trusting(sandbox, issuer, grace=0)
    assert call(sandbox, host, issuer.token()).status_code == 200
    issuer.rotate()
    issuer.close()
    refused = call(sandbox, host, issuer.token())
    assert message(refused) == (403, "Unable to get public key for issuer")
