"""The login realm's device verification page, ``{issuer}/device``: the sandbox's stand-in
for "sign in with IDIR".

``GET`` shows a form (user code, username, and a passcode when the server was started with
one; ``?user_code=`` pre-fills the code). ``POST`` with ``user_code`` and ``username`` (plus
``passcode``) approves the device; ``action=deny`` denies it. Answers: 200 done, 400 for a
bad or stale code or a bad username, 403 for a wrong passcode — always a readable page.
Every value echoed back is HTML-escaped.
"""

from __future__ import annotations

import hmac
import re
import time
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from . import device_flow
from .context import SandboxContext
from .oauth import read_form

# Usernames become the token's preferred_username and the default gateway display name
# "<username>'s Gateway", which must pass the portal's rule (at most 30 characters).
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,19}$")
USERNAME_RULE = (
    "2 to 20 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
)

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem;color:#003366}label{display:block;margin-top:1rem;font-weight:600}
input{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{margin-top:1.2rem;margin-right:.6rem;font-size:1rem;padding:.5rem 1.2rem}
.msg{padding:.8rem;border-radius:4px;margin:1rem 0}.error{background:#f8d7da;color:#58151c}
.ok{background:#d1e7dd;color:#0a3622}.hint{color:#555;font-size:.9rem}
"""
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _form(
    ctx: SandboxContext, *, user_code: str, username: str, message: str, status: int
) -> HTMLResponse:
    passcode = ""
    if ctx.config.passcode is not None:
        passcode = (
            '<label for="passcode">Class passcode</label>'
            '<input id="passcode" name="passcode" type="password" autocomplete="off" required>'
            '<p class="hint">Your trainer gave you this passcode.</p>'
        )
    notice = f'<p class="msg error" role="alert">{escape(message)}</p>' if message else ""
    body = (
        "<p>This is the APS sandbox's sign-in page, standing in for the IDIR login of the "
        "real API Services Portal. Enter the code your terminal shows and the username you "
        "want to work as.</p>"
        f"{notice}"
        # relative: the page posts back to itself whatever name the learner reached it by
        '<form method="post" action="device">'
        '<label for="user_code">Code</label>'
        f'<input id="user_code" name="user_code" value="{escape(user_code)}" '
        'placeholder="ABCD-EFGH" autocomplete="off" required>'
        '<label for="username">Username</label>'
        f'<input id="username" name="username" value="{escape(username)}" '
        'autocomplete="username" required>'
        f'<p class="hint">{escape(USERNAME_RULE)}.</p>'
        f"{passcode}"
        '<button type="submit" name="action" value="approve">Sign in and allow</button>'
        '<button type="submit" name="action" value="deny" formnovalidate>Deny</button>'
        "</form>"
    )
    return _page("Sign in to the APS sandbox", body, status)


def _stale_message(decision: str) -> str:
    return {
        "unknown": "That code is not valid. Check the code shown in your terminal and try again.",
        "expired": "That code has expired. Start the login again in your terminal to get a new code.",
        "used": "That code has already been used. Start the login again in your terminal if "
        "you need to sign in again.",
    }[decision]


async def show(request: Request, ctx: SandboxContext) -> HTMLResponse:
    user_code = request.query_params.get("user_code", "")
    message = ""
    if user_code:
        row = device_flow.lookup(ctx, user_code)
        if row is None:
            message = _stale_message("unknown")
        elif row["status"] != "pending":
            message = _stale_message("used")
        elif row["expires_at"] <= time.time():
            message = _stale_message("expired")
    return _form(ctx, user_code=user_code, username="", message=message, status=200)


async def submit(request: Request, ctx: SandboxContext) -> HTMLResponse:
    form = await read_form(request)
    user_code = form.get("user_code", "").strip()
    username = form.get("username", "").strip()
    approve = form.get("action", "approve") != "deny"

    def again(message: str, status: int) -> HTMLResponse:
        return _form(ctx, user_code=user_code, username=username, message=message, status=status)

    if not user_code:
        return again("Enter the code shown in your terminal.", 400)
    if approve and not USERNAME.match(username):
        return again(f"Enter a username of {USERNAME_RULE}.", 400)
    expected = ctx.config.passcode
    given = form.get("passcode", "")
    if expected is not None and not hmac.compare_digest(
        given.encode("utf-8"), expected.encode("utf-8")
    ):
        return again("The class passcode is not right. Ask your trainer for it.", 403)
    decision = device_flow.decide(ctx, user_code, username, approve)
    if decision == "approved":
        return _page(
            "Device approved",
            f'<p class="msg ok" role="status">You are signed in as <strong>{escape(username)}'
            "</strong>. Return to your terminal: it will finish the login by itself.</p>",
            200,
        )
    if decision == "denied":
        return _page(
            "Login denied",
            '<p class="msg ok" role="status">The login request was denied. Your terminal will '
            "report that access was denied.</p>",
            200,
        )
    return again(_stale_message(decision), 400)
