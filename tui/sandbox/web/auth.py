"""Who may sign in to the portal pages: the login realm's identity rules, in one place.

The pages sign learners in with the same rules as the wizard's device login on the realm's
verification page (:mod:`tui.sandbox.verification_page`): the same username rule, and on a
class sandbox the same passcode. :func:`check_sign_in` is the single function the sign-in page
calls, so a stricter identity rule (a name claimed per browser, a room passcode) goes here.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ..context import SandboxContext
from ..verification_page import USERNAME, USERNAME_RULE


@dataclass(frozen=True)
class SignInRefusal:
    field: str  # the form field the message belongs beside
    message: str
    status: int


def passcode_required(ctx: SandboxContext) -> bool:
    return ctx.config.passcode is not None


def check_sign_in(ctx: SandboxContext, username: str, passcode: str) -> SignInRefusal | None:
    """None when ``username`` may sign in, else what to show beside which field."""
    if not USERNAME.match(username):
        return SignInRefusal("username", f"Enter a username of {USERNAME_RULE}.", 400)
    expected = ctx.config.passcode
    if expected is not None and not hmac.compare_digest(
        passcode.encode("utf-8"), expected.encode("utf-8")
    ):
        return SignInRefusal(
            "passcode", "The class passcode is not right. Ask your trainer for it.", 403
        )
    return None
