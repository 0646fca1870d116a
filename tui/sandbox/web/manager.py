"""The provider's pages: My Gateways, the gateway page, Products, Consumers, access requests.

As on the real portal these act on the session's **active gateway** (set by choosing a row
on My Gateways, ``POST /admin/switch/{gw}``). Every form also names its gateway, and the
server checks the poster's membership of that gateway, so a form posted directly by someone
outside it gets the same 403 page as a visit.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import catalog
from ..context import SandboxContext
from ..gateways import list_gateways
from ..oauth import read_form
from ..portal_errors import ACCESS_MANAGE, NAMESPACE_MANAGE
from . import sessions, store
from .guard import MANAGE_CONSUMERS, check_post, require_member, scopes, signed_in
from .render import PageRefusal, guarded, page, redirect


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


def routes(ctx: SandboxContext) -> list[Route]:
    def active_page(func, *any_of: str):
        async def wrapped(request: Request) -> Response:
            try:
                session, gateway = _active(ctx, request, *any_of)
            except _NoActiveGateway:
                return redirect("/manager/gateways/list")
            return await func(request, session, gateway)

        return guarded(ctx, wrapped)

    async def gateways_index(request: Request) -> Response:
        session = signed_in(ctx, request)
        mine = list_gateways(ctx, session.username)
        return redirect("/manager/gateways/list" if mine else "/manager/gateways/get-started")

    async def gateways_list(request: Request) -> Response:
        session = signed_in(ctx, request)
        mine = list_gateways(ctx, session.username)
        return page(
            ctx, request, "gateways_list.html", session=session, title="My Gateways", gateways=mine
        )

    async def get_started(request: Request) -> Response:
        session = signed_in(ctx, request)
        return page(ctx, request, "get_started.html", session=session, title="My Gateways")

    async def switch(request: Request) -> Response:
        session = signed_in(ctx, request)
        form = await read_form(request)
        check_post(session, request, form)
        gateway_id = require_member(ctx, session.username, request.path_params["gw"])
        sessions.switch(ctx, session, gateway_id)
        return redirect("/manager/gateways/detail")

    async def detail(request: Request, session, gateway) -> Response:
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

    async def products(request: Request, session, gateway) -> Response:
        return page(
            ctx,
            request,
            "products.html",
            session=session,
            title="Products",
            gateway=gateway,
            products=catalog.products(ctx, gateway["gateway_id"]),
        )

    def consumers_page(request, session, gateway, *, status=200, notice="", error=""):
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

    async def consumers(request: Request, session, gateway) -> Response:
        notices = {
            "deleted": "Consumer deleted",
            "approved": "Access request approved",
            "rejected": "Access request rejected",
        }
        return consumers_page(
            request, session, gateway, notice=notices.get(request.query_params.get("done", ""), "")
        )

    async def delete_consumer(request: Request) -> Response:
        session = signed_in(ctx, request)
        form = await read_form(request)
        check_post(session, request, form)
        gw = require_member(ctx, session.username, form.get("gateway"), *MANAGE_CONSUMERS)
        try:
            store.delete_consumer(ctx, gw, form.get("client_id", ""))
        except store.FormRefusal as refusal:
            return consumers_page(
                request,
                session,
                _gateway(ctx, gw),
                status=400,
                error=f"Consumer delete failed: {refusal.message}",
            )
        return redirect("/manager/consumers?done=deleted")

    def _pending_request(gw: str, request_id: str) -> dict:
        req = store.request_row(ctx, request_id)
        if req is None or req["gateway_id"] != gw:
            raise PageRefusal(
                404, "Access request not found", "This gateway has no such access request."
            )
        return req

    async def review(request: Request, session, gateway) -> Response:
        req = _pending_request(gateway["gateway_id"], request.path_params["id"])
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
        session = signed_in(ctx, request)
        form = await read_form(request)
        check_post(session, request, form)
        gw = require_member(ctx, session.username, form.get("gateway"), ACCESS_MANAGE)
        req = _pending_request(gw, request.path_params["id"])
        action = form.get("action")
        if action not in ("approve", "reject"):
            raise PageRefusal(400, "Choose a decision", "Press Approve or Reject.")
        try:
            state = store.decide(ctx, req["id"], gw, approve=action == "approve")
        except store.FormRefusal as refusal:
            raise PageRefusal(409, "Nothing to decide", refusal.message) from None
        return redirect(f"/manager/consumers?done={state}")

    return [
        Route("/manager/gateways", guarded(ctx, gateways_index), methods=["GET"]),
        Route("/manager/gateways/list", guarded(ctx, gateways_list), methods=["GET"]),
        Route("/manager/gateways/get-started", guarded(ctx, get_started), methods=["GET"]),
        Route("/admin/switch/{gw}", guarded(ctx, switch), methods=["POST"]),
        Route("/manager/gateways/detail", active_page(detail), methods=["GET"]),
        Route("/manager/products", active_page(products, NAMESPACE_MANAGE), methods=["GET"]),
        Route("/manager/consumers", active_page(consumers, *MANAGE_CONSUMERS), methods=["GET"]),
        Route("/manager/consumers/delete", guarded(ctx, delete_consumer), methods=["POST"]),
        Route(
            "/manager/access-requests/{id}",
            active_page(review, ACCESS_MANAGE),
            methods=["GET"],
        ),
        Route("/manager/access-requests/{id}", guarded(ctx, decide), methods=["POST"]),
    ]
