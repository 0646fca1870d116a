"""RSA signing keys for the sandbox's two Keycloak realms, kept in SQLite across restarts.

Tokens are real RS256 JWTs (PyJWT + cryptography) with a ``kid`` that the JWKS documents name,
so any standard verifier (the data plane, the portal, a learner's jwt.io) can check them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .db import Database

LOGIN_REALM = "aps"
SHARED_IDP_REALM = "apigw"


class KeyRing:
    """One RSA key pair per realm, created on first use and persisted."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}

    def _key(self, realm: str) -> tuple[str, rsa.RSAPrivateKey]:
        with self._lock:
            if realm in self._cache:
                return self._cache[realm]
            row = self._db.query_one("SELECT kid, pem FROM signing_keys WHERE realm=?", (realm,))
            if row is None:
                private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                pem = private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode()
                kid = secrets.token_urlsafe(16)
                with self._db.transaction() as conn:
                    conn.execute(
                        "INSERT OR IGNORE INTO signing_keys(realm, kid, pem) VALUES (?,?,?)",
                        (realm, kid, pem),
                    )
                row = self._db.query_one(
                    "SELECT kid, pem FROM signing_keys WHERE realm=?", (realm,)
                )
            assert row is not None
            loaded = serialization.load_pem_private_key(row["pem"].encode(), password=None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            private = loaded
            self._cache[realm] = (row["kid"], private)
            return self._cache[realm]

    def public_key(self, realm: str) -> rsa.RSAPublicKey:
        return self._key(realm)[1].public_key()

    def public_pem(self, realm: str) -> bytes:
        return self.public_key(realm).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def kid(self, realm: str) -> str:
        return self._key(realm)[0]

    def sign(self, realm: str, claims: dict[str, Any]) -> str:
        kid, private = self._key(realm)
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})

    def verify(self, realm: str, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """Verify signature and ``exp``; raise ``jwt.InvalidTokenError`` subclasses on failure."""
        options: jwt.types.Options = {"verify_aud": audience is not None}
        return jwt.decode(
            token,
            self.public_key(realm),
            algorithms=["RS256"],
            audience=audience,
            options=options,
        )

    def jwks(self, realm: str) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key(realm)))
        jwk.update({"kid": self.kid(realm), "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}


def now() -> int:
    return int(time.time())
