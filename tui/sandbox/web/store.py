"""What the portal pages keep: applications, access requests and their states.

Credentials are not made here: "Generate Secrets" calls :func:`tui.sandbox.consumers.issue`,
and "Delete Consumer" / "Reject" call :func:`tui.sandbox.consumers.revoke`, the same functions
behind ``/ds/api/v3/gateways/{gw}/consumers``, so a browser-made consumer is the REST API's
consumer too: listed there, accepted by the shared IdP and the data plane, revoked for both.

An access request moves ``requested`` → (Generate Secrets) → ``approved`` when its environment
has ``approval: false``, else ``pending`` (the client is registered disabled) → ``approved`` or
``rejected`` by a provider on the gateway's access-request page.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

from .. import consumers
from ..context import SandboxContext
from ..portal_errors import Problem
from ..resources import hex_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_applications (
    app_id      TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS web_access_requests (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    gateway_id   TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    product_name TEXT NOT NULL,
    env_app_id   TEXT NOT NULL,
    env_name     TEXT NOT NULL,
    approval     INTEGER NOT NULL,
    client_id    TEXT,
    state        TEXT NOT NULL,  -- requested|pending|approved|rejected
    created_at   REAL NOT NULL
);
"""

APP_NAME_MAX = 100


class FormRefusal(Exception):
    """A refused form: the message the portal shows, and the field it belongs beside."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    gateway_id: str
    dataset: str | None
    environments: list[dict[str, Any]]


def product(ctx: SandboxContext, product_id: str) -> Product | None:
    row = ctx.db.query_one(
        "SELECT gateway_id, name, id, doc FROM products WHERE id=?", (product_id,)
    )
    if row is None:
        return None
    doc = json.loads(row["doc"])
    return Product(
        row["id"], row["name"], row["gateway_id"], doc.get("dataset"), doc.get("environments", [])
    )


def requestable(env: dict[str, Any]) -> bool:
    return env.get("flow") not in ("public", "protected-externally")


# -- applications -----------------------------------------------------------------------------
def applications(ctx: SandboxContext, owner: str) -> list[dict[str, Any]]:
    rows = ctx.db.query(
        "SELECT app_id, name, description FROM web_applications WHERE owner=? ORDER BY created_at",
        (owner,),
    )
    return [dict(r) for r in rows]


def create_application(ctx: SandboxContext, owner: str, name: str, description: str) -> str:
    name = name.strip()
    if not name:
        raise FormRefusal("Application Name is required", "app_name")
    if len(name) > APP_NAME_MAX:
        raise FormRefusal(f"Application Name must be at most {APP_NAME_MAX} characters", "app_name")
    app_id = hex_id(11)
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO web_applications(app_id, owner, name, description, created_at) "
            "VALUES (?,?,?,?,?)",
            (app_id, owner, name, description.strip() or None, time.time()),
        )
    return app_id


def _own_application(ctx: SandboxContext, owner: str, app_id: str) -> dict[str, Any] | None:
    row = ctx.db.query_one(
        "SELECT app_id, name, description FROM web_applications WHERE app_id=? AND owner=?",
        (app_id, owner),
    )
    return dict(row) if row else None


# -- access requests --------------------------------------------------------------------------
def create_request(
    ctx: SandboxContext, owner: str, *, app_id: str, product_id: str, env_name: str, member: bool
) -> str:
    """Step 1, "Request Access & Continue". ``member``: the caller manages the product's gateway."""
    found = product(ctx, product_id)
    if found is None:
        raise FormRefusal("Product not elligible for requesting access")
    env = next((e for e in found.environments if e.get("name") == env_name), None)
    if env is not None and not env.get("active") and not member:
        raise FormRefusal("Product not elligible for requesting access")
    app = _own_application(ctx, owner, app_id) if app_id else None
    if app is None:
        raise FormRefusal("Select an application to consume the API", "application")
    if env is None or not requestable(env):
        raise FormRefusal("Select an API Environment", "environment")
    client_id = f"{env['appId']}-{app_id}"
    taken = ctx.db.query_one("SELECT 1 FROM consumers WHERE client_id=?", (client_id,))
    open_request = ctx.db.query_one(
        "SELECT 1 FROM web_access_requests WHERE app_id=? AND env_app_id=? AND state IN "
        "('requested','pending','approved')",
        (app_id, env["appId"]),
    )
    if taken or open_request:
        raise FormRefusal("This application already has access.", "application")
    request_id = hex_id(12).lower()
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO web_access_requests(id, owner, app_id, gateway_id, product_id, "
            "product_name, env_app_id, env_name, approval, client_id, state, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                request_id,
                owner,
                app_id,
                found.gateway_id,
                found.id,
                found.name,
                env["appId"],
                env["name"],
                1 if env.get("approval") else 0,
                None,
                "requested",
                time.time(),
            ),
        )
    return request_id


def request_row(ctx: SandboxContext, request_id: str) -> dict[str, Any] | None:
    row = ctx.db.query_one(
        "SELECT r.*, a.name AS app_name FROM web_access_requests r "
        "LEFT JOIN web_applications a ON a.app_id = r.app_id WHERE r.id=?",
        (request_id,),
    )
    return dict(row) if row else None


