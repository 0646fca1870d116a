"""The login realm's sessions: access + refresh token pairs, refresh rotation, logout.

Access tokens come from :func:`tokens.issue_provider_token` (RS256, login realm key).
Refresh tokens are HS512 JWTs signed with a realm secret, as Keycloak's are, so the portal's
RS256 check never mistakes one for an access token. A refresh answers a new pair; the older
refresh token stays usable until it expires, because Keycloak's realm default "Revoke Refresh
Token" is off (no single-use rotation, so no reuse detection either; ``docs/sandbox-quirks.md``).
Logout ends the session: every refresh token of it then answers ``Session not active``.
State lives in SQLite; the ``used`` column marks tokens of an ended session.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt
from starlette.responses import JSONResponse

from . import tokens
from .context import SandboxContext
from .oauth import oauth_error, token_json

REFRESH_LIFETIME = 1800  # seconds of idle time a session survives (Keycloak's SSO idle)
SESSION_MAX = 36000  # a session ends after ten hours whatever the refreshes (SSO max)
REFRESH_ALG = "HS512"

SCHEMA = """
CREATE TABLE IF NOT EXISTS keycloak_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_refresh_tokens (
    jti           TEXT PRIMARY KEY,
    session_state TEXT NOT NULL,
    username      TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    session_start REAL NOT NULL,
    expires_at    REAL NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS login_refresh_by_session ON login_refresh_tokens(session_state);
"""


def _refresh_secret(ctx: SandboxContext) -> str:
    row = ctx.db.query_one("SELECT value FROM keycloak_secrets WHERE name='refresh'")
    if row is not None:
        return str(row["value"])
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO keycloak_secrets(name, value) VALUES ('refresh', ?)",
            (secrets.token_urlsafe(48),),
        )
    row = ctx.db.query_one("SELECT value FROM keycloak_secrets WHERE name='refresh'")
    assert row is not None
    return str(row["value"])


def _new_refresh(
    ctx: SandboxContext,
    conn: Any,
    secret: str,
    username: str,
    client_id: str,
    session: str,
    start: float,
) -> tuple[str, int]:
    issued = time.time()
    expires = min(issued + REFRESH_LIFETIME, start + SESSION_MAX)
    jti = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO login_refresh_tokens(jti, session_state, username, client_id,"
        " session_start, expires_at) VALUES (?,?,?,?,?,?)",
        (jti, session, username, client_id, start, expires),
    )
    claims = {
        "exp": int(expires),
        "iat": int(issued),
        "jti": jti,
        "iss": ctx.login_issuer,
        "aud": ctx.login_issuer,
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-user:{username}")),
        "typ": "Refresh",
        "azp": client_id,
        "session_state": session,
        "scope": "profile email",
        "sid": session,
    }
    token = jwt.encode(claims, secret, algorithm=REFRESH_ALG)
    return token, max(0, int(expires - issued))


def start_session(ctx: SandboxContext, username: str, client_id: str) -> JSONResponse:
    """A fresh login: new session, access token and refresh token."""
    session = str(uuid.uuid4())
    secret = _refresh_secret(ctx)
    with ctx.db.transaction() as conn:
        refresh, refresh_in = _new_refresh(
            ctx, conn, secret, username, client_id, session, time.time()
        )
    access = tokens.issue_provider_token(
        ctx, username, client_id=client_id, session_state=session, extra={"sid": session}
    )
    return token_json(
        access,
        expires_in=tokens.ACCESS_TOKEN_LIFETIME,
        refresh_token=refresh,
        refresh_expires_in=refresh_in,
        session_state=session,
    )


def _bad_refresh(description: str = "Invalid refresh token") -> JSONResponse:
    return oauth_error(400, "invalid_grant", description)


def refresh_grant(ctx: SandboxContext, client_id: str, refresh_token: str) -> JSONResponse:
    """``grant_type=refresh_token``: check the token and its session, answer a new pair."""
    if not refresh_token:
        return oauth_error(400, "invalid_request", "Missing form parameter: refresh_token")
    secret = _refresh_secret(ctx)
    try:
        claims = jwt.decode(
            refresh_token,
            secret,
            algorithms=[REFRESH_ALG],
            options={"verify_exp": False, "verify_aud": False},
        )
    except jwt.InvalidTokenError:
        return _bad_refresh()
    if claims.get("typ") != "Refresh" or not isinstance(claims.get("jti"), str):
        return _bad_refresh()
    now = time.time()
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM login_refresh_tokens WHERE jti=?", (claims["jti"],)
        ).fetchone()
        if row is None:
            return _bad_refresh()
        if row["used"]:  # the session was logged out
            return _bad_refresh("Session not active")
        if row["client_id"] != client_id:
            return _bad_refresh(
                "Invalid refresh token. Token client and authorized client don't match"
            )
        if row["expires_at"] <= now:
            return _bad_refresh("Token is not active")
        conn.execute("DELETE FROM login_refresh_tokens WHERE expires_at < ?", (now - 86400,))
        new_refresh, refresh_in = _new_refresh(
            ctx,
            conn,
            secret,
            row["username"],
            client_id,
            row["session_state"],
            row["session_start"],
        )
        username, session = row["username"], row["session_state"]
    access = tokens.issue_provider_token(
        ctx, username, client_id=client_id, session_state=session, extra={"sid": session}
    )
    return token_json(
        access,
        expires_in=tokens.ACCESS_TOKEN_LIFETIME,
        refresh_token=new_refresh,
        refresh_expires_in=refresh_in,
        session_state=session,
    )


def end_session(ctx: SandboxContext, refresh_token: str) -> bool:
    """Logout: retire every refresh token of the token's session. False if not recognised."""
    try:
        claims = jwt.decode(
            refresh_token,
            _refresh_secret(ctx),
            algorithms=[REFRESH_ALG],
            options={"verify_exp": False, "verify_aud": False},
        )
    except jwt.InvalidTokenError:
        return False
    session = claims.get("session_state")
    if not isinstance(session, str):
        return False
    with ctx.db.transaction() as conn:
        cur = conn.execute(
            "UPDATE login_refresh_tokens SET used=1 WHERE session_state=?", (session,)
        )
    return cur.rowcount > 0
