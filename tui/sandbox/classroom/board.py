"""The trainer's class board on the portal port: ``/class``, ``/class.json`` and actions.

Every route needs the trainer key (:func:`trainer_key`): given once as ``?key=`` it is
swapped for an HttpOnly, SameSite=Strict cookie and the browser is sent to the same page
without the key in its address. Without it: 401; with a wrong one: 403; neither says
anything about the class.

* ``GET /class`` — the board (updates itself every second from ``/class.json``);
* ``GET /class.json`` — ``{"steps": [...], "learners": [{"name", "step", "since", "stuck",
  "last_error"}, ...], ...}``;
* ``GET /class/report.csv`` — name, step reached, time per step, error count;
* ``POST /class/release`` — free a learner's name;
* ``GET /class/cleanup?name=`` asks, ``POST /class/cleanup`` (``confirm=yes``) removes a
  learner's leftover gateways and consumers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..context import SandboxContext, context_of
from ..oauth import read_form
from . import board_page, events, identity, roster, throttle

SCHEMA = "\n".join((events.SCHEMA, identity.SCHEMA, throttle.SCHEMA))
KEY_FILE = "trainer.key"
COOKIE = "aps_trainer"


def trainer_key(ctx: SandboxContext) -> str:
    """``--trainer-key``, else a random key made once per data dir (file mode 0600)."""
    if ctx.config.trainer_key:
        return ctx.config.trainer_key
    path = Path(ctx.config.data_dir) / KEY_FILE
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def trainer_link(ctx: SandboxContext) -> str:
    return f"{ctx.portal_url}/class?key={quote(trainer_key(ctx))}"


def _cookie_value(key: str) -> str:
    return hmac.new(key.encode(), b"aps-class-board", hashlib.sha256).hexdigest()


def _refusal(status: int) -> Response:
    text = "Trainer key required." if status == 401 else "Not allowed."
    return PlainTextResponse(text, status_code=status, headers=board_page.HEADERS)


def _check(ctx: SandboxContext, request: Request) -> Response | None:
    """None when the trainer is recognised; else the refusal (or the key-to-cookie swap)."""
    key = trainer_key(ctx)
    given = request.query_params.get("key")
    if given is not None:
        if not hmac.compare_digest(given.encode(), key.encode()):
            return _refusal(403)
        response = RedirectResponse(request.url.path, status_code=303)
        response.set_cookie(
            COOKIE,
            _cookie_value(key),
            httponly=True,
            samesite="strict",
            path="/",
            max_age=12 * 3600,
        )
        return response
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        return _refusal(401)
    if not hmac.compare_digest(cookie.encode(), _cookie_value(key).encode()):
        return _refusal(403)
    return None


View = Callable[[Request, SandboxContext], Awaitable[Response]]


def trainer_only(view: View) -> Callable[[Request], Awaitable[Response]]:
    """The view for the trainer; anyone else gets the refusal (or the key-to-cookie swap)."""

    @functools.wraps(view)
    async def wrapped(request: Request) -> Response:
        ctx = context_of(request)
        refusal = _check(ctx, request)
        return refusal if refusal is not None else await view(request, ctx)

    return wrapped


@trainer_only
async def page(request: Request, ctx: SandboxContext) -> Response:
    notice = request.query_params.get("notice", "")
    return board_page.board(roster.snapshot(ctx, time.time()), notice)


@trainer_only
async def data(request: Request, ctx: SandboxContext) -> Response:
    return JSONResponse(roster.snapshot(ctx, time.time()), headers=board_page.HEADERS)


@trainer_only
async def script(request: Request, ctx: SandboxContext) -> Response:
    return Response(board_page.SCRIPT, media_type="text/javascript", headers=board_page.HEADERS)


@trainer_only
async def report(request: Request, ctx: SandboxContext) -> Response:
    stamp = time.strftime("%Y%m%d-%H%M")
    return Response(
        roster.report_csv(ctx, time.time()),
        media_type="text/csv",
        headers={
            **board_page.HEADERS,
            "Content-Disposition": f'attachment; filename="class-report-{stamp}.csv"',
        },
    )


def _back(notice: str) -> Response:
    return RedirectResponse(f"/class?notice={quote(notice)}", status_code=303)


@trainer_only
async def release(request: Request, ctx: SandboxContext) -> Response:
    name = (await read_form(request)).get("name", "")
    if identity.release(ctx, name):
        return _back(f"Released the name {name.strip()}: the next sign-in with it claims it.")
    return _back(f"The name {name.strip()} was not claimed.")


@trainer_only
async def cleanup_ask(request: Request, ctx: SandboxContext) -> Response:
    name = request.query_params.get("name", "")
    return board_page.confirm_cleanup(name, roster.leftovers(ctx, name))


@trainer_only
async def cleanup_do(request: Request, ctx: SandboxContext) -> Response:
    form = await read_form(request)
    name = form.get("name", "")
    if form.get("confirm") != "yes":
        return _back("Nothing was removed.")
    gone = roster.clean_up(ctx, name)
    return _back(
        f"Removed {len(gone['gateways'])} gateway(s) and {len(gone['consumers'])} "
        f"consumer(s) of {name.strip()}."
    )


# At the root of the portal origin, beside the portal's pages (mounted in ``app.py``).
ROUTES: list[BaseRoute] = [
    Route("/class", page, methods=["GET"]),
    Route("/class.json", data, methods=["GET"]),
    Route("/class/board.js", script, methods=["GET"]),
    Route("/class/report.csv", report, methods=["GET"]),
    Route("/class/release", release, methods=["POST"]),
    Route("/class/cleanup", cleanup_ask, methods=["GET"]),
    Route("/class/cleanup", cleanup_do, methods=["POST"]),
]
