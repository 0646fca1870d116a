"""One identity per learner on a class sandbox: a name, claimed by one browser.

:func:`sign_in` is the rule both sign-in pages call (the login realm's device verification
page and the portal pages' Sign in). On a class sandbox (``config.classroom``):

* the room passcode must be right (if the sandbox has one); wrong tries are throttled per
  client (:mod:`throttle`);
* names compare case-insensitively after trimming (:func:`events.fold`);
* the first sign-in claims the name for that browser: the answer carries a long-lived,
  HttpOnly cookie (:data:`COOKIE`) whose hash is stored with the claim (a wizard that
  approves its own login keeps that cookie in its state dir and shows it the same way);
* a later sign-in with a claimed name from a browser without that cookie is refused with a
  message saying what to do; the trainer can release a name on the class board.

The embedded single-user sandbox keeps the simple rule: any valid name, passcode if set.
Nothing else in the sandbox relies on names being secret: a name only picks whose gateways
a login's tokens may manage.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from ..context import SandboxContext
from . import throttle
from .events import fold

SCHEMA = """
CREATE TABLE IF NOT EXISTS class_names (
    learner      TEXT PRIMARY KEY,  -- folded name
    name         TEXT NOT NULL,     -- as first written
    browser_hash TEXT NOT NULL,
    claimed_at   REAL NOT NULL
);
"""

COOKIE = "aps_learner"
COOKIE_MAX_AGE = 30 * 24 * 3600
# Names become the token's preferred_username and the default gateway display name
# "<name>'s Gateway", which must pass the portal's rule (at most 30 characters).
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,19}$")
NAME_RULE = "2 to 20 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
WRONG = "The code or the class passcode is not right. Check the code your terminal shows and ask your trainer for the passcode."


@dataclass(frozen=True)
class SignIn:
    ok: bool
    name: str = ""  # the name signed in as (the claimed spelling)
    status: int = 200
    message: str = ""
    retry_after: int = 0
    new_cookie: str | None = None  # set this cookie on the answer (first claim)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def passcode_ok(ctx: SandboxContext, given: str | None) -> bool:
    expected = ctx.config.passcode
    if expected is None:
        return True
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def client_wait(ctx: SandboxContext, client: str) -> int:
    """Seconds a client must wait before another sign-in try (0 outside class mode)."""
    if not ctx.config.classroom:
        return 0
    return throttle.blocked(ctx, f"client:{client}")


def too_many(wait: int) -> SignIn:
    return SignIn(
        False,
        status=429,
        message=f"Too many wrong tries from this browser. Wait {wait} seconds, then try again.",
        retry_after=wait,
    )


def wrong_try(ctx: SandboxContext, client: str) -> SignIn:
    """A wrong passcode (or, on the device page, a wrong code): one answer for both."""
    if ctx.config.classroom:
        wait = throttle.failed(ctx, f"client:{client}")
        if wait:
            return too_many(wait)
    return SignIn(False, status=403, message=WRONG)


def sign_in(
    ctx: SandboxContext,
    name: str,
    passcode: str | None,
    browser: str | None,
    client: str,
    *,
    check_passcode: bool = True,
) -> SignIn:
    """Apply the sign-in rule; ``browser`` is the request's :data:`COOKIE` value (or None),
    ``client`` its address. ``check_passcode=False`` when the caller checked it already."""
    name = name.strip()
    wait = client_wait(ctx, client)
    if wait:
        return too_many(wait)
    if not NAME.match(name):
        return SignIn(False, status=400, message=f"Enter a username of {NAME_RULE}.")
    if check_passcode and not passcode_ok(ctx, passcode):
        return wrong_try(ctx, client)
    if not ctx.config.classroom:
        return SignIn(True, name=name)
    throttle.succeeded(ctx, f"client:{client}")
    key = fold(name)
    new_cookie = None
    with ctx.db.transaction() as conn:
        row = conn.execute("SELECT * FROM class_names WHERE learner=?", (key,)).fetchone()
        if row is None:
            token = browser if browser and len(browser) >= 32 else secrets.token_urlsafe(32)
            if token != browser:
                new_cookie = token
            conn.execute(
                "INSERT INTO class_names(learner, name, browser_hash, claimed_at) VALUES (?,?,?,?)",
                (key, name, _hash(token), time.time()),
            )
            return SignIn(True, name=name, new_cookie=new_cookie)
    if browser and hmac.compare_digest(_hash(browser), str(row["browser_hash"])):
        return SignIn(True, name=str(row["name"]))
    return SignIn(
        False,
        status=409,
        message=(
            f"The name “{row['name']}” is already taken by another browser or wizard. "
            "Pick another name, or, if it is yours and you changed browser or computer, ask "
            "your trainer to release it on the class board."
        ),
    )


def release(ctx: SandboxContext, name: str) -> bool:
    """The trainer frees a name: the next browser to sign in with it claims it."""
    with ctx.db.transaction() as conn:
        cur = conn.execute("DELETE FROM class_names WHERE learner=?", (fold(name),))
    return cur.rowcount > 0


def claimed(ctx: SandboxContext) -> dict[str, str]:
    """Folded name -> claimed spelling, for every claimed name."""
    return {r["learner"]: r["name"] for r in ctx.db.query("SELECT learner, name FROM class_names")}


def cookie_options() -> dict[str, Any]:
    return {"max_age": COOKIE_MAX_AGE, "httponly": True, "samesite": "lax", "path": "/"}
