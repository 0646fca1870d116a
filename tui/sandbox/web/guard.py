"""Who may see and post what: sign-in, same-origin + CSRF on posts, gateway membership."""

from __future__ import annotations

from starlette.requests import Request

from ..context import SandboxContext
from ..portal_errors import ACCESS_MANAGE, NAMESPACE_MANAGE
from . import sessions
from .render import PageRefusal, SignInNeeded, forbidden

MANAGE_CONSUMERS = (NAMESPACE_MANAGE, ACCESS_MANAGE)


def signed_in(ctx: SandboxContext, request: Request) -> sessions.WebSession:
    session = sessions.current(ctx, request)
    if session is None:
        target = request.url.path
        if request.url.query and request.method == "GET":
            target += "?" + request.url.query
        raise SignInNeeded(target if request.method == "GET" else "/manager/gateways")
    return session


def scopes(ctx: SandboxContext, username: str, gateway_id: str) -> set[str]:
    rows = ctx.db.query(
        "SELECT scope FROM permissions WHERE gateway_id=? AND username=?", (gateway_id, username)
    )
    return {r["scope"] for r in rows}


def require_member(ctx: SandboxContext, username: str, gateway_id: str | None, *any_of: str) -> str:
    """The gateway id when ``username`` holds one of ``any_of`` on it (any scope if none)."""
    if not gateway_id:
        raise forbidden()
    held = scopes(ctx, username, gateway_id)
    if not held or (any_of and not held.intersection(any_of)):
        raise forbidden(gateway_id)
    return gateway_id


def check_post(session: sessions.WebSession, request: Request, form: dict[str, str]) -> None:
    """Refuse a cross-site post: another Origin, or a missing or wrong CSRF token."""
    if not sessions.same_origin(request) or not sessions.token_matches(
        session.csrf, form.get("csrf_token")
    ):
        raise PageRefusal(
            403,
            "Form refused",
            "This form did not come from this portal's own page (its security token is "
            "missing or out of date). Go back, reload the page and submit it again.",
        )
