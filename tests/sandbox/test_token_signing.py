"""The realms' token signer writes exactly what PyJWT would, so every verifier accepts it."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from tui.sandbox.db import Database
from tui.sandbox.keys import SHARED_IDP_REALM, KeyRing


def test_signed_tokens_are_byte_for_byte_what_pyjwt_writes(tmp_path: Path) -> None:
    db = Database(tmp_path / "keys.sqlite3")
    ring = KeyRing(db)
    claims = {
        "exp": int(time.time()) + 300,
        "aud": ["ap-gw-1a2b3-default-dev"],
        "azp": "CLIENT-ÄÖ",  # non-ASCII: escaped as PyJWT escapes it
        "scope": "profile email",
    }
    kid = ring.kid(SHARED_IDP_REALM)
    private = ring._key(SHARED_IDP_REALM)[1]
    expected = jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})
    try:
        for _ in range(2):  # the second call uses the remembered header
            token = ring.sign(SHARED_IDP_REALM, claims)
            assert token == expected
        assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": kid, "typ": "JWT"}
        decoded = jwt.decode(
            token, ring.public_key(SHARED_IDP_REALM), algorithms=["RS256"],
            audience="ap-gw-1a2b3-default-dev",
        )  # fmt: skip
        assert decoded == claims
    finally:
        db.close()


def test_a_remembered_token_still_expires_and_a_forged_twin_is_refused(
    tmp_path: Path, monkeypatch
) -> None:
    db = Database(tmp_path / "keys.sqlite3")
    ring = KeyRing(db)
    now = time.time()
    token = ring.sign(SHARED_IDP_REALM, {"exp": int(now) + 60, "sub": "learner"})
    try:
        assert ring.verify(SHARED_IDP_REALM, token)["sub"] == "learner"
        assert ring.verify(SHARED_IDP_REALM, token)["sub"] == "learner"  # remembered
        head, payload, signature = token.split(".")
        flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
        with pytest.raises(jwt.InvalidSignatureError):
            ring.verify(SHARED_IDP_REALM, f"{head}.{payload}.{flipped}")
        monkeypatch.setattr("tui.sandbox.keys.time.time", lambda: now + 61)
        with pytest.raises(jwt.ExpiredSignatureError):
            ring.verify(SHARED_IDP_REALM, token)
    finally:
        db.close()
