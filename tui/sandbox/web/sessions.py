"""Browser sessions of the sandbox portal: an opaque HttpOnly cookie, a CSRF token per session.

The cookie holds a random token; the table keeps only its SHA-256, the username, the active
gateway (the real portal's ``user.namespace``) and the session's CSRF token. Every form carries
the CSRF token and every POST is also refused when its ``Origin`` is another site.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..context import SandboxContext

COOKIE = "aps_portal_session"
LOGIN_COOKIE = "aps_portal_login"  # double-submit token for the sign-in form (no session yet)
LIFETIME = 10 * 3600  # seconds, as the login realm's longest session

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash     TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    csrf           TEXT NOT NULL,
    active_gateway TEXT,
    expires_at     REAL NOT NULL
);
"""


@dataclass(frozen=True)
class WebSession:
    token_hash: str
    username: str
    csrf: str
    active_gateway: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def current(ctx: SandboxContext, request: Request) -> WebSession | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    row = ctx.db.query_one(
        "SELECT * FROM web_sessions WHERE token_hash=? AND expires_at > ?",
        (_hash(token), time.time()),
    )
    if row is None:
        return None
    return WebSession(row["token_hash"], row["username"], row["csrf"], row["active_gateway"])


def start(ctx: SandboxContext, response: Response, username: str, *, secure: bool) -> None:
    token = secrets.token_urlsafe(32)
    now = time.time()
    with ctx.db.transaction() as conn:
        conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now,))
        conn.execute(
            "INSERT INTO web_sessions(token_hash, username, csrf, active_gateway, expires_at) "
            "VALUES (?,?,?,?,?)",
            (_hash(token), username, secrets.token_urlsafe(24), None, now + LIFETIME),
        )
    set_cookie(response, COOKIE, token, secure=secure, max_age=LIFETIME)
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end(ctx: SandboxContext, request: Request, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        with ctx.db.transaction() as conn:
            conn.execute("DELETE FROM web_sessions WHERE token_hash=?", (_hash(token),))
    response.delete_cookie(COOKIE, path="/")


def switch(ctx: SandboxContext, session: WebSession, gateway_id: str | None) -> None:
    with ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE web_sessions SET active_gateway=? WHERE token_hash=?",
            (gateway_id, session.token_hash),
        )


def set_cookie(
    response: Response, name: str, value: str, *, secure: bool, max_age: int | None = None
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure
    )


def login_token(request: Request) -> str:
    """The sign-in form's token: the one already in the browser, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def same_origin(request: Request) -> bool:
    """False when the browser says the POST comes from another site."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site POST (those always carry Origin)
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def token_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
