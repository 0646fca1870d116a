"""OAuth 2.0 device authorization grant (RFC 8628) with PKCE, as the login realm runs it.

``gwa login`` (docs/contract.md#s4.3) posts ``client_id=gwa-cli`` plus ``code_challenge`` and
``code_challenge_method=S256`` to the device endpoint, shows the user code, then polls the
token endpoint with the device code and the PKCE verifier. The learner approves the code on
the realm's verification page (:mod:`verification_page`). Everything is kept in SQLite.

Lifetimes are module constants so tests can shorten them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse

from . import login_grants
from .classroom import throttle
from .context import LOGIN_CLIENT_ID, SandboxContext
from .oauth import NO_STORE, invalid_client, oauth_error, read_form

DEVICE_CODE_LIFETIME = 600  # seconds (Keycloak's default)
POLL_INTERVAL = 5  # seconds between polls; faster answers slow_down
# A client sleeping exactly ``interval`` may arrive a hair early (network jitter): not "too fast".
SLOW_DOWN_LEEWAY = 0.25
# Keycloak's user codes: eight letters without vowels (no accidental words), as XXXX-XXXX.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS device_codes (
    device_code    TEXT PRIMARY KEY,
    user_code      TEXT NOT NULL UNIQUE,
    client_id      TEXT NOT NULL,
    code_challenge TEXT,
    created_at     REAL NOT NULL,
    expires_at     REAL NOT NULL,
    poll_interval  REAL NOT NULL,
    last_poll      REAL,
    status         TEXT NOT NULL DEFAULT 'pending',  -- pending|approved|denied|used|locked
    username       TEXT
);
"""

Decision = Literal["approved", "denied", "unknown", "expired", "used", "locked"]
# On a class sandbox, device-code requests per client address and minute (unauthenticated).
REQUESTS_PER_MINUTE = 30


def normalise_user_code(text: str) -> str:
    """``abcd efgh``, ``ABCDEFGH`` and ``ABCD-EFGH`` all name the same code.

    Text of another length than eight letters names no code, whatever it is turned into.
    """
    letters = re.sub(r"[^A-Za-z]", "", text).upper()
    return f"{letters[:4]}-{letters[4:]}"


