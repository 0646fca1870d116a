"""The developer's pages: API Directory, Your Products (preview), the dataset page, the
access request (Request Access → Generate Secrets) and My Access."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import catalog
from ..context import SandboxContext, context_of
from ..oauth import read_form
from ..portal_errors import NAMESPACE_MANAGE
from . import sessions, store
from .guard import check_post, require_member, scopes, signed_in
from .render import PageRefusal, page, redirect

NOT_FOUND = PageRefusal(404, "Not found", "There is no such API in the directory.")


def first_sentence(text: str | None) -> str:
    if not text:
        return ""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip()).replace("\n", " ")


def _card(item: dict[str, Any], preview: bool) -> dict[str, Any]:
    envs = sorted({e["name"] for p in item.get("products", []) for e in p.get("environments", [])})
    return {
        "id": item["id"],
        "title": item.get("title") or item["name"],
        "org": (item.get("organization") or {}).get("title") or "Open Dataset",
        "unit": (item.get("organizationUnit") or {}).get("title", ""),
        "summary": first_sentence(item.get("notes")),
        "environments": envs,
        "href": f"/devportal/api-directory/{item['id']}?preview={'true' if preview else 'false'}",
    }


def _dataset_gateways(ctx: SandboxContext, dataset_id: str) -> tuple[str | None, list[str]]:
    row = ctx.db.query_one("SELECT name FROM datasets WHERE id=?", (dataset_id,))
    if row is None:
        return None, []
    gateways = []
    for p in ctx.db.query("SELECT gateway_id, doc FROM products ORDER BY gateway_id"):
        if json.loads(p["doc"]).get("dataset") == row["name"] and p["gateway_id"] not in gateways:
            gateways.append(p["gateway_id"])
    return row["name"], gateways


def _preview_item(
    ctx: SandboxContext, session: sessions.WebSession, dataset_id: str
) -> tuple[dict, str]:
    """The dataset as a member of one of its gateways sees it; 403 for anyone else."""
    name, gateways = _dataset_gateways(ctx, dataset_id)
    if name is None:
        raise NOT_FOUND
    mine = [g for g in gateways if NAMESPACE_MANAGE in scopes(ctx, session.username, g)]
    if not mine:
        raise PageRefusal(
            403,
            "Not authorized",
            "This API is in private preview: only the members of its gateway can see it.",
        )
    gw = session.active_gateway if session.active_gateway in mine else mine[0]
    item = catalog.directory_item(ctx, gw, dataset_id)
    if item is None:
        raise NOT_FOUND
    return item, gw


async def directory(request: Request) -> Response:
    ctx = context_of(request)
    cards = [_card(i, preview=False) for i in catalog.public_directory(ctx)]
    return page(ctx, request, "directory.html", title="API Directory", cards=cards)


async def your_products(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    if not session.active_gateway:
        return redirect("/manager/gateways/list")
    gw = require_member(ctx, session.username, session.active_gateway, NAMESPACE_MANAGE)
    cards = [_card(i, preview=True) for i in catalog.directory(ctx, gw)]
    return page(
        ctx, request, "your_products.html", session=session, title="Your Products", cards=cards
    )


async def dataset(request: Request) -> Response:
    ctx = context_of(request)
    dataset_id = request.path_params["id"]
    preview = request.query_params.get("preview") == "true"
    session = sessions.current(ctx, request)
    if preview:
        session = signed_in(ctx, request)
        item, _gw = _preview_item(ctx, session, dataset_id)
    else:
        found = (i for i in catalog.public_directory(ctx) if i["id"] == dataset_id)
        item = next(found, None)  # type: ignore[arg-type]
        if item is None:
            raise NOT_FOUND
    products = [
        {
            "id": p["id"],
            "name": p["name"],
            "requestable": any(store.requestable(e) for e in p.get("environments", [])),
        }
        for p in item.get("products", [])
    ]
    return page(
        ctx,
        request,
        "dataset.html",
        session=session,
        title=item.get("title") or item["name"],
        item=item,
        products=products,
        preview=preview,
        back=first_sentence,
    )


def _request_context(
    ctx: SandboxContext, session: sessions.WebSession, product_id: str, preview: bool
):
    found = store.product(ctx, product_id)
    if found is None:
        raise NOT_FOUND
    member = NAMESPACE_MANAGE in scopes(ctx, session.username, found.gateway_id)
    if preview and not member:
        raise PageRefusal(
            403,
            "Not authorized",
            "This API is in private preview: only the members of its gateway can request "
            "access to it.",
        )
    envs = [
        e
        for e in found.environments
        if store.requestable(e) and (e.get("active") or (preview and member))
    ]
    return found, envs, member


def _request_form(
    ctx: SandboxContext,
    request: Request,
    session: sessions.WebSession,
    product_id: str,
    preview: bool,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    found, envs, _member = _request_context(ctx, session, product_id, preview)
    values = values or {}
    dataset_id = None
    if found.dataset:
        row = ctx.db.query_one("SELECT id FROM datasets WHERE name=?", (found.dataset,))
        dataset_id = row["id"] if row else None
    cancel = (
        f"/devportal/api-directory/{dataset_id}?preview={'true' if preview else 'false'}"
        if dataset_id
        else "/devportal/api-directory"
    )
    return page(
        ctx,
        request,
        "request_access.html",
        status=status,
        session=session,
        title=f"Access Request to {found.name}",
        product=found,
        environments=envs,
        applications=store.applications(ctx, session.username),
        preview=preview,
        values=values,
        errors=errors or {},
        notice=notice,
        cancel=cancel,
        show_create=bool((errors or {}).get("app_name")),
    )


async def new_request(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    preview = request.query_params.get("preview") == "true"
    product_id = request.query_params.get("product", "")
    values = {"application": request.query_params.get("app", "")}
    return _request_form(ctx, request, session, product_id, preview, values=values)


async def post_request(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    form = await read_form(request)
    check_post(session, request, form)
    preview = form.get("preview") == "true"
    product_id = form.get("product", "")
    found, _envs, member = _request_context(ctx, session, product_id, preview)

    def form_again(**shown: Any) -> Response:
        """The Request Access form once more, with what the learner typed (and why not)."""
        return _request_form(ctx, request, session, product_id, preview, **shown)

    if form.get("action") == "create-application":
        try:
            app_id = store.create_application(
                ctx, session.username, form.get("app_name", ""), form.get("app_description", "")
            )
        except store.FormRefusal as refusal:
            return form_again(values=form, errors={refusal.field: refusal.message}, status=400)
        return form_again(
            values={**form, "application": app_id, "app_name": ""}, notice="Application created!"
        )
    try:
        request_id = store.create_request(
            ctx,
            session.username,
            app_id=form.get("application", ""),
            product_id=found.id,
            env_name=form.get("environment", ""),
            member=member,
        )
    except store.FormRefusal as refusal:
        return form_again(
            values=form, errors={refusal.field or "form": refusal.message}, status=400
        )
    return redirect(f"/devportal/requests/{request_id}/credentials")


def _own_request(ctx: SandboxContext, session: sessions.WebSession, request_id: str) -> dict:
    req = store.request_row(ctx, request_id)
    if req is None or req["owner"] != session.username:
        raise PageRefusal(404, "Not found", "You have no such access request.")
    return req


async def credentials(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    req = _own_request(ctx, session, request.path_params["id"])
    return page(
        ctx,
        request,
        "credentials.html",
        session=session,
        title=f"Access Request to {req['product_name']}",
        req=req,
        credential=None,
        error="",
    )


async def generate(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    form = await read_form(request)
    check_post(session, request, form)
    req = _own_request(ctx, session, request.path_params["id"])
    try:
        issued = store.generate(ctx, session.username, req["id"])
    except store.FormRefusal as refusal:
        return page(
            ctx,
            request,
            "credentials.html",
            status=400,
            session=session,
            title=f"Access Request to {req['product_name']}",
            req=req,
            credential=None,
            error=refusal.message,
        )
    return page(
        ctx,
        request,
        "credentials.html",
        session=session,
        title=f"Access Request to {req['product_name']}",
        req=store.request_row(ctx, req["id"]),
        credential=issued,
        error="",
    )


async def my_access(request: Request) -> Response:
    ctx = context_of(request)
    session = signed_in(ctx, request)
    grouped: dict[str, list[dict]] = {}
    for row in store.my_access(ctx, session.username):
        grouped.setdefault(row["product_name"], []).append(row)
    return page(
        ctx, request, "my_access.html", session=session, title="My Access", products=grouped
    )


ROUTES: list[BaseRoute] = [
    Route("/devportal/api-directory", directory, methods=["GET"]),
    Route("/devportal/api-directory/your-products", your_products, methods=["GET"]),
    Route("/devportal/api-directory/{id}", dataset, methods=["GET"]),
    Route("/devportal/requests/new", new_request, methods=["GET"]),
    Route("/devportal/requests/new", post_request, methods=["POST"]),
    Route("/devportal/requests/{id}/credentials", credentials, methods=["GET"]),
    Route("/devportal/requests/{id}/credentials", generate, methods=["POST"]),
    Route("/devportal/access", my_access, methods=["GET"]),
]
