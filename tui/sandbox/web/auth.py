"""Who may sign in to the portal pages: the login realm's identity rules, in one place.

The pages sign learners in with the same rules as the wizard's device login on the realm's
verification page (:mod:`tui.sandbox.verification_page`): the same username rule, and on a
class sandbox the same passcode. :func:`check_sign_in` is the single function the sign-in page
calls, so a stricter identity rule (a name claimed per browser, a room passcode) goes here.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..classroom import identity
from ..context import SandboxContext


@dataclass(frozen=True)
class SignInRefusal:
    field: str  # the form field the message belongs beside
    message: str
    status: int


def passcode_required(ctx: SandboxContext) -> bool:
    return ctx.config.passcode is not None


def check_sign_in(
    ctx: SandboxContext, username: str, passcode: str, request: Request | None = None
) -> SignInRefusal | None:
    """None when ``username`` may sign in, else what to show beside which field.

    The rule is :func:`classroom.identity.sign_in` (shared with the device login): on a class
    sandbox a name is claimed by the first browser and refused from others. On success the
    claimed spelling and a new claim cookie are left on ``request.state`` for
    :func:`signed_in_name` and :func:`keep_claim`.
    """
    browser = request.cookies.get(identity.COOKIE) if request is not None else None
    client = request.client.host if request is not None and request.client else "unknown"
    result = identity.sign_in(ctx, username, passcode, browser, client)
    if result.ok:
        if request is not None:
            request.state.sign_in = result
        return None
    if result.status == 400:
        return SignInRefusal("username", result.message, 400)
    if result.status == 403:
        return SignInRefusal(
            "passcode", "The class passcode is not right. Ask your trainer for it.", 403
        )
    if result.status == 429:
        return SignInRefusal("passcode", result.message, 429)
    return SignInRefusal("username", result.message, result.status)


def signed_in_name(request: Request, typed: str) -> str:
    """The name to sign in as: the claimed spelling (names compare case-insensitively)."""
    result = getattr(request.state, "sign_in", None)
    return result.name if result is not None else typed


def keep_claim(request: Request, response: Response) -> None:
    """Give the browser that just claimed a name the cookie that proves it."""
    result = getattr(request.state, "sign_in", None)
    if result is not None and result.new_cookie:
        response.set_cookie(identity.COOKIE, result.new_cookie, **identity.cookie_options())
