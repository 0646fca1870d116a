"""RSA signing keys for the sandbox's two Keycloak realms, kept in SQLite across restarts.

Tokens are real RS256 JWTs (PyJWT + cryptography) with a ``kid`` that the JWKS documents name,
so any standard verifier (the data plane, the portal, a learner's jwt.io) can check them.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .db import Database

LOGIN_REALM = "aps"
SHARED_IDP_REALM = "apigw"
REMEMBERED_TOKENS = 2048  # verified tokens remembered per sandbox (then forgotten at once)
REMEMBERED_TOKEN_LENGTH = 8192  # longer ones are verified every time


class KeyRing:
    """One RSA key pair per realm, created on first use and persisted."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}
        self._headers: dict[str, bytes] = {}  # realm -> encoded JWT header
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}  # (realm, token) -> claims

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
            # Our own key, written by this code into the sandbox's private store: OpenSSL's
            # consistency check of it (about 40 ms, holding the GIL, so every request on the
            # event loop waited) guards against key material from elsewhere, not this.
            loaded = serialization.load_pem_private_key(
                row["pem"].encode(), password=None, unsafe_skip_rsa_key_validation=True
            )
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
        """An RS256 JWT of ``claims``, byte for byte what ``jwt.encode(claims, key,
        algorithm="RS256", headers={"kid": kid, "typ": "JWT"})`` writes (PKCS#1 v1.5
        signatures are deterministic), without PyJWT's per-call overhead: the encoded header
        is made once per realm and only the RSA signature is left per token."""
        kid, private = self._key(realm)
        header = self._headers.get(realm)
        if header is None:
            fields = {"alg": "RS256", "kid": kid, "typ": "JWT"}  # PyJWT sorts header keys
            header = self._headers[realm] = _b64url(_compact(fields))
        signing_input = header + b"." + _b64url(_compact(claims))
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return (signing_input + b"." + _b64url(signature)).decode("ascii")

    def verify(self, realm: str, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """Verify signature and ``exp``; raise ``jwt.InvalidTokenError`` subclasses on failure.

        A token that verified once is remembered (its claims, per realm): the same caller
        sends the same token with every request, and the portal's handler and the class
        board's observer both ask. Only ``exp`` can turn a verified token bad later (the
        realm's key never changes while the sandbox runs), so it is checked again, as PyJWT
        checks it, on every call."""
        key = (realm, token)
        remembered = self._verified.get(key) if audience is None else None
        if remembered is not None:
            exp = remembered.get("exp")
            if isinstance(exp, int | float) and exp <= time.time():
                raise jwt.ExpiredSignatureError("Signature has expired")
            return dict(remembered)
        options: jwt.types.Options = {"verify_aud": audience is not None}
        claims = jwt.decode(
            token,
            self.public_key(realm),
            algorithms=["RS256"],
            audience=audience,
            options=options,
        )
        if audience is None and len(token) <= REMEMBERED_TOKEN_LENGTH:
            if len(self._verified) >= REMEMBERED_TOKENS:
                self._verified.clear()
            self._verified[key] = dict(claims)
        return claims

    def jwks(self, realm: str) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key(realm)))
        jwk.update({"kid": self.kid(realm), "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def now() -> int:
    return int(time.time())
