"""The login realm's device verification page, ``{issuer}/device``: the sandbox's stand-in
for "sign in with IDIR".

``GET`` shows a form (user code, username, and a passcode when the server was started with
one; ``?user_code=`` pre-fills the code). ``POST`` with ``user_code`` and ``username`` (plus
``passcode``) approves the device; ``action=deny`` denies it. Answers: 200 done, 400 for a
bad or stale code or a bad username, 403 for a wrong passcode — always a readable page.
Every value echoed back is HTML-escaped.
"""

from __future__ import annotations

import time
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from . import device_flow
from .classroom import events, identity, throttle
from .classroom.identity import SignIn
from .context import SandboxContext
from .oauth import read_form

USERNAME = identity.NAME
USERNAME_RULE = identity.NAME_RULE

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
        "locked": "That code was locked after too many wrong tries. Start the login again in "
        "your terminal to get a new code.",
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


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttled(ctx: SandboxContext, wait: int) -> HTMLResponse:
    response = _page(
        "Too many tries",
        f'<p class="msg error" role="alert">{escape(identity.too_many(wait).message)}</p>',
        429,
    )
    response.headers["Retry-After"] = str(wait)
    return response


def _wrong(ctx: SandboxContext, request: Request, code: str, known: bool) -> SignIn:
    """A wrong passcode or code: the same answer for both; a known code that keeps getting
    wrong passcodes is locked."""
    if known and ctx.config.classroom and throttle.failed(ctx, f"code:{code}"):
        device_flow.lock(ctx, code)
    return identity.wrong_try(ctx, _client(request))


async def submit(request: Request, ctx: SandboxContext) -> HTMLResponse:
    form = await read_form(request)
    user_code = form.get("user_code", "").strip()
    username = form.get("username", "").strip()
    approve = form.get("action", "approve") != "deny"
    client = _client(request)

    def again(message: str, status: int) -> HTMLResponse:
        return _form(ctx, user_code=user_code, username=username, message=message, status=status)

    def refused(result: SignIn) -> HTMLResponse:
        if result.status == 429:
            return _throttled(ctx, result.retry_after)
        return again(result.message, result.status)

    wait = identity.client_wait(ctx, client)
    if wait:
        return _throttled(ctx, wait)
    if not user_code:
        return again("Enter the code shown in your terminal.", 400)
    if approve and not identity.NAME.match(username):
        return again(f"Enter a username of {USERNAME_RULE}.", 400)
    code = device_flow.normalise_user_code(user_code)
    row = device_flow.lookup(ctx, code)
    if not identity.passcode_ok(ctx, form.get("passcode")):
        return refused(_wrong(ctx, request, code, row is not None))
    if row is None and ctx.config.classroom:
        result = identity.wrong_try(ctx, client)
        if result.status == 429:
            return refused(result)
        if ctx.config.passcode is not None:
            return refused(result)
    signed: SignIn | None = None
    if approve and row is not None and row["status"] == "pending":
        signed = identity.sign_in(
            ctx, username, None, request.cookies.get(identity.COOKIE), client, check_passcode=False
        )
        if not signed.ok:
            return refused(signed)
        username = signed.name
    decision = device_flow.decide(ctx, user_code, username, approve)
    if decision == "approved":
        events.record(ctx, username, "login", "device approved")
        response = _page(
            "Device approved",
            f'<p class="msg ok" role="status">You are signed in as <strong>{escape(username)}'
            "</strong>. Return to your terminal: it will finish the login by itself.</p>",
            200,
        )
        if signed is not None and signed.new_cookie:
            response.set_cookie(identity.COOKIE, signed.new_cookie, **identity.cookie_options())
        return response
    if decision == "denied":
        return _page(
            "Login denied",
            '<p class="msg ok" role="status">The login request was denied. Your terminal will '
            "report that access was denied.</p>",
            200,
        )
    return again(_stale_message(decision), 400)