def _new_user_code() -> str:
    letters = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def s256(verifier: str) -> str:
    """RFC 7636's S256 challenge of a verifier (``_VERIFIER``'s characters are all ASCII)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def authorize(request: Request, ctx: SandboxContext) -> JSONResponse:
    """``POST {issuer}/protocol/openid-connect/auth/device``."""
    form = await read_form(request)
    if form.get("client_id") != LOGIN_CLIENT_ID:
        return invalid_client()
    if ctx.config.classroom:
        client = request.client.host if request.client else "unknown"
        wait = throttle.hit(ctx, f"devreq:{client}", REQUESTS_PER_MINUTE, 60.0)
        if wait:
            response = oauth_error(429, "slow_down", "Too many login requests; try again later")
            response.headers["Retry-After"] = str(wait)
            return response
    challenge = form.get("code_challenge")
    method = form.get("code_challenge_method")
    if challenge is None and method:
        return oauth_error(400, "invalid_request", "Missing parameter: code_challenge")
    if challenge is not None:
        if method != "S256":  # no method means plain, which is refused too
            return oauth_error(400, "invalid_request", "Invalid parameter: code_challenge_method")
        if not _CHALLENGE.match(challenge):
            return oauth_error(400, "invalid_request", "Invalid parameter: code_challenge")
    now = time.time()
    device_code = secrets.token_urlsafe()  # 32 random bytes
    lifetime, interval = DEVICE_CODE_LIFETIME, POLL_INTERVAL
    with ctx.db.transaction() as conn:
        conn.execute("DELETE FROM device_codes WHERE expires_at < ?", (now - 86400,))
        for _ in range(20):
            user_code = _new_user_code()
            try:
                conn.execute(
                    "INSERT INTO device_codes(device_code, user_code, client_id, code_challenge,"
                    " created_at, expires_at, poll_interval) VALUES (?,?,?,?,?,?,?)",
                    (
                        device_code,
                        user_code,
                        LOGIN_CLIENT_ID,
                        challenge,
                        now,
                        now + lifetime,
                        interval,
                    ),
                )
                break
            except sqlite3.IntegrityError:
                continue
        else:  # 20 collisions in 20^8 codes: the store is full of live codes
            return oauth_error(503, "temporarily_unavailable", "Too many pending logins")
    verification_uri = f"{ctx.login_issuer}/device"
    return JSONResponse(
        {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": f"{verification_uri}?user_code={user_code}",
            "expires_in": lifetime,
            "interval": interval,
        },
        headers=NO_STORE,
    )


def device_grant(ctx: SandboxContext, form: dict[str, str]) -> JSONResponse:
    """``grant_type=urn:ietf:params:oauth:grant-type:device_code`` at the token endpoint.

    Keycloak's order: unknown code, polling too fast, expired, denied, pending, PKCE.
    """
    device_code = form.get("device_code")
    if not device_code:
        return oauth_error(400, "invalid_request", "Missing parameter: device_code")
    now = time.time()
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT status, last_poll, poll_interval, expires_at, code_challenge, username"
            " FROM device_codes WHERE device_code=?",
            (device_code,),
        ).fetchone()
        if row is None or row[0] == "used":  # row[0]: the status
            return oauth_error(400, "invalid_grant", "Device code not valid")
        status, last, interval, expires_at, challenge, username = row
        if last is not None and now - last < interval - SLOW_DOWN_LEEWAY:
            return oauth_error(400, "slow_down", "Slow down")
        conn.execute("UPDATE device_codes SET last_poll=? WHERE device_code=?", (now, device_code))
        if expires_at <= now:
            return oauth_error(400, "expired_token", "Device code is expired")
        if status in ("denied", "locked"):
            return oauth_error(
                400, "access_denied", "The end user denied the authorization request"
            )
        if status == "pending":
            return oauth_error(
                400, "authorization_pending", "The authorization request is still pending"
            )
        # approved: the code is single use from here, whatever the PKCE outcome
        conn.execute("UPDATE device_codes SET status='used' WHERE device_code=?", (device_code,))
    if challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            return oauth_error(400, "invalid_grant", "PKCE code verifier not specified")
        if not _VERIFIER.match(verifier) or not hmac.compare_digest(s256(verifier), challenge):
            return oauth_error(400, "invalid_grant", "PKCE verification failed")
    return login_grants.start_session(ctx, username, LOGIN_CLIENT_ID)


def lookup(ctx: SandboxContext, user_code: str) -> sqlite3.Row | None:
    return ctx.db.query_one(
        "SELECT * FROM device_codes WHERE user_code=?", (normalise_user_code(user_code),)
    )


def decide(ctx: SandboxContext, user_code: str, username: str, approve: bool) -> Decision:
    """Approve (as ``username``) or deny a pending code from the verification page."""
    code = normalise_user_code(user_code)
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT expires_at, status FROM device_codes WHERE user_code=?", (code,)
        ).fetchone()
        if row is None:
            return "unknown"
        expires_at, current = row
        if expires_at <= time.time():
            return "expired"
        if current == "locked":
            return "locked"
        if current != "pending":
            return "used"
        status: Decision = "approved" if approve else "denied"
        conn.execute(
            "UPDATE device_codes SET status=?, username=? WHERE user_code=?",
            (status, username, code),
        )
    return status


def lock(ctx: SandboxContext, user_code: str) -> None:
    """Too many wrong tries against this code: it can no longer be approved."""
    with ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE device_codes SET status='locked' WHERE user_code=? AND status='pending'",
            (normalise_user_code(user_code),),
        )
