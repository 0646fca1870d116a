"""jwt-keycloak row 2 (docs/contract.md#s13): how Kong's jwt parser reads a token's
header, seen as the answer a caller gets."""

from __future__ import annotations

import pytest

from tests.sandbox.test_jwt_keycloak import Protected, api, hand_made, message

__all__ = ["api"]  # the module-scoped fixture, shared with test_jwt_keycloak.py


@pytest.mark.parametrize("typ", ["at+jwt", "JWS", 1])
def test_a_header_typ_other_than_jwt_does_not_decode(api: Protected, typ) -> None:
    token = hand_made({"alg": "RS256", "typ": typ}, api.claims(), lambda _: b"sig")
    assert message(api.call(token)) == (401, "Bad token; invalid typ")


def test_typ_is_compared_without_case(api: Protected) -> None:
    token = hand_made({"alg": "RS256", "typ": "jwt"}, api.claims(), lambda _: b"sig")
    assert message(api.call(token)) == (401, "Invalid token signature")
