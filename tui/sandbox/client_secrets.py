"""Client secrets at rest: only a SHA-256 digest is stored, never the secret itself.

The portal shows a consumer's secret once, when it is generated (or regenerated); Keycloak
keeps it to check the client-credentials grant. The sandbox keeps only ``sha256:<hex>`` and
checks a presented secret against it in constant time. Secrets are random UUIDv4s (122 bits),
so an unsalted digest cannot be reversed by guessing. Rows written by an older sandbox hold
the plain secret; :func:`hash_stored_consumer_secrets` rewrites them when the store opens.
"""

from __future__ import annotations

import hashlib
import hmac

from .db import Database

PREFIX = "sha256:"


def digest(secret: str) -> str:
    return PREFIX + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def matches(secret: str | None, stored: str) -> bool:
    """Whether ``secret`` is the one whose digest is ``stored`` (constant time)."""
    if secret is None or not stored.startswith(PREFIX):
        return False
    return hmac.compare_digest(digest(secret).encode(), stored.encode())


def hash_stored_consumer_secrets(db: Database) -> int:
    """Replace plain consumer secrets left by an older sandbox with their digest."""
    rows = db.query(
        "SELECT client_id, client_secret FROM consumers WHERE client_secret NOT LIKE ?",
        (PREFIX + "%",),
    )
    if not rows:
        return 0
    with db.transaction() as conn:
        conn.executemany(
            "UPDATE consumers SET client_secret=? WHERE client_id=?",
            [(digest(r["client_secret"]), r["client_id"]) for r in rows],
        )
    return len(rows)
