"""Sign in and sign out: ``/login``, ``/admin/signout`` and the "Logged out" page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..context import SandboxContext, context_of
from ..oauth import read_form
from ..verification_page import USERNAME_RULE
from . import auth, sessions
from .guard import check_post
from .render import PageRefusal, page, redirect

HEADINGS = {"provider": "Login for API Providers", "developer": "Login for Developers"}
LANDING = {"provider": "/manager/gateways", "developer": "/devportal/api-directory"}


def _safe_return(path: str, identity: str) -> str:
    """Only paths on this site: ``/x``, never ``//host`` or a full URL."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return LANDING.get(identity, LANDING["provider"])


def _form_page(
    ctx: SandboxContext,
    request: Request,
    *,
    identity: str,
    return_to: str,
    username: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    token = sessions.login_token(request)
    response = page(
        ctx,
        request,
        "login.html",
        status=status,
        title=HEADINGS.get(identity, HEADINGS["provider"]),
        identity=identity,
        return_to=return_to,
        username=username,
        errors=errors or {},
        login_token=token,
        passcode_required=auth.passcode_required(ctx),
        username_rule=USERNAME_RULE,
    )
    sessions.set_cookie(
        response, sessions.LOGIN_COOKIE, token, secure=request.url.scheme == "https"
    )
    return response


async def login(request: Request) -> Response:
    ctx = context_of(request)
    identity = request.query_params.get("identity", "provider")
    identity = identity if identity in HEADINGS else "provider"
    return_to = _safe_return(request.query_params.get("f", ""), identity)
    if sessions.current(ctx, request) is not None:
        return redirect(return_to)
    return _form_page(ctx, request, identity=identity, return_to=return_to)


async def login_post(request: Request) -> Response:
    ctx = context_of(request)
    form = await read_form(request)
    identity = form.get("identity", "provider")
    identity = identity if identity in HEADINGS else "provider"
    return_to = _safe_return(form.get("f", ""), identity)
    username = form.get("username", "").strip()
    cookie = request.cookies.get(sessions.LOGIN_COOKIE, "")
    if not sessions.same_origin(request) or not (
        cookie and sessions.token_matches(cookie, form.get("login_token"))
    ):
        raise PageRefusal(
            403,
            "Form refused",
            "This sign-in form did not come from this portal's own page. Open the "
            "Login page again and sign in from there.",
        )
    refusal = auth.check_sign_in(ctx, username, form.get("passcode", ""), request)
    if refusal is not None:
        return _form_page(
            ctx,
            request,
            identity=identity,
            return_to=return_to,
            username=username,
            errors={refusal.field: refusal.message},
            status=refusal.status,
        )
    username = auth.signed_in_name(request, username)
    response = redirect(return_to)
    auth.keep_claim(request, response)
    sessions.start(ctx, response, username, secure=request.url.scheme == "https")
    return response


async def signout(request: Request) -> Response:
    ctx = context_of(request)
    form = await read_form(request)
    session = sessions.current(ctx, request)
    response = redirect("/signout")
    if session is not None:
        check_post(session, request, form)
        sessions.end(ctx, request, response)
    return response


async def signed_out(request: Request) -> Response:
    return page(context_of(request), request, "signout.html", title="Logged out")


ROUTES: list[BaseRoute] = [
    Route("/login", login, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/admin/signout", signout, methods=["POST"]),
    Route("/signout", signed_out, methods=["GET"]),
]
