"""Gateway publish: ``PUT /gw/api/v3/gateways/{gw}/gateway`` (docs/contract.md#s8).

Validation (``publish_config``) then a decK-style full replace of the gateway's Kong services
within the select tag, stored in ``kong_services`` (one row per service, routes and plugins
nested, each with a stable Kong ``id``). The whole publish runs in one ``BEGIN IMMEDIATE``
transaction, so concurrent publishes to one gateway are serialised and a dry run or a failure
writes nothing.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from . import kong_schema, quotas, upstream_policy
from .context import SandboxContext
from .deck_diff import PLUGIN_DEFAULTS, ROUTE_DEFAULTS, SERVICE_DEFAULTS, ascii_diff, kong_view
from .gateways import PERM_DOMAINS
from .portal_errors import Problem
from .publish_config import (
    check_services,
    check_tags,
    host_has_port,
    load_documents,
    refuse,
)
from .route_hosts import HostIndex
from .strict_json import strict_json

SYNCED = "Sync successful."
DRY_RUN = "Dry-run.  No changes applied."


async def read_request(request: Request) -> tuple[str, bool, str | None]:
    """(config text, dry run, qualifier) from multipart or JSON; gwa-api's 400s otherwise."""
    content_type = request.headers.get("content-type", "")
    text: Any = None
    values: dict[str, Any] = {}
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        try:
            form = await request.form(max_files=4, max_fields=16)
        except Exception:
            raise Problem(400, {"error": "Bad Request", "code": 400}) from None
        upload = form.get("configFile")
        if isinstance(upload, UploadFile):
            raw = await upload.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise refuse("Configuration must be UTF-8 text") from None
        elif isinstance(upload, str):
            text = upload
        values = {k: form.get(k) for k in ("dryRun", "qualifier")}
    elif content_type.startswith("application/json"):
        try:
            body = strict_json(await request.body())
        except (ValueError, RecursionError):
            raise Problem(400, {"error": "Bad Request", "code": 400}) from None
        if isinstance(body, dict):
            text = body.get("configFile")
            values = {k: body.get(k) for k in ("dryRun", "qualifier")}
    if not isinstance(text, str) or not text.strip():
        raise Problem(400, {"error": "Missing input"})
    dry = values.get("dryRun")
    if dry is None:
        raise Problem(400, {"error": "Bad Request", "code": 400})
    dry_run = dry is True or str(dry).lower() == "true"
    qualifier = values.get("qualifier")
    if not isinstance(qualifier, str) or not qualifier or "." in qualifier:
        qualifier = None  # a qualifier containing "." is ignored
    return text, dry_run, qualifier


def _other_hosts(ctx: SandboxContext, read: Reader, gateway_id: str) -> HostIndex:
    index = HostIndex(ctx.env_host)
    for row in read("SELECT gateway_id, doc FROM kong_services WHERE gateway_id<>?", (gateway_id,)):
        try:
            doc = json.loads(row["doc"])
        except ValueError:
            continue
        for route in doc.get("routes") or [] if isinstance(doc, dict) else []:
            hosts = route.get("hosts") if isinstance(route, dict) else None
            for host in hosts if isinstance(hosts, list) else []:
                index.add(str(host), row["gateway_id"])
    return index


def _fields(obj: dict[str, Any], skip: tuple[str, ...] = ("id", "routes", "plugins")) -> dict:
    return {k: v for k, v in obj.items() if k not in skip}


