"""jwt-keycloak rows 1 and 2 (docs/contract.md#s13): where the plugin looks for the token,
and how Kong's jwt parser reads its header, seen as the answer a caller gets."""

from __future__ import annotations

import pytest

from tests.sandbox.kong_fixtures import (
    add_consumer,
    consumer_token,
    new_gateway_id,
    publish,
    service_doc,
)
from tests.sandbox.test_jwt_keycloak import Protected, api, hand_made, message

__all__ = ["api"]  # the module-scoped fixture, shared with test_jwt_keycloak.py


@pytest.mark.parametrize("typ", ["at+jwt", "JWS", 1])
def test_a_header_typ_other_than_jwt_does_not_decode(api: Protected, typ) -> None:
    token = hand_made({"alg": "RS256", "typ": typ}, api.claims(), lambda _: b"sig")
    assert message(api.call(token)) == (401, "Bad token; invalid typ")


def test_typ_is_compared_without_case(api: Protected) -> None:
    token = hand_made({"alg": "RS256", "typ": "jwt"}, api.claims(), lambda _: b"sig")
    assert message(api.call(token)) == (401, "Invalid token signature")


def test_a_token_in_a_configured_cookie_or_header_is_read(sandbox) -> None:
    gateway = new_gateway_id()
    service = f"cookie-{gateway}"
    plugin = {"cookie_names": ["session"], "header_names": ["x-api-token"]}
    doc = service_doc(gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides=plugin)
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    api = Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )
    token = consumer_token(sandbox, consumer)
    assert api.call(headers={"Cookie": f"session={token}"}).status_code == 200
    assert api.call(headers={"X-Api-Token": f"Bearer {token}"}).status_code == 200
    assert message(api.call(headers={"Cookie": f"other={token}"})) == (401, "Unauthorized")
    # the Authorization header is not among the names configured: not read
    assert message(api.call(token)) == (401, "Unauthorized")
