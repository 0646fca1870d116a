"""Gateway publish: ``PUT /gw/api/v3/gateways/{gw}/gateway`` (contract §8).

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
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from .context import SandboxContext
from .gateways import PERM_DOMAINS
from .portal_errors import Problem
from .publish_config import (
    check_services,
    check_tags,
    host_has_port,
    load_documents,
    refuse,
)

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
            body = json.loads(await request.body())
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


def _other_hosts(conn: sqlite3.Connection, gateway_id: str) -> dict[str, str]:
    hosts: dict[str, str] = {}
    for row in conn.execute(
        "SELECT gateway_id, doc FROM kong_services WHERE gateway_id<>?", (gateway_id,)
    ):
        for route in json.loads(row["doc"]).get("routes") or []:
            for host in route.get("hosts") or []:
                hosts[str(host)] = row["gateway_id"]
    return hosts


def _fields(obj: dict[str, Any], skip: tuple[str, ...] = ("id", "routes", "plugins")) -> dict:
    return {k: v for k, v in obj.items() if k not in skip}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    }
    return json.dumps(changed, sort_keys=True)


class Plan:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.created = self.updated = self.deleted = 0

    def create(self, line: str) -> None:
        self.lines.append(f"creating {line}")
        self.created += 1

    def update(self, line: str, old: dict, new: dict) -> None:
        self.lines.append(f"updating {line}  {_diff(old, new)}")
        self.updated += 1

    def delete(self, line: str) -> None:
        self.lines.append(f"deleting {line}")
        self.deleted += 1

    def text(self) -> str:
        body = "".join(f"{line}\n" for line in self.lines)
        return (
            f"{body}Summary:\n  Created: {self.created}\n  Updated: {self.updated}\n"
            f"  Deleted: {self.deleted}\n"
        )


def _plugins(plan: Plan, old: list[dict], new: list[dict], owner: str, owner_id: str) -> list:
    before = {p.get("name"): p for p in old}
    out = []
    for plugin in new:
        prior = before.pop(plugin.get("name"), None)
        plugin = {**plugin, "id": prior["id"] if prior else str(uuid.uuid4())}
        label = f"plugin {plugin.get('name')} for {owner} {owner_id}"
        if prior is None:
            plan.create(label)
        elif _fields(prior) != _fields(plugin):
            plan.update(label, _fields(prior), _fields(plugin))
        out.append(plugin)
    for gone in before.values():
        plan.delete(f"plugin {gone.get('name')} for {owner} {owner_id}")
    return out


def _service(plan: Plan, prior: dict[str, Any] | None, service: dict[str, Any]) -> dict:
    sid = prior["id"] if prior else str(uuid.uuid4())
    name = service["name"]
    if prior is None:
        plan.create(f"service {name}")
    elif _fields(prior) != _fields(service):
        plan.update(f"service {name}", _fields(prior), _fields(service))
    old_routes = {r.get("name"): r for r in (prior or {}).get("routes") or []}
    routes = []
    for route in service.get("routes") or []:
        old = old_routes.pop(route.get("name"), None)
        rid = old["id"] if old else str(uuid.uuid4())
        new_route = {**route, "id": rid}
        if old is None:
            plan.create(f"route {route.get('name')}")
        elif _fields(old) != _fields(new_route):
            plan.update(f"route {route.get('name')}", _fields(old), _fields(new_route))
        new_route["plugins"] = _plugins(
            plan, (old or {}).get("plugins") or [], route.get("plugins") or [], "route", rid
        )
        routes.append(new_route)
    for gone in old_routes.values():
        for plugin in gone.get("plugins") or []:
            plan.delete(f"plugin {plugin.get('name')} for route {gone['id']}")
        plan.delete(f"route {gone.get('name')}")
    plugins = _plugins(
        plan, (prior or {}).get("plugins") or [], service.get("plugins") or [], "service", sid
    )
    return {**service, "id": sid, "routes": routes, "plugins": plugins}


def _kong_refusal(service: dict[str, Any]) -> str:
    name = service["name"]
    return (
        f"creating service {name}\nError: 1 errors occurred:\n\twhile processing event: "
        f'{{Create}} service {name} failed: HTTP status 400 (message: "schema violation '
        f'(host: must not have a port)")\n'
    )


def publish(
    ctx: SandboxContext, gateway_id: str, text: str, dry_run: bool, qualifier: str | None
) -> dict[str, str]:
    documents = load_documents(text)
    if not documents:
        raise Problem(400, {"error": "Empty Configuration Passed"})
    problems: list[str] = []
    docs: list[dict[str, Any]] = []
    for doc in documents:
        if not isinstance(doc, dict):
            problems.append("Invalid base entity: a configuration document must be a mapping")
            continue
        doc.setdefault("_format_version", "3.0")
        problems.extend(f"Invalid base entity {k}" for k in doc if k not in BASE_KEYS_SET)
        docs.append(doc)
    if problems:
        raise refuse("\n".join(problems))
    tag_problems, select_tag = check_tags(docs, gateway_id, qualifier)
    with ctx.db.transaction() as conn:
        services, host_problems = check_services(
            docs, _other_hosts(conn, gateway_id), PERM_DOMAINS, ctx.config.allow_localhost_upstreams
        )
        problems = tag_problems + host_problems
        if problems:
            raise refuse("\n".join(problems))
        names = [s["name"] for s in services]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise Problem(
                400,
                {
                    "error": "Validation Failed.",
                    "results": f"building state: services: duplicate name {duplicates[0]}\n",
                },
            )
        for name in names:
            other = conn.execute(
                "SELECT gateway_id FROM kong_services WHERE name=? AND gateway_id<>?",
                (name, gateway_id),
            ).fetchone()
            if other is not None:
                raise Problem(
                    400,
                    {
                        "error": "Sync Failed.",
                        "results": f"creating service {name}\nError: 1 errors occurred:\n\t"
                        f"while processing event: {{Create}} service {name}: "
                        f"UNIQUE violation detected on '{{name=\"{name}\"}}'\n",
                    },
                )
        if not dry_run:  # deck diff passes; Kong's schema refuses it during the real sync
            for service in services:
                if host_has_port(str(service["host"])):
                    raise Problem(400, {"error": "Sync Failed.", "results": _kong_refusal(service)})
        current = {
            row["name"]: json.loads(row["doc"])
            for row in conn.execute(
                "SELECT name, doc FROM kong_services WHERE gateway_id=?", (gateway_id,)
            )
        }
        in_scope = {n: d for n, d in current.items() if select_tag in (d.get("tags") or [])}
        plan = Plan()
        stored = [_service(plan, current.get(s["name"]), s) for s in services]
        for name, gone in in_scope.items():
            if name not in names:
                for route in gone.get("routes") or []:
                    for plugin in route.get("plugins") or []:
                        plan.delete(f"plugin {plugin.get('name')} for route {route['id']}")
                    plan.delete(f"route {route.get('name')}")
                for plugin in gone.get("plugins") or []:
                    plan.delete(f"plugin {plugin.get('name')} for service {gone['id']}")
                plan.delete(f"service {name}")
        if not dry_run:
            for name in in_scope:
                if name not in names:
                    conn.execute(
                        "DELETE FROM kong_services WHERE gateway_id=? AND name=?",
                        (gateway_id, name),
                    )
            conn.executemany(
                "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
                [(gateway_id, s["name"], s["id"], json.dumps(s)) for s in stored],
            )
    return {"message": DRY_RUN if dry_run else SYNCED, "results": plan.text()}


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