class Plan:
    """decK's lines for a sync, in its order, and the summary counts."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.created = self.updated = self.deleted = 0

    def create(self, label: str) -> None:
        self.lines.append(f"creating {label}\n")
        self.created += 1

    def update(self, label: str, old: dict, new: dict) -> None:
        # decK prints the label and the diff with Println: one space, the diff, a newline.
        self.lines.append(f"updating {label} {ascii_diff(old, new)}\n")
        self.updated += 1

    def delete(self, label: str) -> None:
        self.lines.append(f"deleting {label}\n")
        self.deleted += 1

    def text(self) -> str:
        return (
            f"{''.join(self.lines)}Summary:\n  Created: {self.created}\n"
            f"  Updated: {self.updated}\n  Deleted: {self.deleted}\n"
        )


def _plugins(
    plan: Plan, old: list[dict], new: list[dict], owner: str, owner_name: str, owner_id: str
) -> list:
    before = {p.get("name"): p for p in old}
    out = []
    for plugin in new:
        prior = before.pop(plugin.get("name"), None)
        plugin = {**plugin, "id": prior["id"] if prior else str(uuid.uuid4())}
        label = f"plugin {plugin.get('name')} for {owner} {owner_name}"
        if prior is None:
            plan.create(label)
        elif _fields(prior) != _fields(plugin):
            ref = {owner: {"id": owner_id}}
            plan.update(
                label,
                kong_view(prior, PLUGIN_DEFAULTS, **ref),
                kong_view(plugin, PLUGIN_DEFAULTS, **ref),
            )
        out.append(plugin)
    for gone in before.values():
        plan.delete(f"plugin {gone.get('name')} for {owner} {owner_name}")
    return out


def _service(plan: Plan, prior: dict[str, Any] | None, service: dict[str, Any]) -> dict:
    sid = prior["id"] if prior else str(uuid.uuid4())
    name = service["name"]
    if prior is None:
        plan.create(f"service {name}")
    elif _fields(prior) != _fields(service):
        plan.update(
            f"service {name}",
            kong_view(prior, SERVICE_DEFAULTS),
            kong_view({**service, "id": sid}, SERVICE_DEFAULTS),
        )
    old_routes = {r.get("name"): r for r in (prior or {}).get("routes") or []}
    routes = []
    for route in service.get("routes") or []:
        old = old_routes.pop(route.get("name"), None)
        rid = old["id"] if old else str(uuid.uuid4())
        new_route = {**route, "id": rid}
        rname = route.get("name")
        if old is None:
            plan.create(f"route {rname}")
        elif _fields(old) != _fields(new_route):
            ref = {"service": {"id": sid}}
            plan.update(
                f"route {rname}",
                kong_view(old, ROUTE_DEFAULTS, **ref),
                kong_view(new_route, ROUTE_DEFAULTS, **ref),
            )
        new_route["plugins"] = _plugins(
            plan, (old or {}).get("plugins") or [], route.get("plugins") or [], "route", rname, rid
        )
        routes.append(new_route)
    for gone in old_routes.values():
        for plugin in gone.get("plugins") or []:
            plan.delete(f"plugin {plugin.get('name')} for route {gone.get('name')}")
        plan.delete(f"route {gone.get('name')}")
    plugins = _plugins(
        plan, (prior or {}).get("plugins") or [], service.get("plugins") or [], "service", name, sid
    )
    return {**service, "id": sid, "routes": routes, "plugins": plugins}


def _validation_failed(results: str) -> Problem:
    return Problem(400, {"error": "Validation Failed.", "results": results})


def _sync_failed(results: str) -> Problem:
    return Problem(400, {"error": "Sync Failed.", "results": results})


def _documents(ctx: SandboxContext, text: str) -> list[dict[str, Any]]:
    """Load and check the base entities; gwa-api stops at the first problem it meets."""
    quotas.check_config_size(ctx.config, text)
    documents = load_documents(text)
    if not documents:
        raise Problem(400, {"error": "Empty Configuration Passed"})
    docs: list[dict[str, Any]] = []
    for doc in documents:
        if not isinstance(doc, dict):
            raise refuse("Invalid base entity: a configuration document must be a mapping")
        for key in doc:
            if key not in BASE_KEYS_SET:
                raise refuse(f"Invalid base entity {key}")
        docs.append(doc)
    return docs


def _check_names(read: Reader, gateway_id: str, names: list[str]) -> None:
    """decK's duplicate check and Kong's unique service names, in one pass each."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _validation_failed(f"building state: services: duplicate name {name}\n")
        seen.add(name)
    taken = {
        row["name"]
        for row in read("SELECT name FROM kong_services WHERE gateway_id<>?", (gateway_id,))
    }
    for name in names:
        if name in taken:
            raise _sync_failed(
                f"creating service {name}\nError: 1 errors occurred:\n\t"
                f"while processing event: {{Create}} service {name}: "
                f"UNIQUE violation detected on '{{name=\"{name}\"}}'\n"
            )


def _service_count(docs: list[dict[str, Any]]) -> int:
    return sum(len(d["services"]) for d in docs if isinstance(d.get("services"), list))


def publish(
    ctx: SandboxContext, gateway_id: str, text: str, dry_run: bool, qualifier: str | None
) -> dict[str, str]:
    """gwa-api's publish. Blocking (parsing, validation, SQLite): run it in a worker thread."""
    docs = _documents(ctx, text)
    tag_problems, select_tag = check_tags(docs, gateway_id, qualifier)
    if tag_problems:  # gwa-api stops after the tag step when it fails
        raise refuse("\n".join(tag_problems))
    quotas.check_services_per_gateway(ctx.config, _service_count(docs))
    decode = kong_schema.decode_problem(docs)

    def refused(host: str, port: Any) -> bool:
        return upstream_policy.refused_as_written(
            ctx, host, port if isinstance(port, int) else None
        )

    # Optimistic: validate and plan against a snapshot read without holding the write lock
    # (so the data plane and the portal keep answering), then write only if no service
    # changed meanwhile (dataplane_version counts every change). A dry run writes nothing.
    for attempt in range(MAX_ATTEMPTS):
        if dry_run or attempt < MAX_ATTEMPTS - 1:
            version = _version(ctx.db.query)
            change = _prepare(
                ctx, ctx.db.query, gateway_id, docs, select_tag, dry_run, refused, decode
            )
            if dry_run:
                return {"message": DRY_RUN, "results": change.plan.text()}
            with ctx.db.transaction() as conn:
                if _version(conn.execute) != version:
                    continue
                change.write(conn, gateway_id)
        else:  # busy class: the last attempt plans inside the transaction
            with ctx.db.transaction() as conn:
                change = _prepare(
                    ctx, conn.execute, gateway_id, docs, select_tag, False, refused, decode
                )
                change.write(conn, gateway_id)
        return {"message": SYNCED, "results": change.plan.text()}
    raise AssertionError("unreachable")  # pragma: no cover


