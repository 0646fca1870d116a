"""The provider's pages: My Gateways, the gateway page, Products, Consumers, access requests.

As on the real portal these act on the session's **active gateway** (set by choosing a row
on My Gateways, ``POST /admin/switch/{gw}``). Every form also names its gateway, and the
server checks the poster's membership of that gateway, so a form posted directly by someone
outside it gets the same 403 page as a visit.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import catalog
from ..context import SandboxContext, context_of
from ..gateways import list_gateways
from ..oauth import read_form
from ..portal_errors import ACCESS_MANAGE, NAMESPACE_MANAGE
from . import sessions, store
from .guard import MANAGE_CONSUMERS, check_post, require_member, scopes, signed_in
from .render import PageRefusal, page, redirect


def ago(when: float) -> str:
    seconds = max(0, int(time.time() - when))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "a few seconds ago"


def _gateway(ctx: SandboxContext, gateway_id: str) -> dict:
    row = ctx.db.query_one("SELECT * FROM gateways WHERE gateway_id=?", (gateway_id,))
    if row is None:
        raise PageRefusal(404, "Gateway not found", f"Gateway {gateway_id} no longer exists.")
    return dict(row)


def _active(ctx: SandboxContext, request: Request, *any_of: str):
    """(session, gateway) for a page of the active gateway; no active gateway → My Gateways."""
    session = signed_in(ctx, request)
    if not session.active_gateway:
        raise _NoActiveGateway
    require_member(ctx, session.username, session.active_gateway, *any_of)
    return session, _gateway(ctx, session.active_gateway)


class _NoActiveGateway(Exception):
    pass


Page = Callable[[Request, SandboxContext, sessions.WebSession, dict], Awaitable[Response]]


def active_page(*any_of: str) -> Callable[[Page], Callable[[Request], Awaitable[Response]]]:
    """A page of the session's active gateway, for members holding one of ``any_of`` (any
    scope if none); with no active gateway, My Gateways instead."""

    def wrap(func: Page) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(func)
        async def wrapped(request: Request) -> Response:
            ctx = context_of(request)
            try:
                session, gateway = _active(ctx, request, *any_of)
            except _NoActiveGateway:
                return redirect("/manager/gateways/list")
            return await func(request, ctx, session, gateway)

        return wrapped

    return wrap


async def gateways_index(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    mine = list_gateways(ctx, session.username)
    return redirect("/manager/gateways/list" if mine else "/manager/gateways/get-started")


async def gateways_list(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    mine = list_gateways(ctx, session.username)
    return page(
        ctx, request, "gateways_list.html", session=session, title="My Gateways", gateways=mine
    )


async def get_started(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    return page(ctx, request, "get_started.html", session=session, title="My Gateways")


async def switch(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    form = await read_form(request)
    check_post(session, request, form)
    gateway_id = require_member(ctx, session.username, request.path_params["gw"])
    sessions.switch(ctx, session, gateway_id)
    return redirect("/manager/gateways/detail")


@active_page()
async def detail(request: Request, ctx: SandboxContext, session, gateway) -> Response:
    held = scopes(ctx, session.username, gateway["gateway_id"])
    return page(
        ctx,
        request,
        "gateway_detail.html",
        session=session,
        title=gateway["display_name"],
        gateway=gateway,
        can_manage=NAMESPACE_MANAGE in held,
        can_consumers=bool(held.intersection(MANAGE_CONSUMERS)),
    )


@active_page(NAMESPACE_MANAGE)
async def products(request: Request, ctx: SandboxContext, session, gateway) -> Response:
    return page(
        ctx,
        request,
        "products.html",
        session=session,
        title="Products",
        gateway=gateway,
        products=catalog.products(ctx, gateway["gateway_id"]),
    )


def _consumers_page(ctx, request, session, gateway, *, status=200, notice="", error=""):
    gw = gateway["gateway_id"]
    rows = store.consumer_rows(ctx, gw)
    for row in rows:
        row["updated"] = ago(row["created_at"])
    return page(
        ctx,
        request,
        "consumers.html",
        status=status,
        session=session,
        title="Consumers",
        gateway=gateway,
        consumers=rows,
        requests=[dict(r, ago=ago(r["created_at"])) for r in store.pending(ctx, gw)],
        notice=notice,
        error=error,
    )


@active_page(*MANAGE_CONSUMERS)
async def consumers(request: Request, ctx: SandboxContext, session, gateway) -> Response:
    notices = {
        "deleted": "Consumer deleted",
        "approved": "Access request approved",
        "rejected": "Access request rejected",
    }
    notice = notices.get(request.query_params.get("done", ""), "")
    return _consumers_page(ctx, request, session, gateway, notice=notice)


async def delete_consumer(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    form = await read_form(request)
    check_post(session, request, form)
    gw = require_member(ctx, session.username, form.get("gateway"), *MANAGE_CONSUMERS)
    try:
        store.delete_consumer(ctx, gw, form.get("client_id", ""))
    except store.FormRefusal as refusal:
        return _consumers_page(
            ctx,
            request,
            session,
            _gateway(ctx, gw),
            status=400,
            error=f"Consumer delete failed: {refusal.message}",
        )
    return redirect("/manager/consumers?done=deleted")


def _pending_request(ctx: SandboxContext, gw: str, request_id: str) -> dict:
    req = store.request_row(ctx, request_id)
    if req is None or req["gateway_id"] != gw:
        raise PageRefusal(
            404, "Access request not found", "This gateway has no such access request."
        )
    return req


@active_page(ACCESS_MANAGE)
async def review(request: Request, ctx: SandboxContext, session, gateway) -> Response:
    req = _pending_request(ctx, gateway["gateway_id"], request.path_params["id"])
    return page(
        ctx,
        request,
        "review.html",
        session=session,
        title=req["product_name"],
        gateway=gateway,
        req=req,
        ago=ago(req["created_at"]),
    )


async def decide(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    form = await read_form(request)
    check_post(session, request, form)
    gw = require_member(ctx, session.username, form.get("gateway"), ACCESS_MANAGE)
    req = _pending_request(ctx, gw, request.path_params["id"])
    action = form.get("action")
    if action not in ("approve", "reject"):
        raise PageRefusal(400, "Choose a decision", "Press Approve or Reject.")
    try:
        state = store.decide(ctx, req["id"], gw, approve=action == "approve")
    except store.FormRefusal as refusal:
        raise PageRefusal(409, "Nothing to decide", refusal.message) from None
    return redirect(f"/manager/consumers?done={state}")


ROUTES: list[BaseRoute] = [
    Route("/manager/gateways", gateways_index, methods=["GET"]),
    Route("/manager/gateways/list", gateways_list, methods=["GET"]),
    Route("/manager/gateways/get-started", get_started, methods=["GET"]),
    Route("/admin/switch/{gw}", switch, methods=["POST"]),
    Route("/manager/gateways/detail", detail, methods=["GET"]),
    Route("/manager/products", products, methods=["GET"]),
    Route("/manager/consumers", consumers, methods=["GET"]),
    Route("/manager/consumers/delete", delete_consumer, methods=["POST"]),
    Route("/manager/access-requests/{id}", review, methods=["GET"]),
    Route("/manager/access-requests/{id}", decide, methods=["POST"]),
]