def _ensure_gateway_application(ctx: SandboxContext, gateway_id: str, app: dict) -> None:
    """The REST layer keeps applications per gateway; register this one there once."""
    row = ctx.db.query_one("SELECT gateway_id FROM applications WHERE app_id=?", (app["app_id"],))
    if row is not None and row["gateway_id"] != gateway_id:
        raise FormRefusal(
            "The sandbox keeps an application to one gateway: create another application "
            "for this API."
        )
    if row is None:
        with ctx.db.transaction() as conn:
            conn.execute(
                "INSERT INTO applications(app_id, gateway_id, name, description, created_at) "
                "VALUES (?,?,?,?,?)",
                (app["app_id"], gateway_id, app["name"], app["description"], time.time()),
            )


def generate(ctx: SandboxContext, owner: str, request_id: str) -> dict[str, Any]:
    """Step 2, "Generate Secrets": the credential, shown once."""
    req = request_row(ctx, request_id)
    if req is None or req["owner"] != owner:
        raise FormRefusal("Access request not found")
    if req["state"] != "requested":
        raise FormRefusal(
            "The credentials of this request were generated already; they are shown only once."
        )
    app = _own_application(ctx, owner, req["app_id"])
    if app is None:
        raise FormRefusal("The application of this request no longer exists")
    _ensure_gateway_application(ctx, req["gateway_id"], app)
    body = {"environmentAppId": req["env_app_id"], "application": {"appId": app["app_id"]}}
    try:
        issued = consumers.issue(ctx, req["gateway_id"], body, enabled=not req["approval"])
    except Problem as problem:
        message = problem.body.get("message") if isinstance(problem.body, dict) else None
        raise FormRefusal(message or "Unable to generate keys") from None
    state = "pending" if req["approval"] else "approved"
    with ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE web_access_requests SET client_id=?, state=? WHERE id=? AND state='requested'",
            (issued["clientId"], state, request_id),
        )
    return issued


def decide(ctx: SandboxContext, request_id: str, gateway_id: str, approve: bool) -> str:
    """A provider's Approve / Reject on a pending request of ``gateway_id``."""
    req = request_row(ctx, request_id)
    if req is None or req["gateway_id"] != gateway_id or req["state"] != "pending":
        raise FormRefusal("This access request is no longer waiting for a decision.")
    if approve:
        consumers.enable(ctx, req["client_id"])
        state = "approved"
    else:
        with contextlib.suppress(Problem):  # already deleted on the Consumers page or REST
            consumers.revoke(ctx, gateway_id, req["client_id"])
        state = "rejected"
    with ctx.db.transaction() as conn:
        conn.execute("UPDATE web_access_requests SET state=? WHERE id=?", (state, request_id))
    return state


def pending(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    rows = ctx.db.query(
        "SELECT * FROM web_access_requests WHERE gateway_id=? AND state='pending' "
        "ORDER BY created_at",
        (gateway_id,),
    )
    return [dict(r) for r in rows]


# -- consumers ----------------------------------------------------------------------------------
def consumer_rows(ctx: SandboxContext, gateway_id: str) -> list[dict[str, Any]]:
    rows = ctx.db.query(
        "SELECT client_id, labels, created_at FROM consumers WHERE gateway_id=? "
        "ORDER BY created_at",
        (gateway_id,),
    )
    return [
        {
            "client_id": r["client_id"],
            "labels": json.loads(r["labels"] or "{}"),
            "created_at": r["created_at"],
            "enabled": consumers.is_enabled(ctx, r["client_id"]),
        }
        for r in rows
    ]


def delete_consumer(ctx: SandboxContext, gateway_id: str, client_id: str) -> None:
    """ "Delete Consumer...": revoke it everywhere; its access requests go with it."""
    try:
        consumers.revoke(ctx, gateway_id, client_id)
    except Problem:
        raise FormRefusal(f"Consumer {client_id} is not in this gateway") from None
    with ctx.db.transaction() as conn:
        conn.execute(
            "DELETE FROM web_access_requests WHERE gateway_id=? AND client_id=?",
            (gateway_id, client_id),
        )


# -- my access ----------------------------------------------------------------------------------
def my_access(ctx: SandboxContext, owner: str) -> list[dict[str, Any]]:
    """One row per live request, grouped later by product; gone consumers drop out."""
    rows = ctx.db.query(
        "SELECT r.*, a.name AS app_name FROM web_access_requests r "
        "JOIN web_applications a ON a.app_id = r.app_id "
        "JOIN gateways g ON g.gateway_id = r.gateway_id "
        "WHERE r.owner=? ORDER BY r.created_at",
        (owner,),
    )
    out = []
    for r in rows:
        row = dict(r)
        if row["state"] in ("pending", "approved") and not ctx.db.query_one(
            "SELECT 1 FROM consumers WHERE client_id=?", (row["client_id"],)
        ):
            continue  # revoked over REST or deleted on the Consumers page
        out.append(row)
    return out