MAX_ATTEMPTS = 3
Reader = Callable[..., Iterable[sqlite3.Row]]


def _version(read: Reader) -> int:
    """The count of changes to the published services (its one row is made with the schema)."""
    rows = list(read("SELECT n FROM dataplane_version WHERE id = 1", ()))
    return int(rows[0][0])


class Change:
    def __init__(self, plan: Plan, stored: list[dict[str, Any]], deleted: list[str]) -> None:
        self.plan, self.stored, self.deleted = plan, stored, deleted
        self.rows = [(s["name"], s["id"], json.dumps(s, allow_nan=False)) for s in stored]

    def write(self, conn: sqlite3.Connection, gateway_id: str) -> None:
        conn.executemany(
            "DELETE FROM kong_services WHERE gateway_id=? AND name=?",
            [(gateway_id, name) for name in self.deleted],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            [(gateway_id, *row) for row in self.rows],
        )


def _prepare(
    ctx: SandboxContext,
    read: Reader,
    gateway_id: str,
    docs: list[dict[str, Any]],
    select_tag: str,
    dry_run: bool,
    refused: Callable[[str, Any], bool],
    decode: str | None,
) -> Change:
    """Validate against the stored state and plan decK's changes (raises the refusals)."""
    services, host_problems = check_services(
        docs, _other_hosts(ctx, read, gateway_id), PERM_DOMAINS, refused
    )
    if host_problems:
        raise refuse("\n".join(host_problems))
    if decode is not None:
        raise _validation_failed(decode)
    names = [s["name"] for s in services]
    _check_names(read, gateway_id, names)
    if not dry_run:  # deck diff passes these; Kong's schema refuses them during the sync
        for service in services:
            if host_has_port(str(service["host"])):
                raise _sync_failed(
                    kong_schema.sync_failure(
                        f"service {service['name']}",
                        "schema violation (host: must not have a port)",
                    )
                )
            for label, message in kong_schema.violations(service):
                raise _sync_failed(kong_schema.sync_failure(label, message))
    current = {
        row["name"]: json.loads(row["doc"])
        for row in read("SELECT name, doc FROM kong_services WHERE gateway_id=?", (gateway_id,))
    }
    in_scope = {n: d for n, d in current.items() if select_tag in (d.get("tags") or [])}
    kept = {n for n in current if n not in in_scope}
    quotas.check_services_per_gateway(ctx.config, len(kept | set(names)))
    plan = Plan()
    stored = [_service(plan, current.get(s["name"]), s) for s in services]
    wanted = set(names)
    for name, gone in in_scope.items():
        if name not in wanted:
            for route in gone.get("routes") or []:
                for plugin in route.get("plugins") or []:
                    plan.delete(f"plugin {plugin.get('name')} for route {route.get('name')}")
                plan.delete(f"route {route.get('name')}")
            for plugin in gone.get("plugins") or []:
                plan.delete(f"plugin {plugin.get('name')} for service {name}")
            plan.delete(f"service {name}")
    return Change(plan, stored, [name for name in in_scope if name not in wanted])


BASE_KEYS_SET = frozenset(
    {"_format_version", "_plugin_configs", "services", "upstreams", "certificates"}
)


def delete_config(ctx: SandboxContext, gateway_id: str, qualifier: str | None) -> int:
    """gwa-api ``DELETE …/gateway[/{qualifier}]``: sync an empty config under the select tag."""
    select_tag = f"ns.{gateway_id}.{qualifier}" if qualifier else f"ns.{gateway_id}"
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT name, doc FROM kong_services WHERE gateway_id=?", (gateway_id,)
        ).fetchall()
        gone = [r["name"] for r in rows if select_tag in (json.loads(r["doc"]).get("tags") or [])]
        conn.executemany(
            "DELETE FROM kong_services WHERE gateway_id=? AND name=?",
            [(gateway_id, name) for name in gone],
        )
    return len(gone)
