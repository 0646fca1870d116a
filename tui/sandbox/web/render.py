"""Rendering the portal pages: one Jinja2 environment, the page shell, refusals as pages.

Every answer is an HTML page with strict headers (no inline script, no framing, no caching).
Route handlers raise :class:`PageRefusal` for a 403/404/400 page (or :class:`SignInNeeded`);
the pages' mount turns it, and anything unexpected, into a readable page with
:func:`page_handlers`, never a traceback or bare JSON.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..context import SandboxContext, context_of
from ..limits import BodyTooLarge, http_error_response
from . import sessions

log = logging.getLogger("gwa_wizard.sandbox")

STATIC = "/portal-static"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def _environment() -> Any:
    """The one Jinja2 environment, made on first use: the sandbox starts without importing
    Jinja2 (its warm-up thread imports it right after, off the event loop)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("tui.sandbox.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class SignInNeeded(Exception):
    """The page needs a signed-in user: go to the sign-in page, then come back."""

    def __init__(self, return_to: str) -> None:
        super().__init__(return_to)
        self.return_to = return_to


def login_url(return_to: str, identity: str = "provider") -> str:
    return f"/login?identity={identity}&f={quote(return_to, safe='/')}"


class PageRefusal(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(status, title, message)
        self.status = status
        self.title = title
        self.message = message


def forbidden(gateway_id: str | None = None) -> PageRefusal:
    what = f"gateway {gateway_id}" if gateway_id else "this page"
    return PageRefusal(
        403,
        "Not authorized",
        f"You do not have access to {what}. Only the members of a gateway can see it; "
        "ask its owner to grant you access, or pick one of your own gateways.",
    )


def page(
    ctx: SandboxContext,
    request: Request,
    template: str,
    *,
    status: int = 200,
    session: sessions.WebSession | None = None,
    **values: Any,
) -> HTMLResponse:
    session = session if session is not None else sessions.current(ctx, request)
    active = None
    if session and session.active_gateway:
        row = ctx.db.query_one(
            "SELECT gateway_id, display_name FROM gateways WHERE gateway_id=?",
            (session.active_gateway,),
        )
        active = dict(row) if row else None
    html = (
        _environment()
        .get_template(template)
        .render(
            static=STATIC,
            session=session,
            user=session.username if session else None,
            csrf=session.csrf if session else "",
            active_gateway=active,
            path=request.url.path,
            **values,
        )
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def refusal_page(ctx: SandboxContext, request: Request, refusal: PageRefusal) -> HTMLResponse:
    return page(
        ctx,
        request,
        "refusal.html",
        status=refusal.status,
        title=refusal.title,
        message=refusal.message,
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def page_handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    """The exception handlers of the pages' mount: the one place a page's error becomes a page.

    :class:`SignInNeeded` → the sign-in page (then back); :class:`PageRefusal` → its page;
    anything unexpected → a 500 page, logged, never a traceback or bare JSON.
    :class:`BodyTooLarge` passes through to the size cap's middleware (413). A 405 comes from
    routing (a page's path with another method) and answers like any other route on the
    portal origin.
    """

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return redirect(login_url(exc.return_to))

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefusal)
        return refusal_page(context_of(request), request, exc)

    async def too_large(request: Request, exc: Exception) -> Response:
        raise exc

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("portal page error on %s %s", request.method, request.url.path)
        failure = PageRefusal(
            500,
            "Something went wrong",
            "The sandbox could not show this page. Go back and try again; the "
            "sandbox's log has the details.",
        )
        return refusal_page(context_of(request), request, failure)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return http_error_response(exc)
        return await crash(request, exc)  # e.g. a form the parser refused, inside a handler

    return {
        SignInNeeded: sign_in_needed,
        PageRefusal: refused,
        BodyTooLarge: too_large,
        HTTPException: http_error,
        Exception: crash,
    }
