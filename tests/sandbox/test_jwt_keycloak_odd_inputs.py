"""jwt-keycloak given what publish and a well-behaved client never send: a token that decodes
but whose claims are not an object, a token read afresh although the same text came before,
a credential header of the client's own, a token naming a consumer by its Kong id, and a
stored plugin config that publish would have refused (a hand-edited or older sandbox
database). Each gets Kong's answer, or the schema's default."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from tests.sandbox.kong_fixtures import (
    consumer_token,
)
from tests.sandbox.test_jwt_keycloak import Protected, api, message
from tests.sandbox.test_jwt_keycloak_key_rotation import Issuer, api_trusting, call
from tui.sandbox import jwt_keycloak

__all__ = ["api"]  # the module-scoped fixture, shared with test_jwt_keycloak.py


@pytest.fixture(autouse=True)
def tokens_decoded_afresh() -> None:
    """The plugin remembers each token's parse: one cached by an earlier test (or by the
    process a mutation run forks from) would hide a change in the parser from this one."""
    jwt_keycloak._decode_remembered.cache_clear()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    yield running
    running.close()


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("claims", [[1, 2], "text", 7])
def test_claims_that_are_not_an_object_are_a_bad_token(api: Protected, claims) -> None:
    token = f"{segment({'alg': 'RS256', 'typ': 'JWT'})}.{segment(claims)}.c2ln"
    assert message(api.call(token)) == (401, "Bad token; invalid claims")


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "x.y"])
def test_the_same_undecodable_token_twice_is_refused_twice(api: Protected, token) -> None:
    for _ in range(2):
        assert message(api.call(token)) == (401, "Bad token; invalid JSON")


def test_a_grace_period_stored_as_text_does_not_break_the_api(sandbox, issuer) -> None:
    host = api_trusting(sandbox, issuer, grace="ten")  # type: ignore[arg-type]
    assert call(sandbox, host, issuer.token()).status_code == 200
    assert issuer.key_fetches == 1


def test_a_credential_identifier_sent_by_the_client_never_reaches_the_upstream(
    api: Protected,
) -> None:
    """The plugin clears the header that names the caller's credential: a client cannot claim
    a credential of its own making."""
    token = consumer_token(api.server, api.consumer)
    forged = {"X-Credential-Identifier": "forged"}
    response = api.call(token, path="/headers", headers=forged)
    assert response.status_code == 200
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert "x-credential-identifier" not in seen


def test_matching_by_custom_id_never_matches_a_kong_consumer_id(api: Protected) -> None:
    """The plugin matches the ``azp`` claim against consumers' custom ids (client ids) only:
    a token naming a consumer by its Kong id is not that consumer."""
    kong_id = api.consumer.kong_consumer_id
    response = api.call(api.signed(azp=kong_id))
    assert message(response) == (401, f"Unable to find consumer {kong_id} for token")
